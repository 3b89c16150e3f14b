#include "SrtpReplayWindow.hpp"

#include "ElementLookup.hpp"

namespace carrel::sfu {

namespace {
void onDeepElementAdded(GstBin*, GstBin*, GstElement* element, gpointer) {
  if (!ElementLookup::madeBy(element, "srtpenc")) return;
  // Read when srtpenc creates its libsrtp session (at its keys), so set before DTLS is up.
  g_object_set(element, "replay-window-size", SrtpReplayWindow::kPackets, nullptr);
}
}  // namespace

void SrtpReplayWindow::widen(GstElement* webrtcbin) {
  g_signal_connect(webrtcbin, "deep-element-added", G_CALLBACK(&onDeepElementAdded), nullptr);
}

}  // namespace carrel::sfu
