#include "IceSettings.hpp"

#include <gst/webrtc/webrtc.h>

#include "GPtr.hpp"
#include "GstPtr.hpp"

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

  GstWebRTCICE* raw = nullptr;
  g_object_get(webrtcbin, "ice-agent", &raw, nullptr);
  GstPtr<GstWebRTCICE> ice(raw);
  if (!ice) {
    GST_ERROR("webrtcbin has no ICE agent");
    return false;
  }
  if (g_object_class_find_property(G_OBJECT_GET_CLASS(ice.get()), "ice-tcp")) {
    g_object_set(ice.get(), "ice-tcp", FALSE, nullptr);
  }
  // libnice's UPnP port mapping would search for gateways with SSDP multicast on every
  // interface: the SFU must send nothing beyond its ICE addresses.
  if (g_object_class_find_property(G_OBJECT_GET_CLASS(ice.get()), "agent")) {
    GObject* rawAgent = nullptr;
    g_object_get(ice.get(), "agent", &rawAgent, nullptr);
    GObjectPtr<GObject> agent(rawAgent);
    if (agent && g_object_class_find_property(G_OBJECT_GET_CLASS(agent.get()), "upnp")) {
      g_object_set(agent.get(), "upnp", FALSE, nullptr);
    } else {
      GST_WARNING("cannot turn UPnP off on the ICE agent");
    }
  }
  // libnice gathers on every interface unless told addresses; once one is added it uses
  // only the added ones (and it never enumerates loopback on its own).
  if (g_signal_lookup("add-local-ip-address", G_OBJECT_TYPE(ice.get())) == 0) {
    GST_ERROR("this GstWebRTCICE has no add-local-ip-address signal");
    return false;
  }
  bool ok = true;
  for (const auto& a : addresses_) {
    gboolean added = FALSE;
    g_signal_emit_by_name(ice.get(), "add-local-ip-address", a.c_str(), &added);
    if (!added) {
      GST_ERROR("ICE agent refused local address %s", a.c_str());
      ok = false;
    }
  }
  return ok;
}

}  // namespace carrel::sfu
