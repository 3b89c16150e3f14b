// Client sessions of a control plane with accounts (real MariaDB, Redis, SFU): the access
// token on the WebSocket upgrade, join checks against the rooms table, one session per user,
// presence and the lobby, reconnect grace. One stack per test process (each ctest test is one).
#include <gtest/gtest.h>

#include "CarrelStack.hpp"
#include "MariaDbServer.hpp"
#include "TestEnv.hpp"
#include "WsClient.hpp"
#include "control_account_helpers.hpp"

using namespace carrel;
using namespace carrel::test;
using Ms = std::chrono::milliseconds;

namespace {

class ControlSessions : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = artifactDir("ControlSessions");
    db = std::make_unique<MariaDbServer>(dir + "/db");
    StackOptions o;
    o.controlArgs = {"--mysql-socket", db->socket(), "--mysql-database", "carrel_sessions"};
    stack = std::make_unique<CarrelStack>(dir, o);
    port = stack->controlPort();
  }
  void TearDown() override {
    stack.reset();
    db.reset();
  }
  std::string dir;
  std::unique_ptr<MariaDbServer> db;
  std::unique_ptr<CarrelStack> stack;
  int port = 0;
};

}  // namespace

TEST_F(ControlSessions, TheUpgradeNeedsAValidToken) {
  UpgradeResult none = rawUpgrade(port, "/ws");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.errorCode(), "unauthorized");
  // Hostile tokens are refused like any bad one, and the server goes on.
  for (const std::string& t : std::vector<std::string>{
           "garbage", "%27%20OR%201%3D1%20--", "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "%ff%fe%00",
           std::string(5000, 'x'), "v1.1.aa.9999999999.bad"}) {
    UpgradeResult r = rawUpgrade(port, "/ws?token=" + t);
    EXPECT_EQ(r.status, 401) << t;
    EXPECT_EQ(r.errorCode(), "unauthorized") << t;
  }
  UpgradeResult badHeader = rawUpgrade(port, "/ws", "Authorization: Bearer nonsense\r\n");
  EXPECT_EQ(badHeader.status, 401);

  std::string token = accountToken(port, "mina", "Mina Park");
  ASSERT_FALSE(token.empty());
  EXPECT_EQ(rawUpgrade(port, "/ws", "Authorization: Bearer " + token + "\r\n").status, 101);

  // The account's display name is the participant's name, whatever hello says.
  WsClient c;
  ASSERT_TRUE(c.connect(wsUrlWithToken(port, token)));
  c.send(R"({"type":"hello","name":"<b>someone else</b>"})");
  auto welcome = c.waitForType("welcome");
  ASSERT_TRUE(welcome);
  JsonObject* user = json::getObject(welcome.get(), "user");
  ASSERT_TRUE(user);
  EXPECT_EQ(str(user, "display_name"), "Mina Park");
  EXPECT_GT(json::getInt(user, "id").value_or(0), 0);
  EXPECT_FALSE(json::getBool(user, "admin").value_or(true));

  // Logged out: the same token no longer opens a socket.
  EXPECT_EQ(rest(port, "POST", "/api/v1/auth/logout", "", token).status, 204);
  UpgradeResult revoked = rawUpgrade(port, "/ws?token=" + token);
  EXPECT_EQ(revoked.status, 401);
  EXPECT_EQ(revoked.errorCode(), "unauthorized");

  // --allow-guests: name-only clients too, and accounts still known by their token.
  ControlProcess guests = startControl(
      dir, stack->redisPort(), "ctl-guests",
      {"--mysql-socket", db->socket(), "--mysql-database", "carrel_sessions", "--allow-guests"});
  WsClient g;
  ASSERT_TRUE(g.connect(guests.wsUrl()));
  g.send(R"({"type":"hello","name":"Guest Gil"})");
  auto gw = g.waitForType("welcome");
  ASSERT_TRUE(gw);
  EXPECT_EQ(json_object_get_null_member(gw.get(), "user"), TRUE);
  std::string again = accountToken(guests.port, "mina", "Mina Park");
  WsClient m;
  ASSERT_TRUE(m.connect(wsUrlWithToken(guests.port, again)));
  m.send(R"({"type":"hello","name":"x"})");
  auto mw = m.waitForType("welcome");
  ASSERT_TRUE(mw);
  EXPECT_EQ(str(json::getObject(mw.get(), "user"), "display_name"), "Mina Park");
}
