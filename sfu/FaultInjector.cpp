#include "FaultInjector.hpp"

#include <atomic>
#include <memory>

#include "ElementLookup.hpp"
#include "GstPtr.hpp"

GST_DEBUG_CATEGORY_STATIC(carrel_sfu_fault);
#define GST_CAT_DEFAULT carrel_sfu_fault

namespace carrel::sfu {

namespace {

void initDebug() {
  static gsize once = 0;
  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(carrel_sfu_fault, "carrel-sfu-fault", 0,
                            "Carrel SFU test-only fault injection");
    g_once_init_leave(&once, 1);
  }
}

struct FaultState {
  std::atomic<bool> posted{false};
};

}  // namespace

GstPadProbeReturn FaultInjector::onProbe(GstPad* pad, GstPadProbeInfo* info, gpointer data) {
  FaultState* st = static_cast<std::shared_ptr<FaultState>*>(data)->get();
  if (!st->posted.exchange(true)) {
    GstElementPtr element(gst_pad_get_parent_element(pad));
    if (element) {
      GST_WARNING_OBJECT(element.get(), "injecting a fault (test-only --test-fault-injection)");
      GST_ELEMENT_ERROR(element.get(), RESOURCE, FAILED, ("injected fault (test only)"),
                        ("debug.fail_peer on an SFU started with --test-fault-injection"));
    }
  }
  // Handled: the probe owns the data and the pad returns the flow set here, as a failing
  // element's own chain or push would.
  gst_mini_object_unref(GST_MINI_OBJECT_CAST(GST_PAD_PROBE_INFO_DATA(info)));
  GST_PAD_PROBE_INFO_DATA(info) = nullptr;
  GST_PAD_PROBE_INFO_FLOW_RETURN(info) = GST_FLOW_ERROR;
  return GST_PAD_PROBE_HANDLED;
}

GstPadProbeReturn FaultInjector::onRefuse(GstPad*, GstPadProbeInfo* info, gpointer) {
  gst_mini_object_unref(GST_MINI_OBJECT_CAST(GST_PAD_PROBE_INFO_DATA(info)));
  GST_PAD_PROBE_INFO_DATA(info) = nullptr;
  GST_PAD_PROBE_INFO_FLOW_RETURN(info) = GST_FLOW_NOT_NEGOTIATED;
  return GST_PAD_PROBE_HANDLED;
}

bool FaultInjector::refuseInput(GstElement* webrtc, std::string* error) {
  initDebug();
  int armed = 0;
  GstIterator* it = gst_element_iterate_sink_pads(webrtc);
  gst_iterator_foreach(
      it,
      [](const GValue* value, gpointer count) {
        auto* pad = GST_PAD(g_value_get_object(value));
        GstPadPtr target(GST_IS_GHOST_PAD(pad) ? gst_ghost_pad_get_target(GST_GHOST_PAD(pad))
                                               : nullptr);
        if (!target) return;
        gst_pad_add_probe(target.get(),
                          static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER |
                                                       GST_PAD_PROBE_TYPE_BUFFER_LIST),
                          &FaultInjector::onRefuse, nullptr, nullptr);
        ++*static_cast<int*>(count);
      },
      &armed);
  gst_iterator_free(it);
  if (armed == 0) {
    *error = "the connection has no linked input pad yet";
    return false;
  }
  // Branches past the funnel (SendChainShortcut::funnelBypass) chain into rtprtxsend, and
  // its packets reach rtpsession's pad by a ghost pad or SendTail's probe.
  GstElementPtr session(ElementLookup::descendantMadeBy(webrtc, "rtpsession"));
  GstPadPtr sessionSink(session ? gst_element_get_static_pad(session.get(), "send_rtp_sink")
                                : nullptr);
  if (sessionSink) {
    gst_pad_add_probe(
        sessionSink.get(),
        static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST),
        &FaultInjector::onRefuse, nullptr, nullptr);
    ++armed;
  }
  GST_WARNING_OBJECT(webrtc, "%d input pad(s) now refuse their buffers (test-only)", armed);
  return true;
}

bool FaultInjector::breakConnection(GstElement* webrtc, bool sending, std::string* error) {
  initDebug();
  const char* factory = sending ? "nicesink" : "nicesrc";
  GstElementPtr element(webrtc ? ElementLookup::descendantMadeBy(webrtc, factory) : nullptr);
  if (!element) {
    *error = std::string("the connection has no ") + factory + " yet";
    return false;
  }
  GstPadPtr pad(gst_element_get_static_pad(element.get(), sending ? "sink" : "src"));
  if (!pad) {
    *error = std::string(factory) + " has no pad";
    return false;
  }
  auto state = std::make_shared<FaultState>();
  auto arm = [&state](GstPad* p) {
    gst_pad_add_probe(
        p, static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST),
        &FaultInjector::onProbe, new std::shared_ptr<FaultState>(state),
        [](gpointer d) { delete static_cast<std::shared_ptr<FaultState>*>(d); });
  };
  arm(pad.get());
  // RTP past a shortened send tail (SendTail) reaches srtpenc but never nicesink: fail it
  // there too, as a broken sink's error would come back to it.
  GstElementPtr srtp(sending ? ElementLookup::descendantMadeBy(webrtc, "srtpenc") : nullptr);
  GstPadPtr srtpSink(srtp ? gst_element_get_static_pad(srtp.get(), "rtp_sink_0") : nullptr);
  if (srtpSink) arm(srtpSink.get());
  // Datagrams read from the agent's callback (NiceReceive) never leave nicesrc: fail them where
  // they enter dtlssrtpdec, as a broken source's error would reach its task.
  GstElementPtr dtls(sending ? nullptr : ElementLookup::descendantMadeBy(webrtc, "dtlssrtpdec"));
  GstPadPtr dtlsSink(dtls ? gst_element_get_static_pad(dtls.get(), "sink") : nullptr);
  if (dtlsSink) arm(dtlsSink.get());
  GST_WARNING("fault armed on %s", GST_OBJECT_NAME(element.get()));
  return true;
}

}  // namespace carrel::sfu
