// Between a subscriber branch's queue and its webrtcbin sink pad. A fatal flow from the
// subscriber's side (an element in its webrtcbin failed: not-negotiated, error) would
// otherwise go back up the branch: the queue returns it on its next chain, the tee returns
// it to the publisher's streaming thread, and the publisher's stream stops for every
// subscriber, after which its own source posts "Internal data stream error" and the
// publisher is torn down too. The fuse keeps such a flow to the branch: it chains each
// buffer into the peer pad itself and, on a fatal return, blows once (onBlown, on the
// streaming thread) and from then on drops the branch's buffers with OK.
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <functional>

namespace carrel::sfu {

class BranchFuse {
 public:
  using BlownFn = std::function<void(GstFlowReturn)>;

  // A probe on pad (the queue's src pad); the probe owns the fuse.
  static void attach(GstPad* pad, BlownFn onBlown);

 private:
  explicit BranchFuse(BlownFn onBlown) : onBlown_(std::move(onBlown)) {}
  static GstPadProbeReturn onProbe(GstPad* pad, GstPadProbeInfo* info, gpointer data);

  BlownFn onBlown_;
  std::atomic<bool> blown_{false};
};

}  // namespace carrel::sfu
