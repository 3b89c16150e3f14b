// The render's pure parts: where tracks go, when their packets play, how long is left.
#include <gtest/gtest.h>

#include "RenderLayout.hpp"
#include "RenderProgress.hpp"
#include "TrackSource.hpp"

using namespace carrel::recorder;

TEST(RenderLayout, ScreenLargeCamerasAsAStrip) {
  auto r = RenderLayout::compute(1280, 720, {"camera", "screen", "camera"});
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[1].x, 0);
  EXPECT_EQ(r[1].w, 960);
  EXPECT_EQ(r[1].h, 720);
  for (size_t i : {0u, 2u}) {
    EXPECT_EQ(r[i].x, 960);
    EXPECT_EQ(r[i].w, 320);
    EXPECT_EQ(r[i].h, 180);
  }
  EXPECT_EQ(r[2].y, r[0].y + 180);
}

TEST(RenderLayout, CamerasOnlyAsAGrid) {
  auto r = RenderLayout::compute(1280, 720, {"camera", "camera", "camera"});
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].w, 640);
  EXPECT_EQ(r[0].h, 360);
  EXPECT_EQ(r[1].x, 640);
  EXPECT_EQ(r[2].y, 360);
  auto one = RenderLayout::compute(640, 360, {"screen"});
  EXPECT_EQ(one[0].w, 640);
  EXPECT_TRUE(RenderLayout::compute(640, 360, {}).empty());
}

TEST(RenderLayout, ManyCamerasFitTheStrip) {
  std::vector<std::string> kinds(9, "camera");
  kinds[4] = "screen";
  auto r = RenderLayout::compute(1280, 720, kinds);
  for (const auto& rect : r) EXPECT_LE(rect.y + rect.h, 720);
}

TEST(RenderProgress, Eta) {
  EXPECT_LT(RenderProgress::eta(1.0, 0.0), 0);
  EXPECT_DOUBLE_EQ(RenderProgress::eta(10.0, 0.5), 10.0);
  EXPECT_DOUBLE_EQ(RenderProgress::eta(10.0, 1.0), 0.0);
}

TEST(TrackSource, PacketTimesFollowRtpTimestampsAnchoredToArrival) {
  TrackSource s;  // not opened: 90 kHz, session start 0 (times are the arrival clock)
  const int64_t start = 0;
  EXPECT_EQ(s.timeOf(1000, start + 2'000'000), 2'000'000);
  // 3000 ticks = 33.3 ms later, whatever the arrival jitter.
  EXPECT_EQ(s.timeOf(4000, start + 2'050'000), 2'033'333);
  // Wrap of the 32-bit timestamp.
  TrackSource w;
  EXPECT_EQ(w.timeOf(0xffffff00u, start), 0);
  EXPECT_EQ(w.timeOf(0x00000100u, start + 3000), 512 * 1000000 / 90000);
  // A pause (muted, reconnecting): far from the arrival, so re-anchored at the arrival.
  EXPECT_EQ(s.timeOf(7000, start + 9'000'000), 9'000'000);
  EXPECT_EQ(s.timeOf(10000, start + 9'040'000), 9'033'333);
}
