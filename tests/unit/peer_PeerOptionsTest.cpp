#include <gtest/gtest.h>

#include "DtlsBlocker.hpp"
#include "PeerOptions.hpp"

using namespace carrel::peer;

namespace {
std::optional<PeerOptions> parse(std::vector<std::string> args, std::string* err) {
  args.insert(args.begin(), "carrel-peer");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return PeerOptions::parse(static_cast<int>(args.size()), argv.data(), err);
}
}  // namespace

TEST(PeerOptions, DefaultsAndRepeatables) {
  std::string err;
  auto o = parse({"--url", "ws://127.0.0.1:1/ws"}, &err);
  ASSERT_TRUE(o) << err;
  EXPECT_EQ(o->iceAddresses, std::vector<std::string>{"127.0.0.1"});
  EXPECT_EQ(o->allowNetworks, std::vector<std::string>{"127.0.0.0/8"});
  EXPECT_TRUE(o->decode && o->publish && o->audio && o->video);
  EXPECT_EQ(o->width, 320);
  EXPECT_EQ(o->statsIntervalMs, 1000);

  o = parse({"--url", "ws://h/ws", "--room", "r", "--no-decode", "--no-audio", "--json",
             "--ice-address", "127.0.0.2", "--ice-address", "127.0.0.3", "--allow-network",
             "127.0.0.0/16", "--duration", "7", "--chat", "hello"},
            &err);
  ASSERT_TRUE(o) << err;
  EXPECT_EQ(o->room, "r");
  EXPECT_FALSE(o->decode);
  EXPECT_FALSE(o->audio);
  EXPECT_TRUE(o->video);
  EXPECT_TRUE(o->json);
  EXPECT_EQ(o->durationSec, 7);
  EXPECT_EQ(o->chat, "hello");
  EXPECT_EQ(o->iceAddresses, (std::vector<std::string>{"127.0.0.2", "127.0.0.3"}));
  EXPECT_EQ(o->allowNetworks, std::vector<std::string>{"127.0.0.0/16"});
}

TEST(PeerOptions, RejectsBadInput) {
  std::string err;
  EXPECT_FALSE(parse({}, &err));
  EXPECT_NE(err.find("--url"), std::string::npos);
  EXPECT_FALSE(parse({"--url", "http://x/"}, &err));
  EXPECT_FALSE(parse({"--url", "ws://x/", "--fps", "0"}, &err));
  EXPECT_FALSE(parse({"--url", "ws://x/", "--duration", "-1"}, &err));
  EXPECT_FALSE(parse({"--url", "ws://x/", "--room", std::string(65, 'r')}, &err));
  EXPECT_FALSE(parse({"--url", "ws://x/", "--bogus"}, &err));
  EXPECT_FALSE(parse({"--url", "ws://x/", "stray"}, &err));
  EXPECT_FALSE(parse({"--url", "ws://x/", "--break", "srtp"}, &err));
  EXPECT_NE(err.find("--break"), std::string::npos);
  EXPECT_FALSE(parse({"--url", "ws://x/", "--drop-percent", "51"}, &err));
  EXPECT_FALSE(parse({"--url", "ws://x/", "--send-drop-percent", "-1"}, &err));
  EXPECT_NE(err.find("--send-drop-percent"), std::string::npos);
}

TEST(PeerOptions, BrokenTransportAndInducedLoss) {
  std::string err;
  auto o = parse({"--url", "ws://x/", "--break", "dtls", "--drop-percent", "10"}, &err);
  ASSERT_TRUE(o) << err;
  EXPECT_EQ(o->breakTransport, "dtls");
  EXPECT_EQ(o->dropPercent, 10);
  EXPECT_EQ(o->sendDropPercent, 0);
  auto up = parse({"--url", "ws://x/", "--send-drop-percent", "5"}, &err);
  ASSERT_TRUE(up) << err;
  EXPECT_EQ(up->sendDropPercent, 5);
}

TEST(DtlsBlocker, RecognisesDtlsByItsFirstByte) {
  const guint8 handshake[] = {22, 0xfe, 0xfd};
  const guint8 rtp[] = {0x80, 96};
  const guint8 stun[] = {0, 1};
  EXPECT_TRUE(DtlsBlocker::isDtls(handshake, sizeof handshake));
  EXPECT_FALSE(DtlsBlocker::isDtls(rtp, sizeof rtp));
  EXPECT_FALSE(DtlsBlocker::isDtls(stun, sizeof stun));
  EXPECT_FALSE(DtlsBlocker::isDtls(nullptr, 0));
}

TEST(PeerOptions, TokenGoesInTheQuery) {
  std::string err;
  auto o = parse({"--url", "ws://127.0.0.1:1/ws"}, &err);
  ASSERT_TRUE(o) << err;
  EXPECT_EQ(o->connectUrl(), "ws://127.0.0.1:1/ws");
  o = parse({"--url", "ws://127.0.0.1:1/ws", "--token", "v1.7.ab+c/=&x"}, &err);
  ASSERT_TRUE(o) << err;
  EXPECT_EQ(o->connectUrl(), "ws://127.0.0.1:1/ws?token=v1.7.ab%2Bc%2F%3D%26x");
  o = parse({"--url", "ws://h/ws?x=1", "--token", "t"}, &err);
  ASSERT_TRUE(o) << err;
  EXPECT_EQ(o->connectUrl(), "ws://h/ws?x=1&token=t");
  EXPECT_FALSE(parse({"--url", "ws://h/ws", "--token", std::string(513, 't')}, &err));
}
