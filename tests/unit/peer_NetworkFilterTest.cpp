#include <gtest/gtest.h>

#include "GstPtr.hpp"
#include "NetworkFilter.hpp"

using namespace carrel;
using namespace carrel::peer;

namespace {
NetworkFilter loopbackOnly() {
  std::string err;
  auto f = NetworkFilter::parse({"127.0.0.0/8"}, &err);
  EXPECT_TRUE(f) << err;
  return std::move(*f);
}
}  // namespace

TEST(PeerNetworkFilter, ParsesCidrsAndRejectsGarbage) {
  std::string err;
  EXPECT_TRUE(NetworkFilter::parse({"127.0.0.0/8", "::1/128", "10.0.0.0/8"}, &err)) << err;
  EXPECT_FALSE(NetworkFilter::parse({"127.0.0.0/33"}, &err));
  EXPECT_NE(err.find("127.0.0.0/33"), std::string::npos);
  EXPECT_FALSE(NetworkFilter::parse({"localhost"}, &err));
}

TEST(PeerNetworkFilter, CandidateAddress) {
  EXPECT_EQ(
      NetworkFilter::candidateAddress("candidate:1 1 UDP 2015363327 127.0.0.1 46783 typ host"),
      "127.0.0.1");
  EXPECT_EQ(NetworkFilter::candidateAddress(
                "a=candidate:2 1 udp 1 10.1.2.3 9 typ srflx raddr 0.0.0.0 rport 0"),
            "10.1.2.3");
  EXPECT_FALSE(NetworkFilter::candidateAddress(""));
  EXPECT_FALSE(NetworkFilter::candidateAddress("candidate:1 1 UDP 2015363327 127.0.0.1"));
  EXPECT_FALSE(NetworkFilter::candidateAddress("candidate:1 1 UDP 1 127.0.0.1 5 host x"));
  EXPECT_FALSE(NetworkFilter::candidateAddress("something 1 UDP 1 127.0.0.1 5 typ host"));
}

TEST(PeerNetworkFilter, AllowsOnlyListedNetworks) {
  NetworkFilter f = loopbackOnly();
  EXPECT_TRUE(f.allowsCandidate("candidate:1 1 UDP 2015363327 127.0.0.1 46783 typ host"));
  EXPECT_TRUE(f.allowsCandidate("candidate:1 1 UDP 2015363327 127.45.0.9 46783 typ host"));
  EXPECT_FALSE(f.allowsCandidate("candidate:1 1 UDP 2015363327 192.168.1.20 46783 typ host"));
  EXPECT_FALSE(f.allowsCandidate("candidate:1 1 UDP 2015363327 ::1 46783 typ host"));
  // Chromium hides host addresses behind mDNS names: never resolvable here, so refused.
  EXPECT_FALSE(f.allowsCandidate(
      "candidate:1 1 udp 2122260223 4d6c0c4e-7d0c-4e0e-9a3c-3f7b8b0c2a11.local 54321 typ host"));
  EXPECT_FALSE(f.allowsCandidate("garbage"));
  EXPECT_TRUE(f.allowsAddress("127.0.0.1"));
  EXPECT_FALSE(f.allowsAddress("8.8.8.8"));
  EXPECT_FALSE(f.allowsAddress("not-an-ip"));
}

TEST(PeerNetworkFilter, StripsForeignCandidatesFromSdp) {
  const char* text =
      "v=0\r\no=- 1 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:video0\r\n"
      "a=candidate:1 1 UDP 2015363327 127.0.0.1 46783 typ host\r\n"
      "a=candidate:2 1 UDP 2015363327 172.17.0.2 46784 typ host\r\n"
      "a=candidate:3 1 UDP 2015363327 x.local 46785 typ host\r\n"
      "a=rtpmap:96 VP8/90000\r\n";
  GstSDPMessage* raw = nullptr;
  gst_sdp_message_new(&raw);
  GstSdpMessagePtr sdp(raw);
  ASSERT_EQ(
      gst_sdp_message_parse_buffer(reinterpret_cast<const guint8*>(text), strlen(text), sdp.get()),
      GST_SDP_OK);
  EXPECT_EQ(loopbackOnly().stripCandidates(sdp.get()), 2);
  const GstSDPMedia* m = gst_sdp_message_get_media(sdp.get(), 0);
  int candidates = 0;
  for (guint i = 0; i < gst_sdp_media_attributes_len(m); ++i) {
    const GstSDPAttribute* a = gst_sdp_media_get_attribute(m, i);
    if (std::string(a->key) == "candidate") {
      ++candidates;
      EXPECT_NE(std::string(a->value).find("127.0.0.1"), std::string::npos);
    }
  }
  EXPECT_EQ(candidates, 1);
  EXPECT_STREQ(gst_sdp_media_get_attribute_val(m, "rtpmap"), "96 VP8/90000");
}
