#include "ReceiveThreads.hpp"

#include <atomic>
#include <string>
#include <vector>

namespace carrel::sfu {

namespace {

struct Pool {
  std::vector<GMainContext*> contexts;
  std::atomic<unsigned> turn{0};
};

// Never freed: see the header.
Pool* pool() {
  static Pool* p = new Pool;
  return p;
}

gpointer run(gpointer data) {
  auto* context = static_cast<GMainContext*>(data);
  g_main_context_push_thread_default(context);
  GMainLoop* loop = g_main_loop_new(context, FALSE);
  g_main_loop_run(loop);
  return nullptr;
}

}  // namespace

void ReceiveThreads::start(unsigned n) {
  static gsize once = 0;
  if (!g_once_init_enter(&once)) return;
  for (unsigned i = 0; i < n; ++i) {
    GMainContext* context = g_main_context_new();
    pool()->contexts.push_back(context);
    std::string name = "carrel-rx-" + std::to_string(i);
    g_thread_unref(g_thread_new(name.c_str(), &run, context));
  }
  g_once_init_leave(&once, 1);
}

GMainContext* ReceiveThreads::next() {
  Pool* p = pool();
  if (p->contexts.empty()) return nullptr;
  unsigned i = p->turn.fetch_add(1, std::memory_order_relaxed);
  return p->contexts[i % p->contexts.size()];
}

void ReceiveThreads::keepCurrentSourcePolled() {
  GSource* source = g_main_current_source();
  // Recursion is what GLib blocks a dispatched source against; nothing here recurses.
  if (source && !g_source_get_can_recurse(source)) g_source_set_can_recurse(source, TRUE);
}

unsigned ReceiveThreads::count() {
  return static_cast<unsigned>(pool()->contexts.size());
}

}  // namespace carrel::sfu
