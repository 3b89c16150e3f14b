#include "EosShield.hpp"

#include "GstPtr.hpp"
#include "WebrtcbinRtpbin.hpp"

GST_DEBUG_CATEGORY_STATIC(carrel_sfu_eos_shield);
#define GST_CAT_DEFAULT carrel_sfu_eos_shield

namespace carrel::sfu {

void EosShield::attach(GstElement* webrtcbin) {
  static gsize once = 0;
  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(carrel_sfu_eos_shield, "carrel-sfu-eos-shield", 0,
                            "Carrel SFU: a publisher track's EOS kept to that track");
    g_once_init_leave(&once, 1);
  }
  // Without webrtcbin's rtpbin there is nothing to shield.
  GstElementPtr rtpbin = webrtcbinRtpbin(webrtcbin);
  if (!rtpbin) {
    GST_WARNING_OBJECT(webrtcbin, "no rtpbin inside: publisher EOS not shielded");
    return;
  }
  g_signal_connect(rtpbin.get(), "new-jitterbuffer", G_CALLBACK(&EosShield::onNewJitterbuffer),
                   nullptr);
}

void EosShield::onNewJitterbuffer(GstElement*, GstElement* jitterbuffer, guint, guint, gpointer) {
  GstPadPtr sink(gst_element_get_static_pad(jitterbuffer, "sink"));
  GstPadPtr src(gst_element_get_static_pad(jitterbuffer, "src"));
  if (!sink || !src) return;
  // The probe keeps a ref to the src pad; both go with the jitterbuffer's pads.
  gst_pad_add_probe(
      sink.get(),
      static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST),
      &EosShield::onProbe, gst_object_ref(src.get()), gst_object_unref);
}

GstPadProbeReturn EosShield::onProbe(GstPad* pad, GstPadProbeInfo*, gpointer data) {
  auto* src = static_cast<GstPad*>(data);
  if (gst_pad_get_last_flow_return(src) != GST_FLOW_EOS) return GST_PAD_PROBE_OK;
  GST_LOG_OBJECT(pad, "packet after its track's EOS dropped");
  // Dropped, the chain returns OK upstream instead of the jitterbuffer's EOS.
  return GST_PAD_PROBE_DROP;
}

}  // namespace carrel::sfu
