// WebmCueIndex: a WebM as matroskamux writes it (video and audio) indexes only its video
// track; afterwards every CuePoint names every track, the Duration and media are unchanged,
// and GStreamer still decodes and seeks the file.
#include <gst/gst.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "GPtr.hpp"
#include "MediaProbe.hpp"
#include "TestEnv.hpp"
#include "WebmCueIndex.hpp"
#include "WebmLayout.hpp"

using namespace carrel;
using namespace carrel::test;

namespace {

// 10 s of VP8 (a keyframe every 2 s) and Opus in one WebM, the way carrel-render muxes.
bool writeWebm(const std::string& path) {
  if (!gst_is_initialized()) gst_init(nullptr, nullptr);
  std::string desc =
      "videotestsrc num-buffers=100 ! video/x-raw,width=160,height=96,framerate=10/1 ! "
      "vp8enc deadline=1 keyframe-max-dist=20 ! queue ! webmmux name=m ! filesink location=" +
      path + " audiotestsrc num-buffers=500 samplesperbuffer=960 ! opusenc ! queue ! m.";
  GError* raw = nullptr;
  GstElement* p = gst_parse_launch(desc.c_str(), &raw);
  GErrorPtr err(raw);
  if (!p) return false;
  gst_element_set_state(p, GST_STATE_PLAYING);
  GstBus* bus = gst_element_get_bus(p);
  GstMessage* m = gst_bus_timed_pop_filtered(
      bus, 60 * GST_SECOND, static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  bool ok = m && GST_MESSAGE_TYPE(m) == GST_MESSAGE_EOS;
  if (m) gst_message_unref(m);
  gst_object_unref(bus);
  gst_element_set_state(p, GST_STATE_NULL);
  gst_object_unref(p);
  return ok;
}

std::string bytesOf(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST(RecorderWebmCueIndex, EveryTrackIndexedDurationKeptAndTheFileSeeks) {
  std::string path =
      artifactDir(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "/av.webm";
  ASSERT_TRUE(writeWebm(path));
  WebmLayout before = WebmLayout::read(path);
  ASSERT_TRUE(before.ok) << before.error;
  ASSERT_EQ(before.trackTypes.size(), 2u);
  uint64_t video = 0, audio = 0;
  for (auto [n, type] : before.trackTypes) (type == 1 ? video : audio) = n;
  ASSERT_TRUE(video && audio);
  EXPECT_GT(before.cueEntries[video], 0);
  EXPECT_EQ(before.cueEntries[audio], 0) << "matroskamux indexes the video track only";
  std::string clusters = bytesOf(path);

  std::string why;
  ASSERT_TRUE(recorder::WebmCueIndex::indexEveryTrack(path, &why)) << why;
  WebmLayout after = WebmLayout::read(path);
  ASSERT_TRUE(after.ok) << after.error;
  EXPECT_NEAR(after.durationMs, 10000, 100);
  EXPECT_EQ(after.durationMs, before.durationMs);
  EXPECT_EQ(after.cuePoints, before.cuePoints);
  EXPECT_GE(after.cuePoints, 4) << "a keyframe every 2 s over 10 s";
  EXPECT_EQ(after.cueEntries[video], before.cueEntries[video]);
  EXPECT_EQ(after.cueEntries[audio], after.cuePoints);
  EXPECT_TRUE(after.cuesInSeekHead);
  // Before the Cues (header, tracks, clusters) only the Segment's size and the SeekHead's
  // positions past the Cues changed: a few bytes.
  std::string now = bytesOf(path);
  ASSERT_GT(now.size(), clusters.size());
  size_t changed = 0;
  for (size_t i = 0; i < clusters.size() * 9 / 10; ++i) changed += now[i] != clusters[i];
  EXPECT_LE(changed, 24u);

  auto probe = recorder::MediaProbe::decodeFile(path);
  ASSERT_TRUE(probe.ok) << probe.error;
  EXPECT_EQ(probe.videoFrames, 100u);
  std::string error;
  int64_t at = recorder::MediaProbe::frameAfterSeek(path, 6300, &error);
  EXPECT_NEAR(static_cast<double>(at), 6300, 100) << error;

  // Running it again changes nothing more.
  ASSERT_TRUE(recorder::WebmCueIndex::indexEveryTrack(path, &why)) << why;
  EXPECT_EQ(bytesOf(path), now);
}

TEST(RecorderWebmCueIndex, RefusesWhatIsNotASeekableWebm) {
  std::string dir = artifactDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::string why;
  EXPECT_FALSE(recorder::WebmCueIndex::indexEveryTrack(dir + "/missing.webm", &why));
  std::ofstream(dir + "/junk.webm") << "not a webm at all";
  EXPECT_FALSE(recorder::WebmCueIndex::indexEveryTrack(dir + "/junk.webm", &why));
  EXPECT_EQ(bytesOf(dir + "/junk.webm"), "not a webm at all");
  // Streamable (no Cues, unknown sizes): refused, left alone.
  if (!gst_is_initialized()) gst_init(nullptr, nullptr);
  std::string s = dir + "/streamable.webm";
  GError* raw = nullptr;
  GstElement* p = gst_parse_launch(("videotestsrc num-buffers=20 ! vp8enc deadline=1 ! "
                                    "webmmux streamable=true ! filesink location=" +
                                    s)
                                       .c_str(),
                                   &raw);
  GErrorPtr err(raw);
  ASSERT_TRUE(p);
  gst_element_set_state(p, GST_STATE_PLAYING);
  GstBus* bus = gst_element_get_bus(p);
  GstMessage* m = gst_bus_timed_pop_filtered(
      bus, 60 * GST_SECOND, static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  if (m) gst_message_unref(m);
  gst_object_unref(bus);
  gst_element_set_state(p, GST_STATE_NULL);
  gst_object_unref(p);
  std::string original = bytesOf(s);
  ASSERT_FALSE(original.empty());
  EXPECT_FALSE(recorder::WebmCueIndex::indexEveryTrack(s, &why));
  EXPECT_EQ(bytesOf(s), original);
}
