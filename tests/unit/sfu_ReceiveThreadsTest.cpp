// ReceiveThreads: connections fill the first thread, then the next (sooner while it is busy),
// and each context is run by a thread of its own, named for the thread listing.
#include <gtest/gtest.h>

#include <sys/prctl.h>

#include <gio/gio.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "ReceiveThreads.hpp"

using carrel::sfu::ReceiveThreads;

namespace {

struct Ran {
  std::atomic<bool> done{false};
  std::string threadName;
  GMainContext* context = nullptr;
  bool owner = false;
};

gboolean note(gpointer data) {
  auto* ran = static_cast<Ran*>(data);
  std::array<char, 17> name{};
  prctl(PR_GET_NAME, name.data(), 0, 0, 0);
  ran->threadName = name.data();
  ran->owner = g_main_context_is_owner(ran->context) != FALSE;
  ran->done = true;
  return G_SOURCE_REMOVE;
}

}  // namespace

TEST(SfuReceiveThreads, PickFillsTheFirstThreadWithRoom) {
  using O = ReceiveThreads::Occupancy;
  std::vector<O> empty{{0.0, 0}, {0.0, 0}, {0.0, 0}};
  EXPECT_EQ(ReceiveThreads::pick(empty, 6, 7), 0u);
  std::vector<O> firstFull{{0.1, 6}, {0.0, 2}, {0.0, 0}};
  EXPECT_EQ(ReceiveThreads::pick(firstFull, 6, 7), 1u);
  std::vector<O> firstBusy{{0.6, 1}, {0.0, 2}, {0.0, 0}};
  EXPECT_EQ(ReceiveThreads::pick(firstBusy, 6, 7), 1u) << "busy half the time: no more";
  std::vector<O> allFull{{0.1, 9}, {0.3, 7}, {0.2, 7}};
  EXPECT_EQ(ReceiveThreads::pick(allFull, 6, 7), 2u) << "the fewest, then the least busy";
  // 0: in turn, whatever they hold.
  EXPECT_EQ(ReceiveThreads::pick(firstFull, 0, 7), 1u);
  EXPECT_EQ(ReceiveThreads::pick(firstFull, 0, 8), 2u);
  EXPECT_EQ(ReceiveThreads::pick(firstFull, 0, 9), 0u);
}

namespace {

struct Spin {
  std::atomic<bool> spinning{false};
  std::atomic<bool> release{false};
};

gboolean spin(gpointer data) {
  auto* s = static_cast<Spin*>(data);
  s->spinning = true;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!s->release && std::chrono::steady_clock::now() < until) {
  }
  s->spinning = false;
  return G_SOURCE_REMOVE;
}

void runOn(GMainContext* context, GSourceFunc f, gpointer data) {
  GSource* s = g_idle_source_new();
  g_source_set_callback(s, f, data, nullptr);
  g_source_attach(s, context);
  g_source_unref(s);
}

template <typename F>
bool waitFor(F done, std::chrono::seconds limit = std::chrono::seconds(20)) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

}  // namespace

TEST(SfuReceiveThreads, ConnectionsFillTheFirstThreadThenTheNext) {
  // The only test of this binary that starts them (process-wide, once).
  ReceiveThreads::start(2, 2);
  ReceiveThreads::start(5, 0);  // ignored
  ASSERT_EQ(ReceiveThreads::count(), 2u);
  GMainContext* first = ReceiveThreads::next();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(ReceiveThreads::next(), first) << "the first thread has room for two";
  GMainContext* other = ReceiveThreads::next();
  EXPECT_NE(other, first) << "a full first thread still takes connections";
  ReceiveThreads::release(first);
  EXPECT_EQ(ReceiveThreads::next(), first) << "a connection gone leaves room";
  ReceiveThreads::release(first);
  ReceiveThreads::release(first);
  ReceiveThreads::release(other);

  // The first thread busy all the time: new connections go to the other one though it has
  // room, until it is idle again.
  Spin busy;
  runOn(first, &spin, &busy);
  ASSERT_TRUE(waitFor([&] { return busy.spinning.load(); })) << "nothing runs the first context";
  EXPECT_TRUE(waitFor([&] {
    GMainContext* c = ReceiveThreads::next();
    ReceiveThreads::release(c);
    return c == other;
  })) << "a busy first thread still takes new connections";
  busy.release = true;
  EXPECT_TRUE(waitFor([&] {
    GMainContext* c = ReceiveThreads::next();
    ReceiveThreads::release(c);
    return c == first;
  })) << "the first thread idle again does not take connections again";

  for (GMainContext* context : {first, other}) {
    Ran ran;
    ran.context = context;
    runOn(context, &note, &ran);
    ASSERT_TRUE(waitFor([&] { return ran.done.load(); })) << "nothing runs that context";
    EXPECT_TRUE(ran.owner);
    EXPECT_EQ(ran.threadName.rfind("carrel-rx-", 0), 0u) << ran.threadName;
  }
}

namespace {

struct SocketReader {
  int datagrams = 0;
  bool keepPolled = false;
};

gboolean readOne(GSocket* socket, GIOCondition, gpointer data) {
  auto* r = static_cast<SocketReader*>(data);
  char buf[64];
  if (g_socket_receive(socket, buf, sizeof buf, nullptr, nullptr) > 0) ++r->datagrams;
  if (r->keepPolled) ReceiveThreads::keepCurrentSourcePolled();
  return G_SOURCE_CONTINUE;
}

GSocket* udpOnLoopback() {
  GSocket* s =
      g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, nullptr);
  GInetAddress* lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  GSocketAddress* any = g_inet_socket_address_new(lo, 0);
  g_socket_bind(s, any, TRUE, nullptr);
  g_object_unref(any);
  g_object_unref(lo);
  g_socket_set_blocking(s, FALSE);
  return s;
}

// Descriptors of the context ready right now (its wake-up eventfd among them) once a
// socket source has dispatched a second datagram; the first dispatch's effects are drained.
int readyAfterSecondDatagram(bool keepPolled) {
  GMainContext* context = g_main_context_new();
  GSocket* receiver = udpOnLoopback();
  GSocket* sender = udpOnLoopback();
  GSocketAddress* to = g_socket_get_local_address(receiver, nullptr);
  SocketReader reader;
  reader.keepPolled = keepPolled;
  GSource* source = g_socket_create_source(receiver, G_IO_IN, nullptr);
  g_source_set_callback(source, G_SOURCE_FUNC(&readOne), &reader, nullptr);
  g_source_attach(source, context);
  int ready = -1;
  for (int n = 1; n <= 2; ++n) {
    g_socket_send_to(sender, to, "x", 1, nullptr, nullptr);
    for (int i = 0; i < 1000 && reader.datagrams < n; ++i) g_main_context_iteration(context, TRUE);
    if (reader.datagrams < n) break;
    if (n == 1) {
      for (int i = 0; i < 3; ++i) g_main_context_iteration(context, FALSE);
      continue;
    }
    g_main_context_acquire(context);
    gint priority = 0;
    g_main_context_prepare(context, &priority);
    GPollFD fds[16];
    gint timeout = 0;
    gint nfds = g_main_context_query(context, priority, &timeout, fds, 16);
    ready = g_poll(fds, static_cast<guint>(std::min(nfds, 16)), 0);
    g_main_context_check(context, priority, fds, std::min(nfds, 16));
    g_main_context_release(context);
  }
  g_source_destroy(source);
  g_source_unref(source);
  g_object_unref(to);
  g_object_unref(sender);
  g_object_unref(receiver);
  g_main_context_unref(context);
  return ready;
}

}  // namespace

TEST(SfuReceiveThreads, ADispatchedSocketSourceLeavesNoWakeUpBehindOnceKeptPolled) {
  // GLib's own behaviour, which the call avoids: its next poll would return at once.
  EXPECT_GE(readyAfterSecondDatagram(false), 1);
  EXPECT_EQ(readyAfterSecondDatagram(true), 0);
}
