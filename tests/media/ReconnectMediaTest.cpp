// Reconnect grace with real carrel-peers (issue 4 item 7): a peer drops its WebSocket without
// leaving and comes back with its resume token; it keeps its participant id and the other
// sees no leave and no join; its media resumes both ways (a new SFU peer: it publishes and
// subscribes again, so the other sees its tracks end and come back).
#include <gtest/gtest.h>

#include "CarrelStack.hpp"
#include "Json.hpp"
#include "MediaTestUtil.hpp"
#include "TestEnv.hpp"

using namespace carrel;
using namespace carrel::test;
using namespace std::chrono_literals;

namespace {

// Frames of who's live (not ended) video in the viewer's latest stats line.
int64_t liveFrames(Process& viewer, const std::string& who) {
  auto stats = peerEvents(viewer, "stats");
  if (stats.empty()) return 0;
  int64_t frames = 0;
  JsonArray* tracks = json::getArray(stats.back().get(), "tracks");
  for (guint i = 0; tracks && i < json_array_get_length(tracks); ++i) {
    JsonObject* tr = json_array_get_object_element(tracks, i);
    if (json::getString(tr, "participant").value_or("") == who &&
        json::getString(tr, "kind").value_or("") == "video" &&
        !json::getBool(tr, "ended").value_or(true)) {
      frames += json::getInt(tr, "frames").value_or(0);
    }
  }
  return frames;
}

int countAbout(Process& p, const char* event, const std::string& who) {
  int n = 0;
  for (auto& e : peerEvents(p, event)) {
    if (json::getString(e.get(), "participant").value_or("") == who) ++n;
  }
  return n;
}

bool sawAbout(Process& p, const char* event, const std::string& who) {
  return countAbout(p, event, who) > 0;
}

}  // namespace

TEST(ReconnectMedia, ADroppedPeerComesBackAsItselfAndItsMediaResumes) {
  CarrelStack stack(artifactDir(currentTestName()));
  std::vector<std::string> args{"--room", "wifi", "--json", "--stats-interval-ms", "250"};
  auto ben = stack.startPeer("ben", args);
  std::vector<std::string> anaArgs = args;
  anaArgs.insert(anaArgs.end(), {"--drop-after-ms", "7000"});
  auto ana = stack.startPeer("ana", anaArgs);
  std::string ida = waitForWelcome(*ana, 20s), idb = waitForWelcome(*ben, 20s);
  ASSERT_FALSE(ida.empty() || idb.empty());
  ASSERT_TRUE(eventually([&] { return liveFrames(*ben, ida) > 10; }, 20s)) << ben->logPath();

  ASSERT_TRUE(eventually([&] { return !peerEvents(*ana, "resumed").empty(); }, 30s))
      << ana->logPath();
  int64_t benSawAna = liveFrames(*ben, ida), anaSawBen = liveFrames(*ana, idb);
  auto welcomes = peerEvents(*ana, "welcome");
  ASSERT_EQ(welcomes.size(), 2u);
  EXPECT_EQ(json::getString(welcomes[1].get(), "participant").value_or(""), ida);
  EXPECT_TRUE(json::getBool(welcomes[1].get(), "resumed").value_or(false));

  // Media flows again both ways, on the new connections.
  EXPECT_TRUE(eventually([&] { return liveFrames(*ben, ida) > benSawAna + 30; }, 20s))
      << "ben does not see ana again; " << ben->logPath();
  EXPECT_TRUE(eventually([&] { return liveFrames(*ana, idb) > anaSawBen + 30; }, 20s))
      << "ana does not see ben again; " << ana->logPath();
  // As documented: the old SFU peer's tracks end, the new one's are published.
  EXPECT_TRUE(sawAbout(*ben, "track_ended", ida)) << ben->logPath();
  EXPECT_FALSE(sawAbout(*ben, "participant_left", ida)) << ben->logPath();
  EXPECT_LE(countAbout(*ben, "participant_joined", ida), 1)
      << "ana joined once; " << ben->logPath();
  saveOutput(*ana, stack.dir() + "/ana.jsonl");
  saveOutput(*ben, stack.dir() + "/ben.jsonl");
  EXPECT_EQ(ana->stop(10s), 0) << ana->logPath();
  EXPECT_EQ(ben->stop(10s), 0) << ben->logPath();
}
