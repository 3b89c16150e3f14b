#include <gtest/gtest.h>

#include "GstPtr.hpp"
#include "WebRtcSetup.hpp"

using namespace carrel;
using namespace carrel::peer;

TEST(PeerWebRtcSetup, InactiveMids) {
  const char* text =
      "v=0\r\no=- 1 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE video0 audio1\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:video0\r\na=sendonly\r\n"
      // Bundled m-lines may carry port 0 and still be live.
      "m=audio 0 UDP/TLS/RTP/SAVPF 111\r\na=bundle-only\r\na=mid:audio1\r\na=sendonly\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:video2\r\na=inactive\r\n"
      "m=audio 0 UDP/TLS/RTP/SAVPF 111\r\na=mid:audio3\r\na=sendonly\r\n"
      "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=sendonly\r\n";
  GstSDPMessage* raw = nullptr;
  gst_sdp_message_new(&raw);
  GstSdpMessagePtr sdp(raw);
  ASSERT_EQ(
      gst_sdp_message_parse_buffer(reinterpret_cast<const guint8*>(text), strlen(text), sdp.get()),
      GST_SDP_OK);
  EXPECT_EQ(WebRtcSetup::inactiveMids(sdp.get()), (std::set<std::string>{"video2", "audio3"}));
}
