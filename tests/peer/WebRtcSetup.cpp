#include "WebRtcSetup.hpp"

#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>

#include "ClocksyncHold.hpp"
#include "GstPtr.hpp"
#include "WebrtcIce.hpp"
#include "WebrtcbinRtpbin.hpp"

namespace carrel::peer {

namespace {

void onNewTransceiver(GstElement*, GstWebRTCRTPTransceiver* trans, gpointer) {
  g_object_set(trans, "do-nack", TRUE, nullptr);
}

// NACK only a packet seen missing (a later one arrived), as browsers do. rtpjitterbuffer's
// default also NACKs the next packet whenever it is late, which on a loaded machine is a steady
// stream of NACKs, and a GStreamer 1.22 receiver that NACKs steadily sends no receiver reports
// at all (sfu/README.md, RTT): the SFU would see no RTT, loss or jitter for it.
void onNewJitterbuffer(GstElement*, GstElement* jitterbuffer, guint, guint, gpointer) {
  g_object_set(jitterbuffer, "rtx-next-seqnum", FALSE, nullptr);
}

}  // namespace

bool WebRtcSetup::configure(GstElement* webrtc, const std::vector<std::string>& iceAddresses,
                            int latencyMs, std::string* error) {
  g_object_set(webrtc, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, "latency",
               static_cast<guint>(latencyMs), nullptr);
  ClocksyncHold::disable(webrtc);
  g_signal_connect(webrtc, "on-new-transceiver", G_CALLBACK(&onNewTransceiver), nullptr);
  GstElementPtr rtpbin = webrtcbinRtpbin(webrtc);
  if (rtpbin) {
    g_signal_connect(rtpbin.get(), "new-jitterbuffer", G_CALLBACK(&onNewJitterbuffer), nullptr);
  }

  return WebrtcIce::restrictTo(webrtc, iceAddresses, error);
}

namespace {
// Flag attributes ("a=inactive") have no value, so presence is checked by key.
bool hasAttribute(const GstSDPMedia* media, std::string_view key) {
  for (guint i = 0; i < gst_sdp_media_attributes_len(media); ++i) {
    const GstSDPAttribute* a = gst_sdp_media_get_attribute(media, i);
    if (a->key && key == a->key) return true;
  }
  return false;
}
}  // namespace

std::set<std::string> WebRtcSetup::inactiveMids(const GstSDPMessage* sdp) {
  std::set<std::string> out;
  for (guint i = 0; i < gst_sdp_message_medias_len(sdp); ++i) {
    const GstSDPMedia* media = gst_sdp_message_get_media(sdp, i);
    const char* mid = gst_sdp_media_get_attribute_val(media, "mid");
    if (!mid) continue;
    // Port 0 rejects an m-line, except a bundle-only one, which rides the bundle's transport.
    bool rejected = gst_sdp_media_get_port(media) == 0 && !hasAttribute(media, "bundle-only");
    if (rejected || hasAttribute(media, "inactive")) out.insert(mid);
  }
  return out;
}

}  // namespace carrel::peer
