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
// With a SendCombiner (the subscriber connection's) the push may happen later on another
// publisher's thread; the fuse then learns the flow there and always answers OK to the tee.
// It also chains past the connection's rtpfunnel once it may (SendChainShortcut::funnelBypass).
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <functional>
#include <memory>

#include "SendCombiner.hpp"

namespace carrel::sfu {

class BranchFuse {
 public:
  using BlownFn = std::function<void(GstFlowReturn)>;

  // A probe on pad (a tee src pad); the probe owns the fuse. combiner: the subscriber
  // connection's, or null to chain on the tee's thread.
  static void attach(GstPad* pad, BlownFn onBlown, std::shared_ptr<SendCombiner> combiner);

 private:
  // Shared with packets queued in the combiner, which may outlive the probe.
  struct State {
    explicit State(BlownFn fn) : onBlown(std::move(fn)) {}
    GstFlowReturn settle(GstPad* pad, GstFlowReturn ret);
    BlownFn onBlown;
    std::atomic<bool> blown{false};
  };
  BranchFuse(GstPad* pad, BlownFn onBlown, std::shared_ptr<SendCombiner> combiner);
  ~BranchFuse();
  static GstPadProbeReturn onProbe(GstPad* pad, GstPadProbeInfo* info, gpointer data);

  // With a combiner: the pad past the connection's rtpfunnel once it may be used
  // (SendChainShortcut::funnelBypass); set once, then only read.
  GstPad* target(GstPad* peer);
  std::atomic<GstPad*> bypass_{nullptr};  // owned once set
  std::atomic<unsigned> bypassTries_{0};

  std::shared_ptr<State> state_;
  std::shared_ptr<SendCombiner> combiner_;
  std::shared_ptr<const SendCombiner::Settle> settle_;
};

}  // namespace carrel::sfu
