// A few threads, each running a GMainContext of its own, on which NiceReceive reads every
// connection's datagrams instead of on each ICE agent's own thread. With a thread per agent,
// a packet from each of several publishers woke a thread of its own, and those threads took
// turns on the cores with each other and with everything else; a shared reader that is busy
// finds the next datagram ready when it polls again and goes on without sleeping, so
// datagrams that come together cost one wake-up.
//
// Connections fill the first thread before the next: a new connection goes to the first
// thread that has fewer than `fill` connections and is busy less than half the time
// (measured every half second); when none has, to the one with the fewest connections.
// Spread in turn, a small room's publishers each woke a thread of their own for packets that
// the pacing of their frames sends together (2×2 mesh: ~8 % more CPU per forwarded packet
// than on one thread); a big room still spreads over every thread.
//
// Process-wide and started once, before any connection: a context must outlive every
// socket source attached to it, and the last reference to an ICE agent may be dropped on
// one of these threads (libnice holds one while it dispatches), so they are never stopped.
#pragma once

#include <glib.h>

#include <span>

namespace carrel::sfu {

class ReceiveThreads {
 public:
  struct Occupancy {
    double busy = 0.0;  // fraction of the last period
    unsigned connections = 0;
  };
  // n threads (0: none; each agent's own thread reads); fill: connections a thread takes
  // before the next (0: the threads in turn). Only the first call counts.
  static void start(unsigned n, unsigned fill);
  // The context for a new connection's reads, counted until release(); nullptr when none
  // were started.
  static GMainContext* next();
  // A connection next() gave that context is gone.
  static void release(GMainContext* context);
  static unsigned count();
  // The index of the thread for the next connection.
  static unsigned pick(std::span<const Occupancy> threads, unsigned fill, unsigned turn);
  // From a callback its context is dispatching: that source's descriptors stay in the
  // context's poll set while it runs, from then on. GLib takes a dispatched source's
  // descriptors out of the set and puts them back after, and each change writes the
  // context's wake-up eventfd, so a reader's next poll came back at once for nothing: two
  // writes, a read and an empty loop iteration per wake-up. Only for sources whose callback
  // never iterates its own context (the ICE agent's socket sources: NiceReceive).
  static void keepCurrentSourcePolled();
};

}  // namespace carrel::sfu
