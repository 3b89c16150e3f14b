#include "SendChainShortcut.hpp"

#include "ElementLookup.hpp"
#include "GstPtr.hpp"

GST_DEBUG_CATEGORY_STATIC(carrel_sfu_send_shortcut);
#define GST_CAT_DEFAULT carrel_sfu_send_shortcut

namespace carrel::sfu {

namespace {

// The encoder bin forwards untouched: rtpulpfecenc without an FEC payload type (255, what
// webrtcbin sets when none is negotiated) or percentage, rtpredenc in webrtcbin's
// "passthrough settings" (no RED blocks asked for, none kept).
bool encoderIsIdle(GstElement* bin) {
  GstElementPtr ulpfec = ElementLookup::childMadeBy(bin, "rtpulpfecenc");
  GstElementPtr red = ElementLookup::childMadeBy(bin, "rtpredenc");
  if (!ulpfec || !red) return false;
  guint fecPt = 0, percentage = 1, distance = 1;
  gboolean always = TRUE;
  g_object_get(ulpfec.get(), "pt", &fecPt, "percentage", &percentage, nullptr);
  g_object_get(red.get(), "distance", &distance, "allow-no-red-blocks", &always, nullptr);
  GST_DEBUG_OBJECT(bin, "FEC pt %u, percentage %u; RED distance %u, always %d", fecPt, percentage,
                   distance, always);
  return (fecPt == 255 || percentage == 0) && distance == 0 && !always;
}

}  // namespace

void SendChainShortcut::attach(GstPad* sinkPad) {
  static gsize once = 0;
  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(carrel_sfu_send_shortcut, "carrel-sfu-send-shortcut", 0,
                            "Carrel SFU: clocksync and FEC encoder out of subscriber chains");
    g_once_init_leave(&once, 1);
  }
  gst_pad_add_probe(
      sinkPad, GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad* pad, GstPadProbeInfo*, gpointer) {
        apply(pad);
        return GST_PAD_PROBE_REMOVE;
      },
      nullptr, nullptr);
}

bool SendChainShortcut::apply(GstPad* sinkPad) {
  if (!sinkPad || !GST_IS_GHOST_PAD(sinkPad)) return false;
  GstPadPtr target(gst_ghost_pad_get_target(GST_GHOST_PAD(sinkPad)));
  GstElementPtr clocksync(target ? gst_pad_get_parent_element(target.get()) : nullptr);
  if (!ElementLookup::madeBy(clocksync.get(), "clocksync")) {
    GST_DEBUG_OBJECT(sinkPad, "not shortened: its target is %" GST_PTR_FORMAT,
                     static_cast<void*>(target.get()));
    return false;
  }
  GstPadPtr clockSrc(gst_element_get_static_pad(clocksync.get(), "src"));
  GstPadPtr encoderSink(clockSrc ? gst_pad_get_peer(clockSrc.get()) : nullptr);
  GstElementPtr encoder(encoderSink ? gst_pad_get_parent_element(encoderSink.get()) : nullptr);
  if (!encoder || !GST_IS_BIN(encoder.get()) || !encoderIsIdle(encoder.get())) {
    GST_DEBUG_OBJECT(sinkPad, "not shortened: clocksync feeds %" GST_PTR_FORMAT,
                     static_cast<void*>(encoder.get()));
    return false;
  }
  GstPadPtr encoderSrc(gst_element_get_static_pad(encoder.get(), "src"));
  GstPadPtr next(encoderSrc ? gst_pad_get_peer(encoderSrc.get()) : nullptr);
  if (!next || !gst_pad_unlink(encoderSrc.get(), next.get())) return false;
  if (!gst_ghost_pad_set_target(GST_GHOST_PAD(sinkPad), next.get())) {
    gst_pad_link(encoderSrc.get(), next.get());
    return false;
  }
  GST_DEBUG_OBJECT(sinkPad, "now feeds %" GST_PTR_FORMAT " directly",
                   static_cast<void*>(next.get()));
  return true;
}

GstPadPtr SendChainShortcut::funnelBypass(GstPad* sinkPad, bool* otherSegment) {
  if (!sinkPad || !GST_IS_GHOST_PAD(sinkPad)) return {};
  GstPadPtr funnelSink(gst_ghost_pad_get_target(GST_GHOST_PAD(sinkPad)));
  GstElementPtr funnel(funnelSink ? gst_pad_get_parent_element(funnelSink.get()) : nullptr);
  if (!ElementLookup::madeBy(funnel.get(), "rtpfunnel")) return {};
  GstPadPtr funnelSrc(gst_element_get_static_pad(funnel.get(), "src"));
  GstPadPtr next(funnelSrc ? gst_pad_get_peer(funnelSrc.get()) : nullptr);
  if (!next || !gst_pad_has_current_caps(next.get())) return {};
  GstEventPtr theirs(gst_pad_get_sticky_event(next.get(), GST_EVENT_SEGMENT, 0));
  GstEventPtr ours(gst_pad_get_sticky_event(sinkPad, GST_EVENT_SEGMENT, 0));
  if (!theirs || !ours) return {};
  const GstSegment* a = nullptr;
  const GstSegment* b = nullptr;
  gst_event_parse_segment(theirs.get(), &a);
  gst_event_parse_segment(ours.get(), &b);
  if (!gst_segment_is_equal(a, b)) {
    GST_DEBUG_OBJECT(sinkPad, "funnel kept: its segment differs from the connection's");
    if (otherSegment) *otherSegment = true;
    return {};
  }
  // rtpbin's send_rtp_sink is a ghost pad onto the ghost sink of webrtcbin's aux sender bin:
  // their targets, down to rtprtxsend's own pad, save four more hops.
  for (int depth = 0; depth < 4 && GST_IS_GHOST_PAD(next.get()); ++depth) {
    GstPadPtr inner(gst_ghost_pad_get_target(GST_GHOST_PAD(next.get())));
    if (!inner || !gst_pad_has_current_caps(inner.get())) break;
    next = std::move(inner);
  }
  GST_DEBUG_OBJECT(sinkPad, "packets go straight to %" GST_PTR_FORMAT,
                   static_cast<void*>(next.get()));
  return next;
}

}  // namespace carrel::sfu
