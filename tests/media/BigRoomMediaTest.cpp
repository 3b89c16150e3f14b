// A big study room (issue 4 item 2): 25 people, each showing 9 tiles (9 of the other 24
// cameras, a different set each, so every camera is shown by 9 people), make the SFU forward
// 25 x 9 video streams, not 25 x 24, counted by the SFU itself (node.info). Each person
// decodes exactly its 9 cameras and hears every unmuted microphone; the one who muted
// itself is heard by nobody; one person re-points a tile and sees the new picture on the
// same connection. The peers are as cheap as carrel-peer makes them (64x48 at 5 fps, 60 ms
// Opus frames, audio counted but not decoded) and join in batches: 25 carrel-peers and 50
// SFU webrtcbins share two cores with everything else, so every wait is generous and the
// control plane is told to wait long for a busy SFU.
#include <gtest/gtest.h>

#include <glib.h>
#include <signal.h>

#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "CarrelStack.hpp"
#include "Json.hpp"
#include "MediaTestUtil.hpp"
#include "PeerOutput.hpp"
#include "SfuProbe.hpp"
#include "TestEnv.hpp"

using namespace carrel;
using namespace carrel::test;
using namespace std::chrono_literals;

namespace {

constexpr int kPeople = 25;
constexpr int kTiles = 9;
constexpr int kBatch = 5;
constexpr int kMuted = 24;    // joins with its microphone muted
constexpr int kSwitcher = 0;  // re-points one tile after everything flows
constexpr int kNewTile = 10;  // ... from kSwitcher + 1 to this person

std::string nameOf(int i) {
  char name[16];
  g_snprintf(name, sizeof name, "p%02d", i);
  return name;
}

// Person i shows the next nine people round the room.
std::vector<int> tilesOf(int i) {
  std::vector<int> out;
  for (int k = 1; k <= kTiles; ++k) out.push_back((i + k) % kPeople);
  return out;
}

std::vector<int> retiledOf(int i) {
  std::vector<int> out = tilesOf(i);
  out.erase(out.begin());
  out.push_back(kNewTile);
  return out;
}

std::vector<std::string> peerArgs(int i) {
  // The cheapest camera carrel-peer makes, and quiet microphones (DTX: a packet per 400 ms,
  // as in a room where people study), counted rather than decoded.
  std::vector<std::string> a{"--room", "big", "--json", "--stats-interval-ms", "1000"};
  a.insert(a.end(), {"--width", "64", "--height", "48", "--fps", "5", "--video-kbps", "20"});
  a.insert(a.end(), {"--quiet-mic", "--audio-frame-ms", "60", "--no-audio-decode"});
  a.insert(a.end(), {"--ice-failed-grace-ms", "90000"});  // starved ICE agents recover
  for (int t : tilesOf(i)) a.insert(a.end(), {"--tile", nameOf(t)});
  if (i == kSwitcher) {
    for (int t : retiledOf(i)) a.insert(a.end(), {"--retile", nameOf(t)});
  }
  if (i == kMuted) a.push_back("--mute-audio");
  return a;
}

// Progress on stderr (unbuffered), so a run the ctest timeout stops shows how far it got.
void progress(const std::string& what) {
  static const auto start = std::chrono::steady_clock::now();
  auto s =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start);
  std::cerr << "[bigroom " << s.count() << " s] " << what << std::endl;
}

bool hasLine(Process& p, const std::string& needle) {
  for (const std::string& l : p.lines()) {
    if (l.find(needle) != std::string::npos) return true;
  }
  return false;
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

int subscribeConnects(Process& p) {
  int n = 0;
  for (auto& o : peerEvents(p, "connection_state")) {
    if (json::getString(o.get(), "conn").value_or("") == "subscribe" &&
        json::getString(o.get(), "state").value_or("") == "connected") {
      ++n;
    }
  }
  return n;
}

// One remote track's counters, keyed "participant/kind".
struct Count {
  int64_t packets = 0;
  int64_t frames = 0;
};
using Counts = std::map<std::string, Count>;

Counts countsOf(const PeerView& v) {
  Counts c;
  for (const auto& t : v.tracks) {
    if (t.ended) continue;
    Count& n = c[t.participant + "/" + t.kind];
    n.packets += t.packets;
    n.frames += t.frames;
  }
  return c;
}

// What is wrong with what person i received between two snapshots ("" when nothing is):
// frames decoded on each of its tiles, no other camera, every unmuted microphone flowing
// and nothing from the muted one.
std::string wrongWith(int i, const std::vector<int>& tiles, const std::vector<std::string>& ids,
                      const Counts& before, const Counts& after) {
  std::ostringstream why;
  auto get = [](const Counts& c, const std::string& key) {
    auto it = c.find(key);
    return it == c.end() ? Count{} : it->second;
  };
  std::set<std::string> shown;
  for (int t : tiles) shown.insert(ids[t]);
  for (int j = 0; j < kPeople; ++j) {
    if (j == i) continue;
    Count v0 = get(before, ids[j] + "/video"), v1 = get(after, ids[j] + "/video");
    if (shown.count(ids[j])) {
      if (v1.frames <= v0.frames) why << nameOf(j) << " camera not decoding; ";
    } else if (v1.packets > 0) {
      why << nameOf(j) << " camera received but not shown; ";
    }
    Count a0 = get(before, ids[j] + "/audio"), a1 = get(after, ids[j] + "/audio");
    if (j == kMuted) {
      if (a1.packets > 0) why << nameOf(j) << " muted microphone forwarded; ";
    } else if (a1.packets <= a0.packets) {
      why << nameOf(j) << " microphone not flowing; ";
    }
  }
  return why.str();
}

// On failure, what the SFU's log says about the publishers everyone misses (did their tracks
// arrive, how many packets), and whether a branch started without its stream-start: enough to
// tell a publisher's problem from a forwarding one in CI's output.
void explainFromSfuLog(const std::string& sfuLog, const std::vector<std::string>& wrong,
                       const std::vector<std::string>& ids,
                       const std::vector<std::unique_ptr<Process>>& peers) {
  std::set<int> culprits;
  for (const auto& w : wrong) {
    for (int j = 0; j < kPeople; ++j) {
      if (w.find(nameOf(j) + " ") != std::string::npos) culprits.insert(j);
    }
  }
  std::ifstream in(sfuLog);
  std::string line;
  int shown = 0;
  while (std::getline(in, line) && shown < 60) {
    bool about = line.find("before stream-start") != std::string::npos;
    for (int j : culprits) {
      about = about || (line.find(ids[static_cast<size_t>(j)]) != std::string::npos &&
                        (line.find("published") != std::string::npos ||
                         line.find("packets") != std::string::npos ||
                         line.find("ended") != std::string::npos));
    }
    if (!about) continue;
    std::string plain;  // without the log's colour codes
    for (size_t k = 0; k < line.size(); ++k) {
      if (line[k] == '\x1b') {
        while (k < line.size() && line[k] != 'm') ++k;
      } else {
        plain += line[k];
      }
    }
    std::cout << "[sfu log] " << plain << std::endl;
    ++shown;
  }
  for (int j : culprits) {
    auto k = static_cast<size_t>(j);
    std::cout << "[bigroom] " << nameOf(j) << " is " << ids[k] << ", its log "
              << peers[k]->logPath() << std::endl;
    std::ifstream peerLog(peers[k]->logPath());
    int warnings = 0;
    while (std::getline(peerLog, line) && warnings < 20) {
      if (line.find("WARN") == std::string::npos && line.find("ERROR") == std::string::npos &&
          line.find("\"error\"") == std::string::npos)
        continue;
      std::cout << "[" << nameOf(j) << " log] " << line.substr(0, 300) << std::endl;
      ++warnings;
    }
  }
}

}  // namespace

TEST(BigRoomMedia, TwentyFivePeopleShowingNineTilesEach) {
  std::string dir = artifactDir(currentTestName());
  // Joins and subscription changes queue up on a busy SFU main loop: control waits longer
  // than its default 5 s for an answer instead of failing a publish.
  StackOptions options;
  options.controlArgs = {"--sfu-timeout-ms", "60000"};
  // The SFU's main loop lags by tens of seconds when the machine is overloaded: a
  // connection's state reaches it late, so its connect timeout is generous too.
  options.sfuArgs = {"--connect-timeout-ms", "90000"};
  CarrelStack stack(dir, options);

  std::vector<std::unique_ptr<Process>> peers;
  std::vector<std::string> ids;
  for (int first = 0; first < kPeople; first += kBatch) {
    for (int i = first; i < first + kBatch; ++i)
      peers.push_back(stack.startPeer(nameOf(i), peerArgs(i)));
    for (int i = first; i < first + kBatch; ++i) {
      Process& p = *peers[static_cast<size_t>(i)];
      ids.push_back(waitForWelcome(p, 60s));
      ASSERT_FALSE(ids.back().empty()) << p.logPath();
      progress(nameOf(i) + " welcomed");
      ASSERT_TRUE(eventually(
          [&] { return hasLine(p, "\"event\":\"joined\"") && publishConnected(p); }, 120s))
          << nameOf(i) << " did not join and publish: " << p.logPath();
    }
  }

  progress("all joined and publishing");
  SfuProbe sfu(stack.redisPort());
  ASSERT_TRUE(sfu.ready());
  int64_t videoStreams = -1;
  EXPECT_TRUE(eventually(
      [&] {
        videoStreams = sfu.videoStreams(stack.sfuNodeId());
        return videoStreams == kPeople * kTiles;
      },
      90s))
      << "video_streams " << videoStreams << ", want " << kPeople * kTiles
      << " (forwarding everything would be " << kPeople * (kPeople - 1) << ")";

  progress("video_streams " + std::to_string(videoStreams));
  // Everyone at once, from two snapshots a few seconds apart, until all are right.
  std::vector<std::string> wrong(kPeople);
  auto snapshot = [&] {
    std::vector<Counts> c;
    for (auto& p : peers) c.push_back(countsOf(readPeer(*p)));
    return c;
  };
  bool allRight = eventually(
      [&] {
        std::vector<Counts> before = snapshot();
        std::this_thread::sleep_for(3s);
        std::vector<Counts> after = snapshot();
        int bad = 0;
        std::string first;
        for (int i = 0; i < kPeople; ++i) {
          auto k = static_cast<size_t>(i);
          wrong[k] = wrongWith(i, tilesOf(i), ids, before[k], after[k]);
          if (!wrong[k].empty() && bad++ == 0) first = nameOf(i) + ": " + wrong[k];
        }
        if (bad > 0) progress(std::to_string(bad) + " views wrong, " + first);
        return bad == 0;
      },
      90s);
  EXPECT_TRUE(allRight);
  progress(allRight ? "every view right" : "some views wrong");
  for (int i = 0; i < kPeople; ++i) {
    auto k = static_cast<size_t>(i);
    EXPECT_EQ(wrong[k], "") << nameOf(i) << ": " << peers[k]->logPath();
  }
  JsonObjectPtr info = sfu.nodeInfo(stack.sfuNodeId());
  ASSERT_NE(info, nullptr);
  int64_t streams = json::getInt(info.get(), "streams").value_or(-1);
  videoStreams = json::getInt(info.get(), "video_streams").value_or(-1);
  EXPECT_EQ(videoStreams, kPeople * kTiles);
  // Every unmuted microphone to each of the 24 others; the muted one's slots may exist.
  int64_t audioStreams = streams - videoStreams;
  EXPECT_GE(audioStreams, (kPeople - 1) * (kPeople - 1));
  EXPECT_LE(audioStreams, kPeople * (kPeople - 1));
  RecordProperty("video_streams", static_cast<int>(videoStreams));
  RecordProperty("audio_streams", static_cast<int>(audioStreams));

  // The switcher re-points its first tile to someone it did not show: that person's picture
  // is decoded in the same slot, on the same connection, and the old camera stops.
  Process& sw = *peers[kSwitcher];
  const std::string& oldId = ids[kSwitcher + 1];
  const std::string& newId = ids[kNewTile];
  PeerView before = readPeer(sw);
  const RemoteTrack* oldCam = before.findTrack(oldId, "video0");
  ASSERT_NE(oldCam, nullptr);
  std::string oldMid = oldCam->mid;
  int connectsBefore = subscribeConnects(sw);
  ASSERT_EQ(::kill(sw.pid(), SIGUSR2), 0);
  progress("tile switched");
  int64_t newFrames = -1;
  EXPECT_TRUE(eventually(
      [&] {
        PeerView v = readPeer(sw);
        const RemoteTrack* t = v.findTrack(newId, "video0");
        newFrames = t ? t->frames : -1;
        return newFrames > 10;
      },
      60s))
      << "the re-pointed tile shows no picture of " << nameOf(kNewTile) << ": " << sw.logPath();
  PeerView after = readPeer(sw);
  const RemoteTrack* newCam = after.findTrack(newId, "video0");
  ASSERT_NE(newCam, nullptr);
  EXPECT_EQ(newCam->mid, oldMid) << "the switch did not re-use the tile's slot";
  EXPECT_EQ(subscribeConnects(sw), connectsBefore) << "the subscribe connection restarted";
  // Its view is the new nine: the old camera stopped, everything else goes on.
  std::string swWrong;
  EXPECT_TRUE(eventually(
      [&] {
        Counts c0 = countsOf(readPeer(sw));
        std::this_thread::sleep_for(3s);
        swWrong = wrongWith(kSwitcher, retiledOf(kSwitcher), ids, c0, countsOf(readPeer(sw)));
        return swWrong.empty();
      },
      30s))
      << "after the switch: " << swWrong << sw.logPath();
  EXPECT_TRUE(
      eventually([&] { return sfu.videoStreams(stack.sfuNodeId()) == kPeople * kTiles; }, 30s))
      << "video_streams " << sfu.videoStreams(stack.sfuNodeId()) << " after the switch";

  progress("switch checked; stopping");
  for (size_t i = 0; i < peers.size(); ++i)
    saveOutput(*peers[i], dir + "/" + nameOf(int(i)) + ".out");
  std::vector<std::future<int>> stops;
  for (auto& p : peers)
    stops.push_back(std::async(std::launch::async, [&p] { return p->stop(30s); }));
  for (size_t i = 0; i < stops.size(); ++i) EXPECT_EQ(stops[i].get(), 0) << peers[i]->logPath();
  if (!allRight) {
    std::this_thread::sleep_for(3s);  // the SFU logs a track's packet count as it tears it down
    explainFromSfuLog(stack.sfu().logPath(), wrong, ids, peers);
  }
}
