#include "ReceiveChainShortcut.hpp"

#include "ChainPast.hpp"
#include "ElementLookup.hpp"
#include "GstPtr.hpp"

GST_DEBUG_CATEGORY_STATIC(carrel_sfu_receive_chain);
#define GST_CAT_DEFAULT carrel_sfu_receive_chain

namespace carrel::sfu {

namespace {

const char* kCounterKey = "carrel-receive-chain";

}  // namespace

void ReceiveChainShortcut::attach(GstElement* webrtcbin) {
  static gsize once = 0;
  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(carrel_sfu_receive_chain, "carrel-sfu-receive-chain", 0,
                            "Carrel SFU: received packets past webrtcbin's ghost pads");
    g_once_init_leave(&once, 1);
  }
  g_signal_connect(webrtcbin, "element-added", G_CALLBACK(&ReceiveChainShortcut::onElementAdded),
                   nullptr);
}

void ReceiveChainShortcut::keepNoFecStorage(GstElement* rtpbin) {
  // After webrtcbin's own handler, which sizes the storage for FEC.
  g_signal_connect_after(rtpbin, "new-storage", G_CALLBACK(&ReceiveChainShortcut::onNewStorage),
                         nullptr);
}

void ReceiveChainShortcut::onNewStorage(GstElement*, GstElement* storage, guint session, gpointer) {
  g_object_set(storage, "size-time", guint64{0}, nullptr);
  GST_INFO_OBJECT(storage, "session %u keeps no packets for FEC", session);
}

void ReceiveChainShortcut::onElementAdded(GstBin*, GstElement* element, gpointer) {
  // The receive bin is added with dtlssrtpdec (and its srtpdec) inside.
  if (g_strcmp0(G_OBJECT_TYPE_NAME(element), "TransportReceiveBin") != 0 || !GST_IS_BIN(element)) {
    return;
  }
  GstPadPtr src = ElementLookup::padInside(element, {"dtlssrtpdec", "srtpdec"}, "rtp_src");
  if (!src) {
    GST_WARNING_OBJECT(element, "no srtpdec rtp_src inside: the receive chain stays whole");
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

int ReceiveChainShortcut::shorten(GstPad* srtpSrc) {
  if (!ElementLookup::madeBy(ElementLookup::parentOf(srtpSrc).get(), "srtpdec")) return 0;
  GstPadPtr sessionSink = ElementLookup::realPeer(srtpSrc);
  GstElementPtr session = ElementLookup::parentOf(sessionSink.get());
  if (!ElementLookup::madeBy(session.get(), "rtpsession") ||
      g_strcmp0(GST_PAD_NAME(sessionSink.get()), "recv_rtp_sink") != 0) {
    GST_INFO_OBJECT(srtpSrc, "not shortened: feeds %" GST_PTR_FORMAT,
                    static_cast<void*>(sessionSink.get()));
    return 0;
  }
  auto counted = std::make_shared<std::atomic<guint64>>(0);
  int skipped = ChainPast::pastGhosts(srtpSrc, counted) ? 1 : 0;
  if (skipped) {
    g_object_set_data_full(G_OBJECT(ElementLookup::parentOf(srtpSrc).get()), kCounterKey,
                           new ChainPast::Counter(counted),
                           [](gpointer d) { delete static_cast<ChainPast::Counter*>(d); });
  }
  // rtpsession → [aux receiver bin: rtprtxreceive → rtpreddec] → rtpstorage.
  GstPadPtr sessionSrc(gst_element_get_static_pad(session.get(), "recv_rtp_src"));
  GstPadPtr rtxSink(sessionSrc ? ElementLookup::realPeer(sessionSrc.get()) : nullptr);
  GstElementPtr rtx = ElementLookup::parentOf(rtxSink.get());
  if (ElementLookup::madeBy(rtx.get(), "rtprtxreceive")) {
    if (ChainPast::pastGhosts(sessionSrc.get())) ++skipped;
    GstPadPtr rtxSrc(gst_element_get_static_pad(rtx.get(), "src"));
    GstPadPtr redSink(rtxSrc ? ElementLookup::realPeer(rtxSrc.get()) : nullptr);
    GstElementPtr red = ElementLookup::parentOf(redSink.get());
    GstPadPtr redSrc(ElementLookup::madeBy(red.get(), "rtpreddec")
                         ? gst_element_get_static_pad(red.get(), "src")
                         : nullptr);
    if (redSrc && ChainPast::pastGhosts(redSrc.get())) ++skipped;
  }
  GST_INFO_OBJECT(srtpSrc, "shortened: %d ghost-pad stretch(es) skipped up to %" GST_PTR_FORMAT,
                  skipped, static_cast<void*>(session.get()));
  return skipped;
}

guint64 ReceiveChainShortcut::packetsChained(GstElement* webrtcbin) {
  guint64 n = 0;
  ElementLookup::forEachDescendant(webrtcbin, [&n](GstElement* e) {
    if (auto* c = static_cast<ChainPast::Counter*>(g_object_get_data(G_OBJECT(e), kCounterKey)))
      n += (*c)->load(std::memory_order_relaxed);
  });
  return n;
}

}  // namespace carrel::sfu
