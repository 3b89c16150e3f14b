// ReceiveThreads: connections are spread over the threads in turn, and each context is run
// by a thread of its own, named for the thread listing.
#include <gtest/gtest.h>

#include <sys/prctl.h>

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
