#include "SendTail.hpp"

#include <agent.h>

#include <atomic>
#include <cstring>
#include <memory>
#include <string>

#include "ChainPast.hpp"
#include "ElementLookup.hpp"
#include "GstPtr.hpp"

GST_DEBUG_CATEGORY_STATIC(carrel_sfu_send_tail);
#define GST_CAT_DEFAULT carrel_sfu_send_tail

namespace carrel::sfu {

namespace {

const char* kSenderKey = "carrel-send-tail";

}  // namespace

struct SendTail::Sender {
  NiceAgent* agent = nullptr;  // a reference
  guint stream = 0;
  guint component = 0;
  std::atomic<guint64> sent{0};
  ~Sender() {
    if (agent) g_object_unref(agent);
  }
};

void SendTail::attach(GstElement* webrtcbin) {
  static gsize once = 0;
  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(carrel_sfu_send_tail, "carrel-sfu-send-tail", 0,
                            "Carrel SFU: packets from rtpsession to srtpenc to the ICE agent");
    g_once_init_leave(&once, 1);
  }
  g_signal_connect(webrtcbin, "element-added", G_CALLBACK(&SendTail::onElementAdded), nullptr);
}

void SendTail::onElementAdded(GstBin*, GstElement* element, gpointer) {
  // The send bin is added with dtlssrtpenc (and its srtpenc rtp_sink_0/rtp_src_0) inside.
  if (g_strcmp0(G_OBJECT_TYPE_NAME(element), "TransportSendBin") != 0 || !GST_IS_BIN(element)) {
    return;
  }
  GstPadPtr src = ElementLookup::padInside(element, {"dtlssrtpenc", "srtpenc"}, "rtp_src_0");
  if (!src) {
    GST_WARNING_OBJECT(element, "no srtpenc rtp_src_0 inside: the send chain stays whole");
    return;
  }
  gst_pad_add_probe(
      src.get(), GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad* pad, GstPadProbeInfo*, gpointer) {
        shorten(pad);
        return GST_PAD_PROBE_REMOVE;
      },
      nullptr, nullptr);
}

bool SendTail::shorten(GstPad* srtpSrc) {
  GstElementPtr srtp = ElementLookup::parentOf(srtpSrc);
  if (!ElementLookup::madeBy(srtp.get(), "srtpenc")) return false;
  // rtp_src_N goes with rtp_sink_N.
  const char* name = GST_PAD_NAME(srtpSrc);
  if (!g_str_has_prefix(name, "rtp_src_")) return false;
  std::string sinkName = std::string("rtp_sink_") + (name + strlen("rtp_src_"));
  GstPadPtr srtpSink(gst_element_get_static_pad(srtp.get(), sinkName.c_str()));
  GstPadPtr sessionSrc(srtpSink ? ElementLookup::realPeer(srtpSink.get()) : nullptr);
  GstElementPtr session = ElementLookup::parentOf(sessionSrc.get());
  if (!ElementLookup::madeBy(session.get(), "rtpsession") ||
      g_strcmp0(GST_PAD_NAME(sessionSrc.get()), "send_rtp_src") != 0) {
    GST_INFO_OBJECT(srtpSrc, "not shortened: fed by %" GST_PTR_FORMAT,
                    static_cast<void*>(sessionSrc.get()));
    return false;
  }

  GstPadPtr clockSink = ElementLookup::realPeer(srtpSrc);
  GstElementPtr clocksync = ElementLookup::parentOf(clockSink.get());
  gboolean sync = TRUE;
  if (ElementLookup::madeBy(clocksync.get(), "clocksync"))
    g_object_get(clocksync.get(), "sync", &sync, nullptr);
  GstPadPtr clockSrc(clocksync ? gst_element_get_static_pad(clocksync.get(), "src") : nullptr);
  GstPadPtr funnelSink(clockSrc ? ElementLookup::realPeer(clockSrc.get()) : nullptr);
  GstElementPtr funnel = ElementLookup::parentOf(funnelSink.get());
  GstPadPtr funnelSrc(ElementLookup::madeBy(funnel.get(), "funnel")
                          ? gst_element_get_static_pad(funnel.get(), "src")
                          : nullptr);
  GstPadPtr niceSink(funnelSrc ? ElementLookup::realPeer(funnelSrc.get()) : nullptr);
  GstElementPtr nicesink = ElementLookup::parentOf(niceSink.get());
  if (sync || !ElementLookup::madeBy(nicesink.get(), "nicesink")) {
    GST_INFO_OBJECT(srtpSrc,
                    "not shortened: clocksync %" GST_PTR_FORMAT " (sync %d) feeds %" GST_PTR_FORMAT,
                    static_cast<void*>(clocksync.get()), sync, static_cast<void*>(nicesink.get()));
    return false;
  }
  GParamSpec* agentSpec = g_object_class_find_property(G_OBJECT_GET_CLASS(nicesink.get()), "agent");
  if (!agentSpec || !G_IS_PARAM_SPEC_OBJECT(agentSpec)) return false;
  auto sender = std::make_shared<Sender>();
  g_object_get(nicesink.get(), "agent", &sender->agent, "stream", &sender->stream, "component",
               &sender->component, nullptr);
  if (!sender->agent || sender->stream == 0 || sender->component == 0) {
    GST_INFO_OBJECT(nicesink.get(), "not shortened: no agent, stream or component");
    return false;
  }
  // The probe and nicesink (for packetsSent) each hold the sender.
  g_object_set_data_full(G_OBJECT(nicesink.get()), kSenderKey, new std::shared_ptr<Sender>(sender),
                         [](gpointer d) { delete static_cast<std::shared_ptr<Sender>*>(d); });
  gst_pad_add_probe(srtpSrc, GST_PAD_PROBE_TYPE_BUFFER, &SendTail::onSrtpPacket,
                    new std::shared_ptr<Sender>(sender),
                    [](gpointer d) { delete static_cast<std::shared_ptr<Sender>*>(d); });
  ChainPast::install(sessionSrc.get(), srtpSink.get());
  // Before rtpsession: webrtcbin's aux sender bin (rtprtxsend) and its ghost src pad.
  GstPadPtr sessionSink(gst_element_get_static_pad(session.get(), "send_rtp_sink"));
  GstPadPtr rtxSrc(sessionSink ? ElementLookup::realPeer(sessionSink.get()) : nullptr);
  GstElementPtr rtx = ElementLookup::parentOf(rtxSrc.get());
  if (ElementLookup::madeBy(rtx.get(), "rtprtxsend")) {
    ChainPast::install(rtxSrc.get(), sessionSink.get());
  }
  GST_INFO_OBJECT(srtpSrc, "shortened: %" GST_PTR_FORMAT " -> srtpenc -> ICE agent stream %u",
                  static_cast<void*>(sessionSrc.get()), sender->stream);
  return true;
}

GstPadProbeReturn SendTail::onSrtpPacket(GstPad*, GstPadProbeInfo* info, gpointer data) {
  Sender* sender = static_cast<std::shared_ptr<Sender>*>(data)->get();
  GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info);
  GstMapInfo map;
  if (gst_buffer_map(buffer, &map, GST_MAP_READ)) {
    // As nicesink: a datagram that cannot go out now (no selected pair yet, socket full) is
    // lost like any UDP packet, and the chain goes on.
    nice_agent_send(sender->agent, sender->stream, sender->component, map.size,
                    reinterpret_cast<const gchar*>(map.data));
    gst_buffer_unmap(buffer, &map);
    sender->sent.fetch_add(1, std::memory_order_relaxed);
  }
  gst_buffer_unref(buffer);
  GST_PAD_PROBE_INFO_DATA(info) = nullptr;
  GST_PAD_PROBE_INFO_FLOW_RETURN(info) = GST_FLOW_OK;
  return GST_PAD_PROBE_HANDLED;
}

guint64 SendTail::packetsSent(GstElement* webrtcbin) {
  guint64 total = 0;
  ElementLookup::forEachDescendant(webrtcbin, [&total](GstElement* e) {
    if (!ElementLookup::madeBy(e, "nicesink")) return;
    if (auto* s = static_cast<std::shared_ptr<Sender>*>(g_object_get_data(G_OBJECT(e), kSenderKey)))
      total += (*s)->sent.load(std::memory_order_relaxed);
  });
  return total;
}

}  // namespace carrel::sfu
