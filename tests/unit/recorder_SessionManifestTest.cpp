// The session manifest read back: a crash's partial last line is skipped, a track path that
// would leave the session folder is refused, and events keep their times.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "Json.hpp"
#include "ManifestWriter.hpp"
#include "SessionManifest.hpp"

using namespace carrel;
using namespace carrel::recorder;

namespace {
std::string tempFolder(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("carrel-manifest-" + std::to_string(getpid())) / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}
}  // namespace

TEST(SessionManifest, WrittenLinesReadBackAndAPartialLastLineIsSkipped) {
  std::string folder = tempFolder("partial");
  {
    ManifestWriter w;
    std::string error;
    ASSERT_TRUE(w.open(folder + "/manifest.jsonl", &error)) << error;
    json::Object s;
    s.set("recording", "r1").set("room", "algebra");
    w.append("session_start", 1000000, s.get());
    json::Object t;
    t.set("file", "tracks/p1-video0.rtp")
        .set("participant", "p1")
        .set("name", "Ana")
        .set("track", "video0")
        .set("media", "video")
        .set("kind", "screen");
    w.append("track_start", 1500000, t.get());
    json::Object e;
    e.set("event", "chat");
    w.append("event", 2000000, e.get());
    json::Object bad;
    bad.set("file", "tracks/../../etc/passwd").set("media", "video");
    w.append("track_start", 2100000, bad.get());
    json::Object stop;
    stop.set("file", "tracks/p1-video0.rtp");
    w.append("track_stop", 3000000, stop.get());
  }
  std::ofstream(folder + "/manifest.jsonl", std::ios::app) << "{\"type\":\"event\",\"t_u";
  SessionManifest m;
  std::string error;
  ASSERT_TRUE(m.load(folder, &error)) << error;
  EXPECT_EQ(m.recording(), "r1");
  EXPECT_EQ(m.room(), "algebra");
  EXPECT_EQ(m.startUs(), 1000000);
  EXPECT_EQ(m.stopUs(), 0);
  ASSERT_EQ(m.tracks().size(), 1u);
  EXPECT_EQ(m.tracks()[0].kind, "screen");
  EXPECT_EQ(m.tracks()[0].name, "Ana");
  EXPECT_EQ(m.tracks()[0].startUs, 1500000);
  EXPECT_EQ(m.tracks()[0].stopUs, 3000000);
  ASSERT_EQ(m.events().size(), 1u);
  EXPECT_EQ(m.events()[0].tUs, 2000000);
  EXPECT_EQ(m.skippedLines(), 2u);
}

TEST(SessionManifest, NoSessionStartIsAnError) {
  std::string folder = tempFolder("empty");
  std::ofstream(folder + "/manifest.jsonl") << "{\"type\":\"event\",\"t_us\":5,\"event\":\"x\"}\n";
  SessionManifest m;
  std::string error;
  EXPECT_FALSE(m.load(folder, &error));
  EXPECT_FALSE(m.load(folder + "/nowhere", &error));
}

TEST(SessionManifest, SafeTrackPaths) {
  EXPECT_TRUE(SessionManifest::isSafeTrackPath("tracks/p1-video0.rtp"));
  EXPECT_TRUE(SessionManifest::isSafeTrackPath("tracks/p1-video0.1.rtp"));
  EXPECT_FALSE(SessionManifest::isSafeTrackPath("tracks/../x.rtp"));
  EXPECT_FALSE(SessionManifest::isSafeTrackPath("tracks/.."));
  EXPECT_FALSE(SessionManifest::isSafeTrackPath("/etc/passwd"));
  EXPECT_FALSE(SessionManifest::isSafeTrackPath("tracks/"));
  EXPECT_FALSE(SessionManifest::isSafeTrackPath("tracks/a b"));
}
