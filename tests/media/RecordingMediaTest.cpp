// Recording (issue 8) end to end with real peers: the SFU captures every published track of
// a room to disk without transcoding while the room goes on, carrel-render composes them into
// one WebM, and GStreamer itself decodes both. Recorded 10 s (the issue says 20 s; halved to
// keep the suite's time, nothing in the checks depends on the length).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "BusProtocol.hpp"
#include "CarrelStack.hpp"
#include "Json.hpp"
#include "MediaProbe.hpp"
#include "MediaTestUtil.hpp"
#include "PeerOutput.hpp"
#include "SessionManifest.hpp"
#include "TestBusClient.hpp"
#include "TestEnv.hpp"
#include "TrackProbe.hpp"
#include "WebmLayout.hpp"

using namespace carrel;
using namespace carrel::test;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> peerArgs(std::vector<std::string> extra = {}) {
  std::vector<std::string> a{"--room", "review", "--json", "--stats-interval-ms", "250"};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

JsonObjectPtr roomData(const char* recording = nullptr) {
  json::Object d;
  d.set("room", "review");
  if (recording) d.set("recording", recording);
  return d.take();
}

int64_t publishedVideoFrames(Process& p) {
  auto stats = peerEvents(p, "stats");
  if (stats.empty()) return -1;
  JsonObject* pub = json::getObject(stats.back().get(), "published");
  return pub ? json::getInt(pub, "video_frames").value_or(-1) : -1;
}

bool seesVideoOf(Process& viewer, const std::string& who) {
  const RemoteTrack* t = readPeer(viewer).find(who, "video");
  return t && t->frames > 10;
}

std::string fileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string renderBinary() {
  return std::string(CARREL_BUILD_DIR) + "/recorder/carrel-render";
}

const recorder::ManifestTrack* trackOf(const recorder::SessionManifest& m, const std::string& who,
                                       const std::string& media) {
  for (const auto& t : m.tracks()) {
    if (t.participant == who && t.media == media) return &t;
  }
  return nullptr;
}

}  // namespace

TEST(RecordingMedia, ThreePeersCapturedDecodedAndRenderedToOneVideo) {
  std::string dir = artifactDir(currentTestName());
  std::string recordings = dir + "/recordings";
  CarrelStack stack(dir, StackOptions{.sfuArgs = {"--recordings-dir", recordings}});
  auto ana = stack.startPeer("ana", peerArgs());
  auto ben = stack.startPeer("ben", peerArgs());
  // The "large" participant: a bigger picture, as a screen share would be.
  auto cy = stack.startPeer("cy", peerArgs({"--width", "640", "--height", "480", "--fps", "15"}));
  std::string ida = waitForWelcome(*ana, 20s), idb = waitForWelcome(*ben, 20s),
              idc = waitForWelcome(*cy, 20s);
  ASSERT_FALSE(ida.empty() || idb.empty() || idc.empty());
  ASSERT_TRUE(eventually(
      [&] { return seesVideoOf(*ana, idb) && seesVideoOf(*ana, idc) && seesVideoOf(*ben, ida); },
      20s))
      << ana->logPath();

  TestBusClient bus(stack.redisPort(), "test-rec");
  ASSERT_TRUE(bus.ready());
  JsonObjectPtr early = roomData();
  json_object_set_string_member(early.get(), "event", "chat");
  EXPECT_EQ(bus.request(stack.sfuNodeId(), bus::method::RecordEvent, std::move(early))
                .rfind(bus::error::WrongState, 0),
            0u)
      << "an event for a room that is not recording";
  EXPECT_EQ(bus.request(stack.sfuNodeId(), bus::method::RecordStart, roomData("../x"))
                .rfind(bus::error::WrongState, 0),
            0u)
      << "a recording id that is not a plain name";
  std::map<std::string, int64_t> sentAtStart{{ida, publishedVideoFrames(*ana)},
                                             {idb, publishedVideoFrames(*ben)},
                                             {idc, publishedVideoFrames(*cy)}};
  auto started = bus.call(stack.sfuNodeId(), bus::method::RecordStart, roomData("rec-1"));
  ASSERT_EQ(started.result, "ok");
  std::string folder = json::getString(started.data.get(), "folder").value_or("");
  EXPECT_EQ(folder, recordings + "/rec-1");
  EXPECT_EQ(bus.request(stack.sfuNodeId(), bus::method::RecordStart, roomData("rec-2"))
                .rfind(bus::error::WrongState, 0),
            0u)
      << "a second recording of the same room";

  std::this_thread::sleep_for(5s);
  json::Object chatData;
  chatData.set("participant", ida).set("name", "ana").set("text", "look at slide 3");
  JsonObjectPtr ev = roomData();
  json_object_set_string_member(ev.get(), "event", "chat");
  json_object_set_object_member(ev.get(), "data", chatData.take().release());
  EXPECT_EQ(bus.request(stack.sfuNodeId(), bus::method::RecordEvent, std::move(ev)), "ok");
  std::this_thread::sleep_for(5s);
  // Forwarding went on while recording: everyone still receives everyone.
  int64_t before = readPeer(*ben).find(idc, "video")->frames;
  auto stopped = bus.call(stack.sfuNodeId(), bus::method::RecordStop, roomData());
  ASSERT_EQ(stopped.result, "ok");
  std::map<std::string, int64_t> sent{{ida, publishedVideoFrames(*ana) - sentAtStart[ida]},
                                      {idb, publishedVideoFrames(*ben) - sentAtStart[idb]},
                                      {idc, publishedVideoFrames(*cy) - sentAtStart[idc]}};
  EXPECT_EQ(json::getInt(stopped.data.get(), "tracks").value_or(0), 6);
  int64_t durationMs = json::getInt(stopped.data.get(), "duration_ms").value_or(0);
  EXPECT_NEAR(durationMs, 10000, 1500);
  EXPECT_TRUE(eventually([&] { return readPeer(*ben).find(idc, "video")->frames > before; }, 5s));

  recorder::SessionManifest m;
  std::string why;
  ASSERT_TRUE(m.load(folder, &why)) << why;
  EXPECT_EQ(m.recording(), "rec-1");
  EXPECT_EQ(m.room(), "review");
  EXPECT_GT(m.stopUs(), m.startUs());
  ASSERT_EQ(m.tracks().size(), 6u);
  int joins = 0, chats = 0;
  for (const auto& e : m.events()) {
    joins += e.event == "join";
    if (e.event == "chat") {
      ++chats;
      EXPECT_EQ(json::getString(e.data.get(), "text").value_or(""), "look at slide 3");
      EXPECT_NEAR(static_cast<double>(e.tUs - m.startUs()) / 1e6, 5.0, 1.5);
    }
  }
  EXPECT_EQ(joins, 3);
  EXPECT_EQ(chats, 1);

  // Every captured track decodes, with about as many frames as its publisher sent meanwhile.
  for (const auto& who : {ida, idb, idc}) {
    const auto* video = trackOf(m, who, "video");
    const auto* audio = trackOf(m, who, "audio");
    ASSERT_TRUE(video && audio) << who;
    EXPECT_EQ(video->kind, "camera");
    EXPECT_EQ(audio->kind, "mic");
    auto v = recorder::TrackProbe::decode(folder + "/" + video->file);
    ASSERT_TRUE(v.ok) << v.error;
    EXPECT_EQ(v.encoding, "VP8");
    EXPECT_FALSE(v.truncated);
    EXPECT_GE(static_cast<double>(v.frames), 0.85 * static_cast<double>(sent[who]))
        << who << " sent " << sent[who];
    EXPECT_LE(static_cast<double>(v.frames), 1.05 * static_cast<double>(sent[who]) + 10)
        << who << " sent " << sent[who];
    auto a = recorder::TrackProbe::decode(folder + "/" + audio->file);
    ASSERT_TRUE(a.ok) << a.error;
    EXPECT_EQ(a.encoding, "OPUS");
    // 20 ms Opus frames: ~50 a second for ~10 s.
    EXPECT_NEAR(static_cast<double>(a.frames), durationMs / 20.0, durationMs / 20.0 * 0.15);
  }

  // A render that fails (its output cannot be written) leaves the captured tracks as they
  // were and no partial file; the retry succeeds.
  std::string trackBefore = fileText(folder + "/" + trackOf(m, ida, "video")->file);
  {
    Process bad({renderBinary(), "--json", "--size", "320x180", "--fps", "10", "-o",
                 dir + "/no-such-dir/out.webm", folder},
                dir + "/render-bad.log");
    int status = 0;
    ASSERT_TRUE(bad.waitExit(120s, &status));
    EXPECT_NE(status, 0);
    EXPECT_NE(
        bad.waitForLine([](const std::string& l) { return l.find("\"error\"") != l.npos; }, 1s),
        "");
  }
  EXPECT_EQ(fileText(folder + "/" + trackOf(m, ida, "video")->file), trackBefore);

  Process render({renderBinary(), "--json", "--size", "640x360", "--fps", "15", folder},
                 dir + "/render.log");
  int status = -1;
  ASSERT_TRUE(render.waitExit(180s, &status)) << render.logPath();
  ASSERT_EQ(status, 0) << render.logPath();
  int progressLines = 0;
  bool done = false;
  for (const auto& line : render.lines()) {
    JsonObjectPtr o = json::parseObject(line, &why);
    ASSERT_TRUE(o) << line;
    std::string event = json::getString(o.get(), "event").value_or("");
    if (event == "progress") {
      ++progressLines;
      EXPECT_GE(json::getInt(o.get(), "duration_ms").value_or(-1), 0);
    }
    if (event == "done") done = true;
  }
  EXPECT_GT(progressLines, 1);
  EXPECT_TRUE(done);
  struct stat st {};
  EXPECT_NE(stat((folder + "/render.webm.part").c_str(), &st), 0);

  auto probe = recorder::MediaProbe::decodeFile(folder + "/render.webm");
  ASSERT_TRUE(probe.ok) << probe.error;
  int64_t sessionMs = (m.stopUs() - m.startUs()) / 1000;
  EXPECT_NEAR(probe.videoEndMs, sessionMs, 1000);
  EXPECT_NEAR(probe.audioEndMs, sessionMs, 1000);
  EXPECT_NEAR(static_cast<double>(probe.videoFrames), sessionMs * 15 / 1000.0, 15);
  EXPECT_EQ(probe.width, 640);
  EXPECT_EQ(probe.height, 360);

  // Seekable with only its metadata loaded (what the review page's browser needs): the
  // Duration in its Info, and Cues that index every track, the audio too.
  WebmLayout layout = WebmLayout::read(folder + "/render.webm");
  ASSERT_TRUE(layout.ok) << layout.error;
  EXPECT_NEAR(layout.durationMs, static_cast<double>(sessionMs), 1000);
  EXPECT_GE(layout.cuePoints, 3) << "a keyframe every 2 s";
  EXPECT_TRUE(layout.cuesInSeekHead);
  ASSERT_EQ(layout.trackTypes.size(), 2u);
  for (auto [track, type] : layout.trackTypes)
    EXPECT_EQ(layout.cueEntries[track], layout.cuePoints) << "track " << track << " type " << type;
  // Offline on a terminal (here a pseudo-terminal made by script(1)): a bar redrawn in place
  // up to 100 %, then a summary, and no JSON lines.
  {
    std::string cmd = renderBinary() + " --size 160x96 --fps 5 -o " + dir + "/tty.webm " + folder;
    Process tty({"/usr/bin/script", "-qefc", cmd, "/dev/null"}, dir + "/render-tty.log");
    int ttyStatus = -1;
    ASSERT_TRUE(tty.waitExit(120s, &ttyStatus));
    EXPECT_EQ(ttyStatus, 0);
    std::string out;
    for (const auto& l : tty.lines()) out += l + "\n";
    EXPECT_NE(out.find("\r[#"), std::string::npos) << out;
    EXPECT_NE(out.find("100.0%"), std::string::npos) << out;
    EXPECT_NE(out.find("done: " + dir + "/tty.webm"), std::string::npos) << out;
    EXPECT_EQ(out.find("\"event\""), std::string::npos) << out;
    EXPECT_TRUE(recorder::MediaProbe::decodeFile(dir + "/tty.webm").ok);
  }
  // A seek to the middle decodes the frame there.
  std::string seekError;
  int64_t middle = sessionMs / 2;
  int64_t at = recorder::MediaProbe::frameAfterSeek(folder + "/render.webm", middle, &seekError);
  EXPECT_NEAR(static_cast<double>(at), static_cast<double>(middle), 100) << seekError;

  for (auto* p : {&ana, &ben, &cy}) EXPECT_EQ((*p)->stop(10s), 0) << (*p)->logPath();
}

TEST(RecordingMedia, KilledSfuLeavesTracksThatDecodeToWithinTwoSeconds) {
  std::string dir = artifactDir(currentTestName());
  std::string recordings = dir + "/recordings";
  CarrelStack stack(dir, StackOptions{.sfuArgs = {"--recordings-dir", recordings}});
  auto ana = stack.startPeer("ana", peerArgs());
  auto ben = stack.startPeer("ben", peerArgs({"--no-video"}));
  std::string ida = waitForWelcome(*ana, 20s), idb = waitForWelcome(*ben, 20s);
  ASSERT_FALSE(ida.empty() || idb.empty());
  ASSERT_TRUE(eventually([&] { return seesVideoOf(*ben, ida); }, 20s)) << ben->logPath();

  TestBusClient bus(stack.redisPort(), "test-rec-kill");
  ASSERT_TRUE(bus.ready());
  auto started = bus.call(stack.sfuNodeId(), bus::method::RecordStart, roomData("crash-1"));
  ASSERT_EQ(started.result, "ok");
  std::string folder = json::getString(started.data.get(), "folder").value_or("");
  std::this_thread::sleep_for(6s);
  int64_t killUs = g_get_real_time();
  stack.sfu().kill9();

  recorder::SessionManifest m;
  std::string why;
  ASSERT_TRUE(m.load(folder, &why)) << why;
  EXPECT_EQ(m.stopUs(), 0) << "a killed SFU wrote no session_stop";
  ASSERT_EQ(m.tracks().size(), 3u);
  for (const auto& t : m.tracks()) {
    auto r = recorder::TrackProbe::decode(folder + "/" + t.file);
    ASSERT_TRUE(r.ok) << t.file << ": " << r.error;
    EXPECT_GT(r.frames, 0u) << t.file;
    EXPECT_GE(r.lastFrameUs, killUs - 2000000)
        << t.file << ": decodes only to " << (killUs - r.lastFrameUs) / 1000
        << " ms before the kill";
    EXPECT_LE(r.lastFrameUs, killUs + 100000) << t.file;
  }

  // The session renders all the same, its end taken from the last captured packet.
  Process render({renderBinary(), "--json", "--size", "320x180", "--fps", "10", folder},
                 dir + "/render.log");
  int status = -1;
  ASSERT_TRUE(render.waitExit(120s, &status)) << render.logPath();
  ASSERT_EQ(status, 0) << render.logPath();
  auto probe = recorder::MediaProbe::decodeFile(folder + "/render.webm");
  ASSERT_TRUE(probe.ok) << probe.error;
  EXPECT_NEAR(probe.videoEndMs, (killUs - m.startUs()) / 1000, 2000);

  ana->stop(10s);
  ben->stop(10s);
}
