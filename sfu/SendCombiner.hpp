// One subscriber connection is fed by every publisher it subscribes to, each from its own
// streaming thread (the thread that read the publisher's socket). Everything after
// webrtcbin's sink pads is serial for a connection: its rtpfunnel holds its src pad's stream
// lock while the packet goes through rtpsession, SRTP and the socket send. In a room where
// everyone publishes, those threads queue up on that lock: each wait is a futex sleep, a
// context switch and a wake-up (measured: 0.75 futex calls per forwarded packet in a 6x6 mesh,
// 0.23 in a 1->10 fan-out, and the mesh costs ~20 % more CPU per packet).
//
// The combiner takes the lock's place (flat combining): a thread that finds the connection
// idle sends its packet and then whatever others queued meanwhile; a thread that finds it busy
// queues its packet and goes on to its next subscriber. No thread ever sleeps on another's
// send; the queue's own mutex guards only a push or a pop. Order is kept per connection
// (first queued, first sent), so per pad.
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>

#include "GstPtr.hpp"

namespace carrel::sfu {

class SendCombiner {
 public:
  // What became of one queued packet (on the thread that sent it).
  using Settle = std::function<void(GstFlowReturn)>;

  // At most maxQueued packets wait; beyond that a packet is dropped (counted): the connection's
  // send is stuck, and the publishers' threads must not be.
  explicit SendCombiner(size_t maxQueued = 512);
  ~SendCombiner();
  SendCombiner(const SendCombiner&) = delete;
  SendCombiner& operator=(const SendCombiner&) = delete;

  // Takes buffer (a GstBuffer or GstBufferList) and the pad reference (the caller's from
  // gst_pad_get_peer: none taken per packet here) and chains the buffer into sinkPad now or
  // later, on this thread or another; settle (may be empty) then gets the flow. Returns false
  // when the packet was dropped (queue full): settle is not called.
  bool chain(GstPadPtr sinkPad, GstMiniObject* buffer, std::shared_ptr<const Settle> settle);

  // The connection's branches skip its rtpfunnel (SendChainShortcut::funnelBypass) only while
  // they all have one segment: the funnel's re-sends on a pad switch are what give a branch
  // with a segment of its own the right running time. A branch that finds another segment
  // downstream marks the connection mixed, for good, and every branch takes the funnel again.
  void markMixedSegments() { mixedSegments_.store(true, std::memory_order_relaxed); }
  bool mixedSegments() const { return mixedSegments_.load(std::memory_order_relaxed); }

  struct Counters {
    uint64_t sent = 0;
    uint64_t sentByOthers = 0;  // queued by one thread, sent by another
    uint64_t dropped = 0;
    size_t maxDepth = 0;
  };
  Counters counters() const;

 private:
  struct Item {
    GstPad* pad;  // owned
    GstMiniObject* buffer;
    std::shared_ptr<const Settle> settle;
  };
  static GstFlowReturn send(const Item& item);
  void lock() const;

  const size_t maxQueued_;
  mutable std::mutex mu_;
  std::deque<Item> queue_;
  bool sending_ = false;
  std::atomic<bool> mixedSegments_{false};
  Counters counters_;
};

}  // namespace carrel::sfu
