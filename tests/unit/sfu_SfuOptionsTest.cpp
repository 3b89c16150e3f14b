#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "SfuOptions.hpp"

using carrel::sfu::SfuOptions;

namespace {

bool parse(std::vector<std::string> args, SfuOptions* o, std::string* err) {
  args.insert(args.begin(), "carrel-sfu");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int argc = static_cast<int>(args.size());
  char** p = argv.data();
  return carrel::sfu::parseOptions(&argc, &p, o, err);
}

}  // namespace

TEST(SfuOptions, Defaults) {
  SfuOptions o;
  std::string err;
  ASSERT_TRUE(parse({}, &o, &err)) << err;
  EXPECT_EQ(o.redisHost, "127.0.0.1");
  EXPECT_EQ(o.redisPort, 6379);
  EXPECT_EQ(o.iceAddresses, std::vector<std::string>{"127.0.0.1"});
  EXPECT_EQ(o.allowNetworks, std::vector<std::string>{"127.0.0.0/8"});
  EXPECT_EQ(o.nodeId.rfind("sfu-", 0), 0u);
  std::string pid = std::to_string(getpid());
  EXPECT_EQ(o.nodeId.substr(o.nodeId.size() - pid.size()), pid);
  EXPECT_TRUE(o.stunServer.empty());
  EXPECT_TRUE(o.turnServer.empty());
}

TEST(SfuOptions, RepeatableAndExplicit) {
  SfuOptions o;
  std::string err;
  ASSERT_TRUE(parse(
      {"--redis-host", "10.0.0.2", "--redis-port", "7000", "--node-id", "sfu-a", "--ice-address",
       "127.0.0.1", "--ice-address", "127.0.0.2", "--allow-network", "10.0.0.0/8",
       "--allow-network", "127.0.0.0/8", "--stun-server", "stun://127.0.0.1:3478"},
      &o, &err))
      << err;
  EXPECT_EQ(o.redisHost, "10.0.0.2");
  EXPECT_EQ(o.redisPort, 7000);
  EXPECT_EQ(o.nodeId, "sfu-a");
  EXPECT_EQ(o.iceAddresses, (std::vector<std::string>{"127.0.0.1", "127.0.0.2"}));
  EXPECT_EQ(o.allowNetworks, (std::vector<std::string>{"10.0.0.0/8", "127.0.0.0/8"}));
  EXPECT_EQ(o.stunServer, "stun://127.0.0.1:3478");
}

TEST(SfuOptions, BadValues) {
  SfuOptions o;
  std::string err;
  EXPECT_FALSE(parse({"--redis-port", "0"}, &o, &err));
  EXPECT_FALSE(parse({"--redis-port", "notanumber"}, &o, &err));
  EXPECT_FALSE(err.empty());
  EXPECT_FALSE(parse({"--no-such-option"}, &o, &err));
}

TEST(SfuOptions, PublishJitterbuffer) {
  SfuOptions o;
  std::string err;
  ASSERT_TRUE(parse({}, &o, &err)) << err;
  EXPECT_TRUE(o.passThroughJitterbuffer);
  SfuOptions g;
  ASSERT_TRUE(parse({"--publish-jitterbuffer", "rtpjitterbuffer"}, &g, &err)) << err;
  EXPECT_FALSE(g.passThroughJitterbuffer);
  SfuOptions bad;
  EXPECT_FALSE(parse({"--publish-jitterbuffer", "none"}, &bad, &err));
  EXPECT_NE(err.find("--publish-jitterbuffer"), std::string::npos) << err;
}

TEST(SfuOptions, ReceiveQueueBypassUnlessKept) {
  SfuOptions o;
  std::string err;
  ASSERT_TRUE(parse({}, &o, &err)) << err;
  EXPECT_TRUE(o.receiveQueueBypass);
  SfuOptions k;
  ASSERT_TRUE(parse({"--keep-receive-queue"}, &k, &err)) << err;
  EXPECT_FALSE(k.receiveQueueBypass);
}

TEST(SfuOptions, CombinedSubscriberSendUnlessDirect) {
  SfuOptions o;
  std::string err;
  ASSERT_TRUE(parse({}, &o, &err)) << err;
  EXPECT_TRUE(o.combinedSubscriberSend);
  SfuOptions d;
  ASSERT_TRUE(parse({"--direct-subscriber-send"}, &d, &err)) << err;
  EXPECT_FALSE(d.combinedSubscriberSend);
}

TEST(SfuOptions, SendTailShortcutUnlessKept) {
  SfuOptions o;
  std::string err;
  ASSERT_TRUE(parse({}, &o, &err)) << err;
  EXPECT_TRUE(o.sendTailShortcut);
  SfuOptions k;
  ASSERT_TRUE(parse({"--keep-send-tail"}, &k, &err)) << err;
  EXPECT_FALSE(k.sendTailShortcut);
}

TEST(SfuOptions, ReceiveChainShortcutUnlessKept) {
  SfuOptions o;
  std::string err;
  ASSERT_TRUE(parse({}, &o, &err)) << err;
  EXPECT_TRUE(o.receiveChainShortcut);
  SfuOptions k;
  ASSERT_TRUE(parse({"--keep-receive-chain"}, &k, &err)) << err;
  EXPECT_FALSE(k.receiveChainShortcut);
}

TEST(SfuOptions, OpensslSrtpUnlessLibsrtpCryptoAsked) {
  SfuOptions o;
  std::string err;
  ASSERT_TRUE(parse({}, &o, &err)) << err;
  EXPECT_TRUE(o.opensslSrtp);
  SfuOptions k;
  ASSERT_TRUE(parse({"--libsrtp-crypto"}, &k, &err)) << err;
  EXPECT_FALSE(k.opensslSrtp);
}

TEST(SfuOptions, AgentThreadReadUnlessNicesrcReadKept) {
  SfuOptions o;
  std::string err;
  ASSERT_TRUE(parse({}, &o, &err)) << err;
  EXPECT_TRUE(o.agentThreadRead);
  SfuOptions k;
  ASSERT_TRUE(parse({"--keep-nicesrc-read"}, &k, &err)) << err;
  EXPECT_FALSE(k.agentThreadRead);
  EXPECT_TRUE(k.receiveQueueBypass);
}

TEST(SfuOptions, IceCheckPacing) {
  SfuOptions o;
  std::string err;
  ASSERT_TRUE(parse({}, &o, &err)) << err;
  EXPECT_EQ(o.iceCheckPacingMs, 5);
  ASSERT_TRUE(parse({"--ice-check-pacing-ms", "20"}, &o, &err)) << err;
  EXPECT_EQ(o.iceCheckPacingMs, 20);
  EXPECT_FALSE(parse({"--ice-check-pacing-ms", "4"}, &o, &err));
  EXPECT_NE(err.find("--ice-check-pacing-ms"), std::string::npos) << err;
  EXPECT_FALSE(parse({"--ice-check-pacing-ms", "101"}, &o, &err));
}

TEST(SfuOptions, ReceiveThreads) {
  SfuOptions o;
  std::string err;
  ASSERT_TRUE(parse({}, &o, &err)) << err;
  EXPECT_GE(o.receiveThreads, 1);
  ASSERT_TRUE(parse({"--receive-threads", "0"}, &o, &err)) << err;
  EXPECT_EQ(o.receiveThreads, 0);
  ASSERT_TRUE(parse({"--receive-threads", "3"}, &o, &err)) << err;
  EXPECT_EQ(o.receiveThreads, 3);
  EXPECT_FALSE(parse({"--receive-threads", "-1"}, &o, &err));
  EXPECT_NE(err.find("--receive-threads"), std::string::npos) << err;
  EXPECT_FALSE(parse({"--receive-threads", "65"}, &o, &err));
}

TEST(SfuOptions, ReceiveThreadFill) {
  SfuOptions o;
  std::string err;
  ASSERT_TRUE(parse({}, &o, &err)) << err;
  EXPECT_EQ(o.receiveThreadFill, 6);
  ASSERT_TRUE(parse({"--receive-thread-fill", "0"}, &o, &err)) << err;
  EXPECT_EQ(o.receiveThreadFill, 0);
  ASSERT_TRUE(parse({"--receive-thread-fill", "40"}, &o, &err)) << err;
  EXPECT_EQ(o.receiveThreadFill, 40);
  EXPECT_FALSE(parse({"--receive-thread-fill", "-1"}, &o, &err));
  EXPECT_NE(err.find("--receive-thread-fill"), std::string::npos) << err;
  EXPECT_FALSE(parse({"--receive-thread-fill", "10001"}, &o, &err));
  EXPECT_FALSE(parse({"--receive-thread-fill", "half"}, &o, &err));
}
