#include "ReceiveThreads.hpp"

#include <pthread.h>
#include <time.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace carrel::sfu {

namespace {

constexpr guint kLoadPeriodMs = 500;
// A thread busier than this takes no more connections while another has room.
constexpr double kBusy = 0.5;

struct Reader {
  GMainContext* context = nullptr;
  // Written by the reader's own thread at every period; read by next() on any thread.
  std::atomic<clockid_t> cpuClock{0};
  std::atomic<bool> hasClock{false};
  std::atomic<double> load{0.0};  // busy fraction of the last period
  std::atomic<gint64> sampleWallUs{0};
  std::atomic<gint64> sampleCpuNs{0};
  unsigned connections = 0;  // under the pool's mutex
};

struct Pool {
  std::vector<std::unique_ptr<Reader>> readers;
  unsigned fill = 0;
  std::mutex mu;  // a pick and its count together; guards turn and each connections
  unsigned turn = 0;
};

// Never freed: see the header.
Pool* pool() {
  static Pool* p = new Pool;
  return p;
}

gint64 cpuNs(clockid_t clock) {
  timespec ts{};
  if (clock_gettime(clock, &ts) != 0) return 0;
  return static_cast<gint64>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

double busyFraction(gint64 cpuFromNs, gint64 cpuToNs, gint64 wallFromUs, gint64 wallToUs) {
  if (wallToUs <= wallFromUs) return 0.0;
  return static_cast<double>(cpuToNs - cpuFromNs) / 1000.0 /
         static_cast<double>(wallToUs - wallFromUs);
}

gboolean measure(gpointer data) {
  auto* reader = static_cast<Reader*>(data);
  gint64 wall = g_get_monotonic_time();
  gint64 cpu = cpuNs(CLOCK_THREAD_CPUTIME_ID);
  reader->load.store(busyFraction(reader->sampleCpuNs.load(std::memory_order_relaxed), cpu,
                                  reader->sampleWallUs.load(std::memory_order_relaxed), wall),
                     std::memory_order_relaxed);
  reader->sampleCpuNs.store(cpu, std::memory_order_relaxed);
  reader->sampleWallUs.store(wall, std::memory_order_relaxed);
  return G_SOURCE_CONTINUE;
}

// The last period's figure, unless the thread has not come back to its loop for two periods
// (one long dispatch): then what it used since its last sample, read from its CPU clock.
double loadOf(Reader& reader) {
  double load = reader.load.load(std::memory_order_relaxed);
  gint64 sampleWall = reader.sampleWallUs.load(std::memory_order_relaxed);
  gint64 now = g_get_monotonic_time();
  if (!reader.hasClock.load(std::memory_order_acquire) ||
      now - sampleWall < 2 * static_cast<gint64>(kLoadPeriodMs) * 1000) {
    return load;
  }
  gint64 cpu = cpuNs(reader.cpuClock.load(std::memory_order_relaxed));
  return busyFraction(reader.sampleCpuNs.load(std::memory_order_relaxed), cpu, sampleWall, now);
}

gpointer run(gpointer data) {
  auto* reader = static_cast<Reader*>(data);
  g_main_context_push_thread_default(reader->context);
  reader->sampleWallUs.store(g_get_monotonic_time(), std::memory_order_relaxed);
  reader->sampleCpuNs.store(cpuNs(CLOCK_THREAD_CPUTIME_ID), std::memory_order_relaxed);
  clockid_t clock{};
  if (pthread_getcpuclockid(pthread_self(), &clock) == 0) {
    reader->cpuClock.store(clock, std::memory_order_relaxed);
    reader->hasClock.store(true, std::memory_order_release);
  }
  GSource* timer = g_timeout_source_new(kLoadPeriodMs);
  g_source_set_callback(timer, &measure, reader, nullptr);
  g_source_attach(timer, reader->context);
  g_source_unref(timer);
  GMainLoop* loop = g_main_loop_new(reader->context, FALSE);
  g_main_loop_run(loop);
  return nullptr;
}

}  // namespace

void ReceiveThreads::start(unsigned n, unsigned fill) {
  static gsize once = 0;
  if (!g_once_init_enter(&once)) return;
  Pool* p = pool();
  p->fill = fill;
  for (unsigned i = 0; i < n; ++i) {
    auto reader = std::make_unique<Reader>();
    reader->context = g_main_context_new();
    std::string name = "carrel-rx-" + std::to_string(i);
    g_thread_unref(g_thread_new(name.c_str(), &run, reader.get()));
    p->readers.push_back(std::move(reader));
  }
  g_once_init_leave(&once, 1);
}

unsigned ReceiveThreads::pick(std::span<const Occupancy> threads, unsigned fill, unsigned turn) {
  if (threads.empty()) return 0;
  if (fill == 0) return turn % threads.size();
  unsigned fewest = 0;
  for (unsigned i = 0; i < threads.size(); ++i) {
    const Occupancy& t = threads[i];
    if (t.connections < fill && t.busy < kBusy) return i;
    const Occupancy& f = threads[fewest];
    if (t.connections < f.connections || (t.connections == f.connections && t.busy < f.busy))
      fewest = i;
  }
  return fewest;
}

GMainContext* ReceiveThreads::next() {
  Pool* p = pool();
  if (p->readers.empty()) return nullptr;
  std::vector<Occupancy> threads;
  threads.reserve(p->readers.size());
  std::lock_guard lock(p->mu);
  for (const auto& r : p->readers) {
    threads.push_back({loadOf(*r), r->connections});
  }
  unsigned turn = p->turn++;
  Reader& chosen = *p->readers[pick(threads, p->fill, turn)];
  ++chosen.connections;
  return chosen.context;
}

void ReceiveThreads::release(GMainContext* context) {
  Pool* p = pool();
  std::lock_guard lock(p->mu);
  for (const auto& r : p->readers) {
    if (r->context == context && r->connections > 0) {
      --r->connections;
      return;
    }
  }
}

void ReceiveThreads::keepCurrentSourcePolled() {
  GSource* source = g_main_current_source();
  // Recursion is what GLib blocks a dispatched source against; nothing here recurses.
  if (source && !g_source_get_can_recurse(source)) g_source_set_can_recurse(source, TRUE);
}

unsigned ReceiveThreads::count() {
  return static_cast<unsigned>(pool()->readers.size());
}

}  // namespace carrel::sfu
