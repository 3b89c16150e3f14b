// SrtpCrypto: with OpenSSL behind libsrtp's AES-CM and HMAC-SHA1, SRTP and SRTCP packets must
// come out byte for byte as libsrtp's own backend made them before the swap (same keys, same
// packets), and what the old backend protected must still unprotect (peers keep theirs).
#include <gtest/gtest.h>
#include <srtp2/srtp.h>

#include <cstring>
#include <string>
#include <vector>

#include "SrtpCrypto.hpp"

using namespace carrel::sfu;

namespace {

using Bytes = std::vector<uint8_t>;

const uint8_t kMasterKey[30] = {0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0, 0xd6, 0x4f,
                                0xa3, 0x2c, 0x06, 0xde, 0x41, 0x39, 0x0e, 0xc6, 0x75, 0xad,
                                0x49, 0x8a, 0xfe, 0xeb, 0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6};
constexpr uint32_t kSsrc = 0xdecafbad;

srtp_t session(bool sending, void (*profile)(srtp_crypto_policy_t*)) {
  srtp_policy_t policy;
  std::memset(&policy, 0, sizeof policy);
  profile(&policy.rtp);
  profile(&policy.rtcp);
  policy.ssrc.type = sending ? ssrc_any_outbound : ssrc_any_inbound;
  policy.key = const_cast<uint8_t*>(kMasterKey);
  policy.window_size = 1024;
  srtp_t s = nullptr;
  EXPECT_EQ(srtp_create(&s, &policy), srtp_err_status_ok);
  return s;
}

void sha1_80(srtp_crypto_policy_t* p) {
  srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(p);
}
void sha1_32(srtp_crypto_policy_t* p) {
  srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(p);
}

// RTP packets of several sizes (a 1-byte payload up to a full video packet), seq 1..n.
std::vector<Bytes> rtpPackets() {
  std::vector<Bytes> out;
  for (int i = 0; i < 40; ++i) {
    size_t payload = 1 + static_cast<size_t>(i) * 31;
    Bytes p(12 + payload);
    p[0] = 0x80;
    p[1] = 96;
    p[2] = static_cast<uint8_t>((i + 1) >> 8);
    p[3] = static_cast<uint8_t>(i + 1);
    p[4] = 0x12;
    p[5] = 0x34;
    p[6] = 0x56;
    p[7] = static_cast<uint8_t>(i);
    p[8] = static_cast<uint8_t>(kSsrc >> 24);
    p[9] = static_cast<uint8_t>(kSsrc >> 16);
    p[10] = static_cast<uint8_t>(kSsrc >> 8);
    p[11] = static_cast<uint8_t>(kSsrc);
    for (size_t j = 12; j < p.size(); ++j) p[j] = static_cast<uint8_t>(j * 7 + i);
    out.push_back(std::move(p));
  }
  return out;
}

// A receiver report from kSsrc (no report blocks).
Bytes rtcpPacket() {
  return {0x80,
          201,
          0x00,
          0x01,
          static_cast<uint8_t>(kSsrc >> 24),
          static_cast<uint8_t>(kSsrc >> 16),
          static_cast<uint8_t>(kSsrc >> 8),
          static_cast<uint8_t>(kSsrc)};
}

struct Protected {
  std::vector<Bytes> rtp;
  std::vector<Bytes> rtcp;
};

Protected protectAll(void (*profile)(srtp_crypto_policy_t*)) {
  Protected out;
  srtp_t s = session(true, profile);
  for (Bytes p : rtpPackets()) {
    int len = static_cast<int>(p.size());
    p.resize(p.size() + SRTP_MAX_TRAILER_LEN);
    EXPECT_EQ(srtp_protect(s, p.data(), &len), srtp_err_status_ok);
    p.resize(static_cast<size_t>(len));
    out.rtp.push_back(std::move(p));
  }
  for (int i = 0; i < 3; ++i) {
    Bytes p = rtcpPacket();
    int len = static_cast<int>(p.size());
    p.resize(p.size() + SRTP_MAX_TRAILER_LEN);
    EXPECT_EQ(srtp_protect_rtcp(s, p.data(), &len), srtp_err_status_ok);
    p.resize(static_cast<size_t>(len));
    out.rtcp.push_back(std::move(p));
  }
  srtp_dealloc(s);
  return out;
}

}  // namespace

// One test: the crypto kernel is process-wide, so "before" must be taken in this process
// before the swap, and nothing else in this binary swaps it.
TEST(SfuSrtpCrypto, OpensslProtectsByteForByteAsLibsrtpsOwnBackend) {
  ASSERT_EQ(srtp_init(), srtp_err_status_ok);
  Protected before80 = protectAll(sha1_80);
  Protected before32 = protectAll(sha1_32);
  ASSERT_EQ(before80.rtp.size(), 40u);
  // The tag is there and the payload is not in clear.
  EXPECT_EQ(before80.rtp[5].size(), rtpPackets()[5].size() + 10);
  Bytes clear = rtpPackets()[5];
  EXPECT_NE(Bytes(before80.rtp[5].begin(), before80.rtp[5].begin() + clear.size()), clear);

  std::string error;
  ASSERT_TRUE(SrtpCrypto::useOpenSsl(&error)) << error;
  EXPECT_TRUE(SrtpCrypto::useOpenSsl(&error)) << "a second call is harmless";

  unsigned made = SrtpCrypto::contextsMade();
  Protected after80 = protectAll(sha1_80);
  // libsrtp allocates through the replacements (key derivation, RTP and RTCP per stream);
  // identical bytes alone would not show which implementation made them.
  EXPECT_GT(SrtpCrypto::contextsMade(), made);
  Protected after32 = protectAll(sha1_32);
  EXPECT_EQ(after80.rtp, before80.rtp);
  EXPECT_EQ(after80.rtcp, before80.rtcp);
  EXPECT_EQ(after32.rtp, before32.rtp);
  EXPECT_EQ(after32.rtcp, before32.rtcp);

  // What the old backend protected unprotects to the original; a flipped bit is refused.
  srtp_t rx = session(false, sha1_80);
  std::vector<Bytes> plain = rtpPackets();
  for (size_t i = 0; i < before80.rtp.size(); ++i) {
    Bytes p = before80.rtp[i];
    int len = static_cast<int>(p.size());
    ASSERT_EQ(srtp_unprotect(rx, p.data(), &len), srtp_err_status_ok) << i;
    p.resize(static_cast<size_t>(len));
    EXPECT_EQ(p, plain[i]) << i;
  }
  Bytes forged = before80.rtp[3];
  forged[20] ^= 0x01;
  // Another sequence number than any seen, so the replay check does not answer first.
  forged[3] = 0x77;
  int len = static_cast<int>(forged.size());
  EXPECT_EQ(srtp_unprotect(rx, forged.data(), &len), srtp_err_status_auth_fail);
  srtp_dealloc(rx);
}
