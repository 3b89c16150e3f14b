// On a tee src pad linked straight into a subscriber's webrtcbin sink pad (no queue). Whatever
// the push returns would go back through the tee to the publisher's streaming thread, and a
// non-OK flow there stops the publisher's stream for every subscriber (its jitterbuffer sends
// EOS, or its source posts "Internal data stream error" and the publisher is torn down). So
// the fuse chains each buffer into the peer pad itself and keeps the return to the branch:
// * EOS, flushing, not-linked (webrtcbin 1.22 sends EOS down a track whose m-line went
//   inactive; a pad being stopped or re-linked): the branch's packet is lost, OK upstream,
//   and the next buffer is tried again (a slot re-pointed or re-negotiated flows again);
// * fatal (below EOS: not-negotiated, error): blows once (onBlown, on the streaming thread)
//   and from then on drops the branch's buffers with OK.
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <functional>

namespace carrel::sfu {

class BranchFuse {
 public:
  using BlownFn = std::function<void(GstFlowReturn)>;

  // A probe on pad (a tee src pad); the probe owns the fuse.
  static void attach(GstPad* pad, BlownFn onBlown);

 private:
  explicit BranchFuse(BlownFn onBlown) : onBlown_(std::move(onBlown)) {}
  static GstPadProbeReturn onProbe(GstPad* pad, GstPadProbeInfo* info, gpointer data);

  BlownFn onBlown_;
  std::atomic<bool> blown_{false};
};

}  // namespace carrel::sfu
