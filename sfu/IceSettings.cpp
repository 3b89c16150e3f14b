#include "IceSettings.hpp"

#include <gst/webrtc/webrtc.h>

#include "GPtr.hpp"
#include "GstPtr.hpp"
#include "IceServerUri.hpp"
#include "WebrtcIce.hpp"

GST_DEBUG_CATEGORY_STATIC(carrel_sfu_ice);
#define GST_CAT_DEFAULT carrel_sfu_ice

namespace carrel::sfu {

bool IceSettings::setCheckPacing(GstElement* webrtcbin, unsigned ms) {
  GObjectPtr<GObject> agent = WebrtcIce::niceAgent(webrtcbin);
  if (!agent ||
      !g_object_class_find_property(G_OBJECT_GET_CLASS(agent.get()), "stun-pacing-timer")) {
    GST_ERROR("this webrtcbin's ICE agent has no check pacing to set");
    return false;
  }
  g_object_set(agent.get(), "stun-pacing-timer", ms, nullptr);
  return true;
}

void IceSettings::connected(GstElement* webrtcbin) const {
  if (checkPacingMs_ > 0 && checkPacingMs_ != kLibnicePacingMs) {
    setCheckPacing(webrtcbin, kLibnicePacingMs);
  }
}

bool IceSettings::apply(GstElement* webrtcbin) const {
  static gsize once = 0;
  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(carrel_sfu_ice, "carrel-sfu-ice", 0, "Carrel SFU ICE settings");
    g_once_init_leave(&once, 1);
  }
  if (!stun_.empty()) g_object_set(webrtcbin, "stun-server", stun_.c_str(), nullptr);
  if (!turn_.empty()) g_object_set(webrtcbin, "turn-server", turn_.c_str(), nullptr);

  if (portMax_ > 0) {
    GstWebRTCICE* raw = nullptr;
    g_object_get(webrtcbin, "ice-agent", &raw, nullptr);
    GstPtr<GstWebRTCICE> ice(raw);
    if (!ice || !g_object_class_find_property(G_OBJECT_GET_CLASS(ice.get()), "max-rtp-port")) {
      GST_ERROR("this webrtcbin's ICE agent has no port range");
      return false;
    }
    // max first: each setter refuses a value on the wrong side of the other.
    g_object_set(ice.get(), "max-rtp-port", portMax_, "min-rtp-port", portMin_, nullptr);
  }
  std::string error;
  if (!WebrtcIce::restrictTo(webrtcbin, addresses_, &error)) {
    GST_ERROR("%s", error.c_str());
    return false;
  }
  if (checkPacingMs_ > 0 && !setCheckPacing(webrtcbin, checkPacingMs_)) return false;
  return true;
}

}  // namespace carrel::sfu

namespace carrel::sfu {

std::string IceSettings::advertised(const std::string& candidate) const {
  if (publicAddress_.empty() || addresses_.empty()) return candidate;
  return IceServerUri::rewriteHostAddress(candidate, addresses_.front(), publicAddress_);
}

}  // namespace carrel::sfu
