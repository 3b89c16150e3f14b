// A room pipeline's bus that never queues a message. GStreamer 1.22's GstBus keeps posted
// messages in a GstAtomicQueue, whose writers busy-wait for each other; when dozens of
// threads post at once (a room joining: every new webrtcbin's streaming tasks post their
// stream-status messages as they start, the main thread its state changes) every poster,
// the main thread among them, was seen spinning in gst_atomic_queue_push for good: the node
// stopped answering (3 times in ~120 bench runs of a 25-person room; a gdb dump of one).
// GStreamer replaced that queue in 1.25 (bus: Switch from GstAtomicQueue to GstVecDeque).
//
// Here a sync handler, which runs on the posting thread before the queue, hands the few
// message types the room acts on to the main context and drops every message, so the
// queue is never written.
#pragma once

#include <gst/gst.h>

#include <functional>

namespace carrel::sfu {

class BusRelay {
 public:
  using Handler = std::function<void(GstMessage*)>;
  // Messages whose type is in `types` go to `onMain` on the main context (in the order
  // posted by each thread); all others are dropped. The bus must have no sync handler yet; this one
  // lasts as long as the bus (onMain should hold its target weakly).
  static void install(GstBus* bus, GstMessageType types, Handler onMain);

 private:
  static GstBusSyncReply onMessage(GstBus*, GstMessage* message, gpointer data);
};

}  // namespace carrel::sfu
