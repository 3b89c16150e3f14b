#include "WebRtcSetup.hpp"

#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>

#include "GstPtr.hpp"

namespace carrel::peer {

namespace {

void onDeepElementAdded(GstBin*, GstBin*, GstElement* element, gpointer) {
  GstElementFactory* factory = gst_element_get_factory(element);
  if (!factory) return;
  // webrtcbin puts a clocksync sync=true before each sending pad; in one pipeline it can
  // hold every packet for the upstream latency once latency is redistributed.
  if (std::string_view(GST_OBJECT_NAME(factory)) == "clocksync") {
    g_object_set(element, "sync", FALSE, nullptr);
  }
}

void onNewTransceiver(GstElement*, GstWebRTCRTPTransceiver* trans, gpointer) {
  g_object_set(trans, "do-nack", TRUE, nullptr);
}

}  // namespace

bool WebRtcSetup::configure(GstElement* webrtc, const std::vector<std::string>& iceAddresses,
                            int latencyMs, std::string* error) {
  g_object_set(webrtc, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, "latency",
               static_cast<guint>(latencyMs), nullptr);
  g_signal_connect(webrtc, "deep-element-added", G_CALLBACK(&onDeepElementAdded), nullptr);
  g_signal_connect(webrtc, "on-new-transceiver", G_CALLBACK(&onNewTransceiver), nullptr);

  GstWebRTCICE* rawIce = nullptr;
  g_object_get(webrtc, "ice-agent", &rawIce, nullptr);
  GstPtr<GstWebRTCICE> ice(rawIce);
  if (!ice) {
    if (error) *error = "webrtcbin has no ICE agent";
    return false;
  }
  g_object_set(ice.get(), "ice-tcp", FALSE, nullptr);
  for (const std::string& address : iceAddresses) {
    gboolean ok = FALSE;
    g_signal_emit_by_name(ice.get(), "add-local-ip-address", address.c_str(), &ok);
    if (!ok) {
      if (error) *error = "ICE agent refused local address " + address;
      return false;
    }
  }
  return true;
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

const char* WebRtcSetup::stateName(GstWebRTCICEConnectionState s) {
  switch (s) {
    case GST_WEBRTC_ICE_CONNECTION_STATE_NEW:
      return "new";
    case GST_WEBRTC_ICE_CONNECTION_STATE_CHECKING:
      return "checking";
    case GST_WEBRTC_ICE_CONNECTION_STATE_CONNECTED:
      return "connected";
    case GST_WEBRTC_ICE_CONNECTION_STATE_COMPLETED:
      return "completed";
    case GST_WEBRTC_ICE_CONNECTION_STATE_FAILED:
      return "failed";
    case GST_WEBRTC_ICE_CONNECTION_STATE_DISCONNECTED:
      return "disconnected";
    case GST_WEBRTC_ICE_CONNECTION_STATE_CLOSED:
      return "closed";
  }
  return "?";
}

}  // namespace carrel::peer
