// Tests that drive GLib-based code (the bus, the DB worker) from their own thread pump the
// default main context while they wait.
#pragma once

#include <glib.h>

#include <functional>

namespace carrel::test {

// Iterates the default main context until done() holds (true) or timeoutMs pass (false).
inline bool pumpUntil(const std::function<bool()>& done, int timeoutMs = 5000) {
  gint64 deadline = g_get_monotonic_time() + gint64(timeoutMs) * 1000;
  while (!done()) {
    if (g_get_monotonic_time() > deadline) return false;
    g_main_context_iteration(nullptr, FALSE);
    g_usleep(1000);
  }
  return true;
}

}  // namespace carrel::test
