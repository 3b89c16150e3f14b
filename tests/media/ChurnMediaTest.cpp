// Join and leave at scale: webrtcbin 1.22 cannot stop a transceiver, so the SFU reuses a
// subscriber's inactive m-lines for later publishers. 100 participants come and go (five
// at a time) while two stay: the long-lived subscriber's offers must not grow by an m-line
// per visitor, the SFU's memory must not grow per visitor, and the room keeps working.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>

#include "CarrelStack.hpp"
#include "Json.hpp"
#include "MediaTestUtil.hpp"
#include "PeerOutput.hpp"
#include "TestEnv.hpp"

using namespace carrel;
using namespace carrel::test;
using namespace std::chrono_literals;

namespace {

constexpr int kCycles = 100;
constexpr int kBatch = 5;

int64_t maxMlines(Process& p, size_t fromOffer = 0) {
  auto offers = peerEvents(p, "subscribe_offer");
  int64_t most = 0;
  for (size_t i = fromOffer; i < offers.size(); ++i) {
    most = std::max(most, json::getInt(offers[i].get(), "mlines").value_or(0));
  }
  return most;
}

}  // namespace

TEST(ChurnMedia, HundredJoinLeaveCyclesKeepMlinesAndMemoryBounded) {
  CarrelStack stack(artifactDir(currentTestName()));
  std::vector<std::string> stay{"--room", "churn", "--json", "--stats-interval-ms", "500"};
  auto a = stack.startPeer("ana", stay);
  auto b = stack.startPeer("ben", stay);
  std::string ida = waitForWelcome(*a, 20s), idb = waitForWelcome(*b, 20s);
  ASSERT_FALSE(ida.empty() || idb.empty());
  ASSERT_TRUE(eventually(
      [&] {
        PeerView v = readPeer(*a);
        const RemoteTrack* t = v.find(idb, "video");
        return t && t->frames > 10;
      },
      20s));

  // Visitors only publish: what is measured is the long-lived subscribers' side. (Short-lived
  // subscribing visitors sometimes crash carrel-peer itself with heap corruption under this
  // churn: a carrel-peer bug still to find, see tests/peer/README.md.)
  std::vector<std::string> visitor{"--room", "churn", "--json", "--no-subscribe"};
  // Ana was told about this participant's video: it really published through the SFU.
  auto publishedVideo = [&](const std::string& id) {
    for (auto& e : peerEvents(*a, "track_published")) {
      if (json::getString(e.get(), "participant").value_or("") == id &&
          json::getString(e.get(), "kind").value_or("") == "video") {
        return true;
      }
    }
    return false;
  };
  std::set<std::string> visitors;
  long rssAfterWarmup = -1;
  size_t offersAfterWarmup = 0;
  for (int done = 0; done < kCycles; done += kBatch) {
    std::vector<std::unique_ptr<Process>> batch;
    std::vector<std::string> ids;
    for (int i = 0; i < kBatch; ++i) {
      // (Not "v" + to_string: GCC 12 warns falsely about that concatenation at -O3.)
      std::string name = std::to_string(done + i);
      name.insert(name.begin(), 'v');
      batch.push_back(stack.startPeer(name, visitor));
    }
    for (auto& v : batch) {
      std::string id = waitForWelcome(*v, 30s);
      ASSERT_FALSE(id.empty()) << v->logPath();
      ids.push_back(id);
      visitors.insert(id);
    }
    for (size_t i = 0; i < batch.size(); ++i) {
      EXPECT_TRUE(eventually([&] { return publishedVideo(ids[i]); }, 30s))
          << ids[i] << " never published: " << batch[i]->logPath();
    }
    // They leave (SIGTERM: leave, left, close) and must exit cleanly.
    for (auto& v : batch) EXPECT_EQ(v->stop(15s), 0) << v->logPath();
    if (done + kBatch == 20) {
      // Caches, pools and the allocator's arenas have grown by now; later growth would be
      // per visitor.
      std::this_thread::sleep_for(2s);
      rssAfterWarmup = rssKiB(stack.sfu().pid());
      offersAfterWarmup = peerEvents(*a, "subscribe_offer").size();
    }
  }
  ASSERT_EQ(visitors.size(), static_cast<size_t>(kCycles));

  // Ben (2 m-lines) plus at most five visitors (2 each) at once, and a margin for a batch
  // whose offer came while the previous one's m-lines were not yet free. Without reuse the
  // last offers would carry some 200 m-lines.
  int64_t most = maxMlines(*a);
  EXPECT_LE(most, 2 + 2 * kBatch * 2) << "subscriber m-lines grew with churn";
  EXPECT_LE(maxMlines(*a, offersAfterWarmup), most) << "m-lines kept growing after warm-up";

  std::this_thread::sleep_for(2s);
  long rssEnd = rssKiB(stack.sfu().pid());
  ASSERT_GT(rssAfterWarmup, 0);
  ASSERT_GT(rssEnd, 0);
  std::printf("carrel-sfu RSS after 20 visitors %ld KiB, after %d: %ld KiB, max m-lines %lld\n",
              rssAfterWarmup, kCycles, rssEnd, static_cast<long long>(most));
  // 80 more visitors, each with two webrtcbins, a DTLS session and tees: leaked, they
  // would cost several MiB each.
  EXPECT_LT(rssEnd - rssAfterWarmup, 40 * 1024) << "SFU memory grew with churn";

  // The room still works: ana keeps receiving ben, and ben ana.
  auto frames = [](Process& viewer, const std::string& who) -> int64_t {
    PeerView v = readPeer(viewer);
    const RemoteTrack* t = v.find(who, "video");
    return t ? t->frames : -1;
  };
  int64_t before = frames(*a, idb);
  EXPECT_TRUE(eventually([&] { return frames(*a, idb) > before + 15; }, 15s)) << a->logPath();
  int64_t beforeB = frames(*b, ida);
  EXPECT_TRUE(eventually([&] { return frames(*b, ida) > beforeB + 15; }, 15s)) << b->logPath();
  saveOutput(*a, stack.dir() + "/peer-ana.out");
  saveOutput(*b, stack.dir() + "/peer-ben.out");
  EXPECT_EQ(a->stop(10s), 0) << a->logPath();
  EXPECT_EQ(b->stop(10s), 0) << b->logPath();
}
