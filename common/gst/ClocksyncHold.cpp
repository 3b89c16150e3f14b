#include "ClocksyncHold.hpp"

#include <atomic>

namespace carrel {

namespace {
std::atomic<unsigned> releasedCount{0};

void onDeepElementAdded(GstBin*, GstBin*, GstElement* element, gpointer) {
  GstElementFactory* f = gst_element_get_factory(element);
  if (!f || g_strcmp0(GST_OBJECT_NAME(f), "clocksync") != 0) return;
  g_object_set(element, "sync", FALSE, nullptr);
  ++releasedCount;
}
}  // namespace

void ClocksyncHold::disable(GstElement* webrtcbin) {
  g_signal_connect(webrtcbin, "deep-element-added", G_CALLBACK(&onDeepElementAdded), nullptr);
}

unsigned ClocksyncHold::released() {
  return releasedCount.load();
}

}  // namespace carrel
