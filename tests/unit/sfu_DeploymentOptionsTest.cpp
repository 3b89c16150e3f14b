// carrel-sfu's deployment options: a port range, a NAT 1:1 public address, STUN/TURN URIs and
// the stats interval, each refused at start-up with a message naming the option; and the
// candidate rewrite that advertises the public address.
#include <gst/gst.h>
#include <gtest/gtest.h>

#include "GPtr.hpp"
#include "GstPtr.hpp"
#include "IceServerUri.hpp"
#include "IceSettings.hpp"
#include "SfuOptions.hpp"
#include "WebrtcIce.hpp"

using namespace carrel::sfu;

namespace {

bool parse(std::vector<std::string> args, SfuOptions* o, std::string* err) {
  args.insert(args.begin(), "carrel-sfu");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int argc = static_cast<int>(args.size());
  char** p = argv.data();
  return parseOptions(&argc, &p, o, err);
}

}  // namespace

TEST(SfuDeploymentOptions, GoodValues) {
  SfuOptions o;
  std::string err;
  ASSERT_TRUE(parse({"--ice-port-min", "40000", "--ice-port-max", "40999", "--public-address",
                     "203.0.113.7", "--stun-server", "stun://stun.example.org:3478",
                     "--turn-server", "turns://user:pass@turn.example.org:5349",
                     "--stats-interval-ms", "1000", "--connect-timeout-ms", "5000"},
                    &o, &err))
      << err;
  EXPECT_EQ(o.icePortMin, 40000);
  EXPECT_EQ(o.icePortMax, 40999);
  EXPECT_EQ(o.publicAddress, "203.0.113.7");
  EXPECT_EQ(o.statsIntervalMs, 1000);
  EXPECT_EQ(o.connectTimeoutMs, 5000);
  SfuOptions d;
  ASSERT_TRUE(parse({}, &d, &err)) << err;
  EXPECT_EQ(d.statsIntervalMs, 5000);
  EXPECT_EQ(d.icePortMax, 0);
}

TEST(SfuDeploymentOptions, BadValuesNameTheOption) {
  struct Case {
    std::vector<std::string> args;
    const char* mentions;
  };
  std::vector<Case> cases{
      {{"--ice-port-min", "40000"}, "--ice-port-max"},
      {{"--ice-port-min", "41000", "--ice-port-max", "40000"}, "--ice-port-min"},
      {{"--ice-port-min", "80", "--ice-port-max", "90"}, "--ice-port-min"},
      {{"--public-address", "my.host.example"}, "--public-address"},
      {{"--stun-server", "stun:stun.example.org"}, "--stun-server"},
      {{"--stun-server", "stun://stun.example.org"}, "--stun-server"},
      {{"--turn-server", "turn://turn.example.org:3478"}, "--turn-server"},
      {{"--turn-server", "http://u:p@turn.example.org:3478"}, "--turn-server"},
      {{"--stats-interval-ms", "20"}, "--stats-interval-ms"},
      {{"--connect-timeout-ms", "999"}, "--connect-timeout-ms"},
      {{"--connect-timeout-ms", "600001"}, "--connect-timeout-ms"},
  };
  for (auto& c : cases) {
    SfuOptions o;
    std::string err;
    EXPECT_FALSE(parse(c.args, &o, &err)) << c.args[0] << " " << c.args[1];
    EXPECT_NE(err.find(c.mentions), std::string::npos) << err;
  }
}

TEST(SfuDeploymentOptions, HostCandidatesAdvertiseThePublicAddress) {
  IceSettings ice({"10.0.0.5"}, "", "");
  const std::string host = "candidate:1 1 UDP 2015363327 10.0.0.5 40012 typ host";
  EXPECT_EQ(ice.advertised(host), host) << "no public address: unchanged";
  ice.setPublicAddress("203.0.113.7");
  EXPECT_EQ(ice.advertised(host), "candidate:1 1 UDP 2015363327 203.0.113.7 40012 typ host");
  const std::string relay =
      "candidate:3 1 UDP 16777215 198.51.100.9 50000 typ relay raddr 10.0.0.5 rport 40012";
  EXPECT_EQ(ice.advertised(relay), relay);
  const std::string other = "candidate:2 1 UDP 2015363327 10.0.0.6 40013 typ host";
  EXPECT_EQ(ice.advertised(other), other);
}

namespace {

// The pacing a webrtcbin's libnice agent ended up with, or 0.
guint checkPacingOf(GstElement* webrtcbin) {
  carrel::GObjectPtr<GObject> agent = carrel::WebrtcIce::niceAgent(webrtcbin);
  guint ms = 0;
  if (agent) g_object_get(agent.get(), "stun-pacing-timer", &ms, nullptr);
  return ms;
}

}  // namespace

TEST(SfuDeploymentOptions, IceCheckPacingReachesTheAgent) {
  gst_init(nullptr, nullptr);
  carrel::GstElementPtr plain(gst_element_factory_make("webrtcbin", nullptr));
  ASSERT_TRUE(plain);
  const guint libniceDefault = checkPacingOf(plain.get());
  EXPECT_EQ(libniceDefault, 20u);

  IceSettings ice({"127.0.0.1"}, "", "");
  ice.setCheckPacingMs(7);
  carrel::GstElementPtr paced(gst_element_factory_make("webrtcbin", nullptr));
  ASSERT_TRUE(ice.apply(paced.get()));
  EXPECT_EQ(checkPacingOf(paced.get()), 7u);
  // Once connected, later checks (re-offers, ICE restarts) take libnice's pacing again.
  ice.connected(paced.get());
  EXPECT_EQ(checkPacingOf(paced.get()), libniceDefault);

  IceSettings untouched({"127.0.0.1"}, "", "");
  carrel::GstElementPtr other(gst_element_factory_make("webrtcbin", nullptr));
  ASSERT_TRUE(untouched.apply(other.get()));
  EXPECT_EQ(checkPacingOf(other.get()), libniceDefault);
}
