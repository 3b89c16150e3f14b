#include <gtest/gtest.h>

#include "CodecCaps.hpp"

using namespace carrel;
using namespace carrel::sfu;

namespace {

class SfuCodecCaps : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { gst_init(nullptr, nullptr); }
  static GstCapsPtr caps(const char* text) { return GstCapsPtr(gst_caps_from_string(text)); }
};

}  // namespace

TEST_F(SfuCodecCaps, KeepsSsrcAndCodecFieldsStripsExtmap) {
  auto in = caps(
      "application/x-rtp, media=(string)video, payload=(int)96, clock-rate=(int)90000, "
      "encoding-name=(string)VP8, ssrc=(uint)3054168120, rtcp-fb-transport-cc=(boolean)true, "
      "extmap-3=(string)urn:ietf:params:rtp-hdrext:sdes:mid, "
      "extmap-4=(string)http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time, "
      "a-framerate=(string)30");
  GstCapsPtr out = forwardCaps(in.get());
  ASSERT_TRUE(out);
  const GstStructure* s = gst_caps_get_structure(out.get(), 0);
  EXPECT_TRUE(gst_structure_has_name(s, "application/x-rtp"));
  EXPECT_STREQ(gst_structure_get_string(s, "media"), "video");
  EXPECT_STREQ(gst_structure_get_string(s, "encoding-name"), "VP8");
  gint v = 0;
  ASSERT_TRUE(gst_structure_get_int(s, "clock-rate", &v));
  EXPECT_EQ(v, 90000);
  ASSERT_TRUE(gst_structure_get_int(s, "payload", &v));
  EXPECT_EQ(v, 96);
  guint ssrc = 0;
  ASSERT_TRUE(gst_structure_get_uint(s, "ssrc", &ssrc));
  EXPECT_EQ(ssrc, 3054168120u);
  EXPECT_FALSE(gst_structure_has_field(s, "extmap-3"));
  EXPECT_FALSE(gst_structure_has_field(s, "extmap-4"));
  EXPECT_FALSE(gst_structure_has_field(s, "a-framerate"));
  gboolean b = FALSE;
  for (const char* fb :
       {"rtcp-fb-nack", "rtcp-fb-nack-pli", "rtcp-fb-ccm-fir", "rtcp-fb-transport-cc"}) {
    EXPECT_TRUE(gst_structure_get_boolean(s, fb, &b) && b) << fb;
  }
}

TEST_F(SfuCodecCaps, RewritesPayloadTypeToCanonical) {
  auto vp8 = caps(
      "application/x-rtp, media=(string)video, payload=(int)120, clock-rate=(int)90000, "
      "encoding-name=(string)vp8, ssrc=(uint)1");
  auto opus = caps(
      "application/x-rtp, media=(string)audio, payload=(int)109, clock-rate=(int)48000, "
      "encoding-name=(string)OPUS, encoding-params=(string)2, ssrc=(uint)2");
  gint pt = 0;
  GstCapsPtr v = forwardCaps(vp8.get());
  ASSERT_TRUE(v);
  gst_structure_get_int(gst_caps_get_structure(v.get(), 0), "payload", &pt);
  EXPECT_EQ(pt, kVp8Payload);
  GstCapsPtr a = forwardCaps(opus.get());
  ASSERT_TRUE(a);
  const GstStructure* s = gst_caps_get_structure(a.get(), 0);
  gst_structure_get_int(s, "payload", &pt);
  EXPECT_EQ(pt, kOpusPayload);
  EXPECT_STREQ(gst_structure_get_string(s, "encoding-params"), "2");
  // Audio gets no video feedback added.
  EXPECT_FALSE(gst_structure_has_field(s, "rtcp-fb-nack-pli"));
  EXPECT_EQ(mediaKind(a.get()), "audio");
  EXPECT_EQ(mediaKind(v.get()), "video");
}

TEST_F(SfuCodecCaps, UnknownCodecKeepsItsPayload) {
  auto h264 = caps(
      "application/x-rtp, media=(string)video, payload=(int)102, clock-rate=(int)90000, "
      "encoding-name=(string)H264");
  GstCapsPtr out = forwardCaps(h264.get());
  ASSERT_TRUE(out);
  gint pt = 0;
  gst_structure_get_int(gst_caps_get_structure(out.get(), 0), "payload", &pt);
  EXPECT_EQ(pt, 102);
  EXPECT_EQ(canonicalPayload("H264"), -1);
  EXPECT_EQ(canonicalPayload("opus"), kOpusPayload);
}

TEST_F(SfuCodecCaps, RefusesWhatIsNotForwardableRtp) {
  EXPECT_FALSE(forwardCaps(nullptr));
  auto raw = caps("video/x-raw, width=(int)320");
  EXPECT_FALSE(forwardCaps(raw.get()));
  auto noClock = caps("application/x-rtp, media=(string)video, encoding-name=(string)VP8");
  EXPECT_FALSE(forwardCaps(noClock.get()));
  auto noName = caps("application/x-rtp, media=(string)video, clock-rate=(int)90000");
  EXPECT_FALSE(forwardCaps(noName.get()));
  EXPECT_EQ(mediaKind(nullptr), "");
}
