#include "WebrtcIce.hpp"

#include <gst/webrtc/webrtc.h>

#include "GPtr.hpp"
#include "GstPtr.hpp"

namespace carrel {

bool WebrtcIce::restrictTo(GstElement* webrtcbin, const std::vector<std::string>& addresses,
                           std::string* error) {
  auto fail = [&](std::string why) {
    if (error) *error = std::move(why);
    return false;
  };
  GstWebRTCICE* raw = nullptr;
  g_object_get(webrtcbin, "ice-agent", &raw, nullptr);
  GstPtr<GstWebRTCICE> ice(raw);
  if (!ice) return fail("webrtcbin has no ICE agent");
  if (g_object_class_find_property(G_OBJECT_GET_CLASS(ice.get()), "ice-tcp")) {
    g_object_set(ice.get(), "ice-tcp", FALSE, nullptr);
  }
  // UPnP port mapping searches for gateways with SSDP multicast on every interface.
  GObjectPtr<GObject> agent = niceAgent(webrtcbin);
  if (!agent || !g_object_class_find_property(G_OBJECT_GET_CLASS(agent.get()), "upnp")) {
    return fail("cannot turn UPnP off on the ICE agent");
  }
  g_object_set(agent.get(), "upnp", FALSE, nullptr);
  if (g_signal_lookup("add-local-ip-address", G_OBJECT_TYPE(ice.get())) == 0) {
    return fail("this GstWebRTCICE has no add-local-ip-address signal");
  }
  for (const auto& a : addresses) {
    gboolean added = FALSE;
    g_signal_emit_by_name(ice.get(), "add-local-ip-address", a.c_str(), &added);
    if (!added) return fail("ICE agent refused local address " + a);
  }
  return true;
}

GObjectPtr<GObject> WebrtcIce::niceAgent(GstElement* webrtcbin) {
  GstWebRTCICE* raw = nullptr;
  g_object_get(webrtcbin, "ice-agent", &raw, nullptr);
  GstPtr<GstWebRTCICE> ice(raw);
  GObject* agent = nullptr;
  if (ice && g_object_class_find_property(G_OBJECT_GET_CLASS(ice.get()), "agent")) {
    g_object_get(ice.get(), "agent", &agent, nullptr);
  }
  return GObjectPtr<GObject>(agent);
}

}  // namespace carrel
