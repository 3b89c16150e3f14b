// Threads on a 2-core machine (issue 4, speed): what a participant costs the SFU in threads
// must not grow with the tiles it shows. 21 cheap peers show 9 tiles each, then 20 each
// (SIGUSR2 re-points them, same connections); the SFU's thread count, read from
// /proc/<pid>/task, stays the same while it forwards 420 video streams instead of 189.
#include <gtest/gtest.h>

#include <dirent.h>
#include <glib.h>
#include <signal.h>

#include <future>
#include <thread>

#include "CarrelStack.hpp"
#include "Json.hpp"
#include "MediaTestUtil.hpp"
#include "SfuProbe.hpp"
#include "TestEnv.hpp"

using namespace carrel;
using namespace carrel::test;
using namespace std::chrono_literals;

namespace {

constexpr int kPeople = 21;
constexpr int kFewTiles = 9;
constexpr int kManyTiles = 20;
constexpr int kBatch = 5;

std::string nameOf(int i) {
  char name[16];
  g_snprintf(name, sizeof name, "t%02d", i);
  return name;
}

std::vector<std::string> peerArgs(int i) {
  std::vector<std::string> a{"--room", "tiles", "--json", "--stats-interval-ms", "1000"};
  a.insert(a.end(), {"--width", "64", "--height", "48", "--fps", "5", "--video-kbps", "20"});
  a.insert(a.end(), {"--quiet-mic", "--audio-frame-ms", "60", "--no-audio-decode"});
  a.insert(a.end(), {"--ice-failed-grace-ms", "90000"});  // starved ICE agents recover
  for (int k = 1; k <= kFewTiles; ++k) a.insert(a.end(), {"--tile", nameOf((i + k) % kPeople)});
  for (int k = 1; k <= kManyTiles; ++k) {
    a.insert(a.end(), {"--retile", nameOf((i + k) % kPeople)});
  }
  return a;
}

int threadsNow(pid_t pid) {
  std::string path = "/proc/" + std::to_string(pid) + "/task";
  DIR* d = opendir(path.c_str());
  if (!d) return -1;
  int n = 0;
  while (dirent* e = readdir(d)) n += e->d_name[0] != '.' ? 1 : 0;
  closedir(d);
  return n;
}

// The fewest threads over a few seconds: GLib and GStreamer start short-lived helpers now
// and then, which are not what a participant costs.
int steadyThreads(pid_t pid) {
  int least = threadsNow(pid);
  for (int i = 0; i < 10; ++i) {
    std::this_thread::sleep_for(300ms);
    least = std::min(least, threadsNow(pid));
  }
  return least;
}

bool publishConnected(Process& p) {
  for (auto& o : peerEvents(p, "connection_state")) {
    if (json::getString(o.get(), "conn").value_or("") == "publish" &&
        json::getString(o.get(), "state").value_or("") == "connected") {
      return true;
    }
  }
  return false;
}

}  // namespace

TEST(ThreadsPerTileMedia, ShowingTwentyTilesInsteadOfNineAddsNoSfuThread) {
  std::string dir = artifactDir(currentTestName());
  StackOptions options;
  options.controlArgs = {"--sfu-timeout-ms", "60000"};  // a busy SFU on a loaded machine
  // The SFU's main loop lags by tens of seconds when the machine is overloaded: a
  // connection's state reaches it late, so its connect timeout is generous too.
  options.sfuArgs = {"--connect-timeout-ms", "90000"};
  CarrelStack stack(dir, options);
  std::vector<std::unique_ptr<Process>> peers;
  for (int first = 0; first < kPeople; first += kBatch) {
    int last = std::min(first + kBatch, kPeople);
    for (int i = first; i < last; ++i) peers.push_back(stack.startPeer(nameOf(i), peerArgs(i)));
    for (int i = first; i < last; ++i) {
      Process& p = *peers[static_cast<size_t>(i)];
      ASSERT_TRUE(eventually([&] { return publishConnected(p); }, 90s)) << p.logPath();
    }
  }
  SfuProbe sfu(stack.redisPort());
  ASSERT_TRUE(sfu.ready());
  const std::string& node = stack.sfuNodeId();
  ASSERT_TRUE(eventually([&] { return sfu.videoStreams(node) == kPeople * kFewTiles; }, 90s))
      << "video_streams " << sfu.videoStreams(node);
  pid_t pid = stack.sfu().pid();
  int few = steadyThreads(pid);

  for (auto& p : peers) ASSERT_EQ(::kill(p->pid(), SIGUSR2), 0);
  ASSERT_TRUE(eventually([&] { return sfu.videoStreams(node) == kPeople * kManyTiles; }, 120s))
      << "video_streams " << sfu.videoStreams(node);
  int many = steadyThreads(pid);
  RecordProperty("sfu_threads_9_tiles", few);
  RecordProperty("sfu_threads_20_tiles", many);
  RecordProperty("sfu_threads_per_participant_x100", few * 100 / kPeople);
  // 231 more forwarded streams; a thread each would be 231 more. A couple of GLib helpers
  // may still be alive.
  EXPECT_LE(many - few, 2) << "SFU threads " << few << " with 9 tiles each, " << many
                           << " with 20 (" << kPeople << " participants)";
  std::vector<std::future<int>> stops;
  for (auto& p : peers) {
    stops.push_back(std::async(std::launch::async, [&p] { return p->stop(30s); }));
  }
  for (size_t i = 0; i < stops.size(); ++i) EXPECT_EQ(stops[i].get(), 0) << peers[i]->logPath();
}
