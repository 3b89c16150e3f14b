// webrtcbin 1.22 reads a connection's datagrams with nicesrc, a GstPushSrc whose create() runs
// a GMainLoop of its own until libnice's read callback has queued one buffer and quit the
// loop. Per datagram that is a loop quit (an eventfd write), a second poll to consume that
// wake-up, and the base class's per-buffer work (a clock read, a sync check, the stream lock)
// before a capsfilter and, past ReceiveQueueBypass, dtlssrtpdec (docs/benchmarks.md, session
// 10).
//
// Once ReceiveQueueBypass gives datagrams straight to dtlssrtpdec, the agent's read callback
// for nicesrc's stream and component moves to one of ReceiveThreads' contexts (or, without
// them, to the agent's own main context, the thread webrtcbin runs for the agent's STUN
// timers and signals): libnice calls it there for each
// datagram (STUN stays inside libnice, as before), which becomes a buffer timestamped as
// nicesrc's base class does and is chained into dtlssrtpdec. nicesrc's thread then sleeps in
// its loop until the element stops (which detaches the callback again). While webrtcbin
// blocks the receive bin (ICE lost), datagrams go to nicesrc's own peer instead, as nicesrc
// would have pushed them (and ReceiveQueueBypass's probe decides again). A flow error downstream is
// posted as nicesrc's base class posts it, and the reader stops, as that base class's task does.
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <memory>

namespace carrel::sfu {

class NiceReceive {
 public:
  // Datagrams go to next (dtlssrtpdec's sink) while direct is set, else to nicesrc's peer.
  // False, and nothing changed, when nicesrc has no agent, stream or peer.
  static bool takeOver(GstElement* nicesrc, GstPad* next,
                       std::shared_ptr<const std::atomic<bool>> direct);
  struct Counts {
    guint64 read = 0;              // through takeOver
    guint64 onReceiveThreads = 0;  // of them, on ReceiveThreads' threads
    Counts& operator+=(const Counts& o) {
      read += o.read;
      onReceiveThreads += o.onReceiveThreads;
      return *this;
    }
  };
  // Datagrams the connections of this webrtcbin read (node.info).
  static Counts packetsReceived(GstElement* webrtcbin);
};

}  // namespace carrel::sfu
