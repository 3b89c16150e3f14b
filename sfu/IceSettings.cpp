#include "IceSettings.hpp"

#include <gst/webrtc/webrtc.h>

#include "GPtr.hpp"
#include "GstPtr.hpp"
#include "WebrtcIce.hpp"

GST_DEBUG_CATEGORY_STATIC(carrel_sfu_ice);
#define GST_CAT_DEFAULT carrel_sfu_ice

namespace carrel::sfu {

bool IceSettings::apply(GstElement* webrtcbin) const {
  static gsize once = 0;
  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(carrel_sfu_ice, "carrel-sfu-ice", 0, "Carrel SFU ICE settings");
    g_once_init_leave(&once, 1);
  }
  if (!stun_.empty()) g_object_set(webrtcbin, "stun-server", stun_.c_str(), nullptr);
  if (!turn_.empty()) g_object_set(webrtcbin, "turn-server", turn_.c_str(), nullptr);

  std::string error;
  if (!WebrtcIce::restrictTo(webrtcbin, addresses_, &error)) {
    GST_ERROR("%s", error.c_str());
    return false;
  }
  return true;
}

}  // namespace carrel::sfu
