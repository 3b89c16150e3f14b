#include <gtest/gtest.h>

#include <string>

#include "GPtr.hpp"
#include "PublishSdpFilter.hpp"

using namespace carrel;
using namespace carrel::sfu;

namespace {

// Shaped like a browser's publish offer: several video codecs with RTX, Opus and others.
const char* kOffer =
    "v=0\r\n"
    "o=- 1 2 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=group:BUNDLE 0 1\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 100\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=mid:0\r\n"
    "a=sendonly\r\n"
    "a=rtpmap:96 VP8/90000\r\n"
    "a=rtcp-fb:96 nack\r\n"
    "a=rtcp-fb:96 nack pli\r\n"
    "a=rtpmap:97 rtx/90000\r\n"
    "a=fmtp:97 apt=96\r\n"
    "a=rtpmap:98 VP9/90000\r\n"
    "a=rtcp-fb:98 nack\r\n"
    "a=fmtp:98 profile-id=0\r\n"
    "a=rtpmap:99 rtx/90000\r\n"
    "a=fmtp:99 apt=98\r\n"
    "a=rtpmap:100 H264/90000\r\n"
    "a=rtcp-fb:* ccm fir\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=mid:1\r\n"
    "a=sendonly\r\n"
    "a=rtpmap:111 opus/48000/2\r\n"
    "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
    "a=rtpmap:63 red/48000/2\r\n"
    "a=fmtp:63 111/111\r\n"
    "a=rtpmap:9 G722/8000\r\n"
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=mid:2\r\n";

std::string text(GstSDPMessage* m) {
  GCharPtr t(gst_sdp_message_as_text(m));
  return t.get();
}

}  // namespace

TEST(SfuPublishSdpFilter, KeepsOnlyVp8AndOpusAndVp8sRetransmissions) {
  GstSdpMessagePtr sdp = parseSdp(kOffer);
  ASSERT_TRUE(sdp);
  EXPECT_EQ(keepForwardableCodecs(sdp.get()), 5);
  const GstSDPMedia* video = gst_sdp_message_get_media(sdp.get(), 0);
  ASSERT_EQ(gst_sdp_media_formats_len(video), 2u);
  EXPECT_STREQ(gst_sdp_media_get_format(video, 0), "96");
  // VP8's RTX stays: the SFU asks the publisher to resend what its uplink lost.
  EXPECT_STREQ(gst_sdp_media_get_format(video, 1), "97");
  const GstSDPMedia* audio = gst_sdp_message_get_media(sdp.get(), 1);
  ASSERT_EQ(gst_sdp_media_formats_len(audio), 1u);
  EXPECT_STREQ(gst_sdp_media_get_format(audio, 0), "111");
  std::string out = text(sdp.get());
  EXPECT_NE(out.find("a=rtpmap:96 VP8/90000"), std::string::npos);
  EXPECT_NE(out.find("a=rtcp-fb:96 nack pli"), std::string::npos);
  EXPECT_NE(out.find("a=rtcp-fb:* ccm fir"), std::string::npos);
  EXPECT_NE(out.find("a=fmtp:111 minptime=10;useinbandfec=1"), std::string::npos);
  EXPECT_NE(out.find("a=rtpmap:97 rtx/90000"), std::string::npos);
  EXPECT_NE(out.find("a=fmtp:97 apt=96"), std::string::npos);
  for (const char* gone :
       {"VP9", "H264", "profile-id", "apt=98", "red/", "G722", ":63 ", ":98 ", ":99 ", ":100 "}) {
    EXPECT_EQ(out.find(gone), std::string::npos) << gone << " is still in\n" << out;
  }
  // Other lines and the data channel m-line stay as they were.
  EXPECT_NE(out.find("a=mid:0"), std::string::npos);
  EXPECT_NE(out.find("m=application 9 UDP/DTLS/SCTP webrtc-datachannel"), std::string::npos);
}

TEST(SfuPublishSdpFilter, LeavesMediaWithoutForwardableCodecAlone) {
  std::string offer =
      "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 100\r\na=mid:0\r\na=rtpmap:100 H264/90000\r\n";
  GstSdpMessagePtr sdp = parseSdp(offer);
  ASSERT_TRUE(sdp);
  EXPECT_EQ(keepForwardableCodecs(sdp.get()), 0);
  EXPECT_EQ(gst_sdp_media_formats_len(gst_sdp_message_get_media(sdp.get(), 0)), 1u);
}

TEST(SfuPublishSdpFilter, ParseRefusesGarbage) {
  EXPECT_FALSE(parseSdp(""));
  EXPECT_FALSE(parseSdp("hello world"));
  EXPECT_FALSE(parseSdp("v=0\r\ns=-\r\n"));  // no media
  EXPECT_TRUE(parseSdp(kOffer));
}
