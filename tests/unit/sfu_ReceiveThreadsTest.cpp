// ReceiveThreads: connections are spread over the threads in turn, and each context is run
// by a thread of its own, named for the thread listing.
#include <gtest/gtest.h>

#include <sys/prctl.h>

#include <gio/gio.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>

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

TEST(SfuReceiveThreads, ConnectionsTakeTheThreadsInTurnAndEachContextRuns) {
  // The only test of this binary that starts them (process-wide, once).
  ReceiveThreads::start(2);
  ReceiveThreads::start(5);  // ignored
  ASSERT_EQ(ReceiveThreads::count(), 2u);
  GMainContext* a = ReceiveThreads::next();
  GMainContext* b = ReceiveThreads::next();
  GMainContext* c = ReceiveThreads::next();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_NE(a, b);
  EXPECT_EQ(a, c);
  for (GMainContext* context : {a, b}) {
    Ran ran;
    ran.context = context;
    GSource* s = g_idle_source_new();
    g_source_set_callback(s, &note, &ran, nullptr);
    g_source_attach(s, context);
    g_source_unref(s);
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!ran.done && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_TRUE(ran.done) << "nothing runs that context";
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
