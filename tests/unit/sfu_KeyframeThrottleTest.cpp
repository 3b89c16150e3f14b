// Keyframe requests to a publisher: at most one per 500 ms, and a request inside the window
// leads to exactly one more at its end.
#include <gtest/gtest.h>

#include "KeyframeThrottle.hpp"

using carrel::sfu::KeyframeThrottle;
using D = KeyframeThrottle::Decision;

constexpr int64_t kMs = 1000;

TEST(SfuKeyframeThrottle, OnePerWindowAndOneDeferredAtItsEnd) {
  KeyframeThrottle t(500 * kMs);
  int64_t retry = -1;
  EXPECT_EQ(t.request(0, &retry), D::Send);
  EXPECT_EQ(t.request(100 * kMs, &retry), D::Defer);
  EXPECT_EQ(retry, 400 * kMs);
  EXPECT_EQ(t.request(200 * kMs, &retry), D::Drop);  // already scheduled
  EXPECT_EQ(t.request(499 * kMs, &retry), D::Drop);
  EXPECT_EQ(t.request(500 * kMs, &retry), D::Send);  // the scheduled one, at the window's end
  EXPECT_EQ(t.request(501 * kMs, &retry), D::Defer);
  EXPECT_EQ(retry, 499 * kMs);
  EXPECT_EQ(t.sent(), 2u);
}

TEST(SfuKeyframeThrottle, ABurstFromManySubscribersCostsOneKeyframePerWindow) {
  KeyframeThrottle t(500 * kMs);
  int sends = 0;
  int64_t lastSend = -1;
  // 25 subscribers asking every 10 ms for 3 s.
  for (int64_t now = 0; now <= 3000 * kMs; now += 10 * kMs) {
    for (int s = 0; s < 25; ++s) {
      int64_t retry = 0;
      if (t.request(now, &retry) == D::Send) {
        if (lastSend >= 0) {
          EXPECT_GE(now - lastSend, 500 * kMs);
        }
        lastSend = now;
        ++sends;
      }
    }
  }
  EXPECT_EQ(sends, 7);  // 0, 0.5, 1, 1.5, 2, 2.5, 3 s
}

TEST(SfuKeyframeThrottle, QuietPublisherAnswersAtOnce) {
  KeyframeThrottle t(500 * kMs);
  int64_t retry = 0;
  EXPECT_EQ(t.request(10 * 1000 * kMs, &retry), D::Send);
  EXPECT_EQ(t.request(20 * 1000 * kMs, &retry), D::Send);
}
