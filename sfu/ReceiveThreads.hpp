// A few threads, each running a GMainContext of its own, on which NiceReceive reads every
// connection's datagrams (round robin) instead of on each ICE agent's own thread. With a
// thread per agent, a packet from each of several publishers woke a thread of its own, and
// those threads took turns on the cores with each other and with everything else; a shared
// reader that is busy finds the next datagram ready when it polls again and goes on without
// sleeping, so datagrams that come together cost one wake-up.
//
// Process-wide and started once, before any connection: a context must outlive every
// socket source attached to it, and the last reference to an ICE agent may be dropped on
// one of these threads (libnice holds one while it dispatches), so they are never stopped.
#pragma once

#include <glib.h>

namespace carrel::sfu {

class ReceiveThreads {
 public:
  // n threads (0: none; each agent's own thread reads). Only the first call counts.
  static void start(unsigned n);
  // The context for the next connection's reads; nullptr when none were started.
  static GMainContext* next();
  static unsigned count();
  // From a callback its context is dispatching: that source's descriptors stay in the
  // context's poll set while it runs, from then on. GLib takes a dispatched source's
  // descriptors out of the set and puts them back after, and each change writes the
  // context's wake-up eventfd, so a reader's next poll came back at once for nothing: two
  // writes, a read and an empty loop iteration per wake-up. Only for sources whose callback
  // never iterates its own context (the ICE agent's socket sources: NiceReceive).
  static void keepCurrentSourcePolled();
};

}  // namespace carrel::sfu
