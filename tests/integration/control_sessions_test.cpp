// Client sessions of a control plane with accounts (real MariaDB, Redis, SFU): the access
// token on the WebSocket upgrade, join checks against the rooms table, one session per user,
// presence and the lobby, reconnect grace. One stack per test process (each ctest test is one).
#include <gtest/gtest.h>

#include <map>
#include <set>

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

namespace {

// Connects with the token, says hello, and sends a join with these extra fields; the reply
// ("joined" or "error").
JsonObjectPtr tryJoin(WsClient& c, int port, const std::string& token, const std::string& room,
                      const std::string& extra = "") {
  if (!c.isOpen()) {
    if (!c.connect(wsUrlWithToken(port, token))) return nullptr;
    if (c.hello("x").empty()) return nullptr;
  }
  c.send(R"({"type":"join","id":"j","room":")" + room + "\"" + extra + "}");
  return c.waitFor(
      [](JsonObject* m) {
        return str(m, "type") == "joined" || (str(m, "type") == "error" && str(m, "ref") == "j");
      },
      Ms(15000));
}

std::string outcome(const JsonObjectPtr& reply) {
  if (!reply) return "(nothing)";
  return str(reply.get(), "type") == "joined" ? "joined" : str(reply.get(), "code");
}

void leave(WsClient& c) {
  c.send(R"({"type":"leave"})");
  EXPECT_TRUE(c.waitForType("left"));
}

}  // namespace

TEST_F(ControlSessions, JoinChecksExistencePrivacyAndCapacity) {
  std::string olga = accountToken(port, "olga", "Olga Owner");
  std::string bob = accountToken(port, "bob", "Bob");
  std::string cy = accountToken(port, "cyra", "Cyra");
  ASSERT_FALSE(olga.empty() || bob.empty() || cy.empty());
  ASSERT_EQ(
      rest(port, "POST", "/api/v1/rooms", R"({"id":"open-1","title":"Open","capacity":2})", olga)
          .status,
      201);
  ASSERT_EQ(
      rest(port, "POST", "/api/v1/rooms",
           R"({"id":"pw-1","title":"Locked","private":true,"password":"secret-pass-1"})", olga)
          .status,
      201);
  Rest inviteOnly = rest(port, "POST", "/api/v1/rooms",
                         R"({"id":"inv-1","title":"Invite","private":true})", olga);
  ASSERT_EQ(inviteOnly.status, 201);
  std::string invite = str(json::getObject(inviteOnly.json.get(), "room"), "invite_code");
  ASSERT_EQ(invite.size(), 32u);

  WsClient b;
  EXPECT_EQ(outcome(tryJoin(b, port, bob, "nosuch")), "no_such_room");
  EXPECT_EQ(outcome(tryJoin(b, port, bob, "pw-1")), "room_locked");
  EXPECT_EQ(outcome(tryJoin(b, port, bob, "pw-1", R"(,"password":"wrong-pass-1")")), "room_locked");
  EXPECT_EQ(outcome(tryJoin(b, port, bob, "inv-1", R"(,"invite":"0123456789abcdef")")),
            "room_locked");
  // Hostile strings in the new fields are refused or simply wrong, never a crash.
  EXPECT_EQ(outcome(tryJoin(b, port, bob, "pw-1", R"(,"password":"' OR '1'='1")")), "room_locked");
  EXPECT_EQ(outcome(tryJoin(b, port, bob, "inv-1", R"(,"invite":"<script>x</script>")")),
            "room_locked");
  EXPECT_EQ(
      outcome(tryJoin(b, port, bob, "pw-1", ",\"password\":\"" + std::string(129, 'p') + "\"")),
      "invalid_field");
  EXPECT_EQ(outcome(tryJoin(b, port, bob, "pw-1", R"(,"password":7)")), "invalid_field");
  EXPECT_EQ(outcome(tryJoin(b, port, bob, "inv-1", R"(,"invite":"")")), "invalid_field");
  EXPECT_EQ(outcome(tryJoin(b, port, bob, "x' OR 1=1 --")), "invalid_field");

  EXPECT_EQ(outcome(tryJoin(b, port, bob, "pw-1", R"(,"password":"secret-pass-1")")), "joined");
  leave(b);
  EXPECT_EQ(outcome(tryJoin(b, port, bob, "inv-1", R"(,"invite":")" + invite + "\"")), "joined");
  leave(b);
  WsClient o;
  EXPECT_EQ(outcome(tryJoin(o, port, olga, "inv-1")), "joined") << "the owner needs no invite";
  leave(o);

  // Capacity 2: the third is refused, a seat freed by a leave is taken again.
  WsClient c;
  EXPECT_EQ(outcome(tryJoin(o, port, olga, "open-1")), "joined");
  EXPECT_EQ(outcome(tryJoin(b, port, bob, "open-1")), "joined");
  EXPECT_EQ(outcome(tryJoin(c, port, cy, "open-1")), "room_full");
  EXPECT_EQ(redisCli(stack->redisPort(), "HLEN carrel:room:open-1:participants"), "2");
  EXPECT_TRUE(
      c.noneWithin([](JsonObject* m) { return str(m, "type") == "participant_joined"; }, Ms(300)));
  leave(b);
  EXPECT_EQ(outcome(tryJoin(c, port, cy, "open-1")), "joined");
}

namespace {

int64_t userIdOf(int port, const std::string& token) {
  Rest me = rest(port, "GET", "/api/v1/me", "", token);
  return json::getInt(json::getObject(me.json.get(), "user"), "id").value_or(0);
}

// The lobby's rooms as id -> participant names.
std::map<std::string, std::set<std::string>> lobby(int port) {
  std::map<std::string, std::set<std::string>> out;
  Rest r = rest(port, "GET", "/api/v1/lobby", "");
  JsonArray* rooms = json::getArray(r.json.get(), "rooms");
  for (guint i = 0; rooms && i < json_array_get_length(rooms); ++i) {
    JsonObject* room = json_array_get_object_element(rooms, i);
    auto& names = out[str(room, "id")];
    JsonArray* ps = json::getArray(room, "participants");
    for (guint j = 0; ps && j < json_array_get_length(ps); ++j) {
      names.insert(str(json_array_get_object_element(ps, j), "name"));
    }
  }
  return out;
}

}  // namespace

// Two control nodes on one Redis and MariaDB: presence and the lobby agree on both, a second
// connection of a user takes over from the first (on the other node), and the participants
// of a node killed with SIGKILL are swept out of their rooms by the live node.
TEST_F(ControlSessions, OneSessionPerUserPresenceLobbyAndDeadNodeSweep) {
  ControlProcess nodeB =
      startControl(dir, stack->redisPort(), "ctl-b",
                   {"--mysql-socket", db->socket(), "--mysql-database", "carrel_sessions"});
  std::string olga = accountToken(port, "olga", "Olga Owner");
  std::string mina = accountToken(port, "mina", "Mina Park");
  std::string bob = accountToken(nodeB.port, "bob", "Bob");
  ASSERT_FALSE(olga.empty() || mina.empty() || bob.empty());
  int64_t minaId = userIdOf(port, mina);
  ASSERT_GT(minaId, 0);
  ASSERT_EQ(rest(port, "POST", "/api/v1/rooms", R"({"id":"study-1","title":"Study"})", olga).status,
            201);
  Rest priv = rest(port, "POST", "/api/v1/rooms",
                   R"({"id":"priv-2","title":"Hidden","private":true})", olga);
  ASSERT_EQ(priv.status, 201);
  std::string invite = str(json::getObject(priv.json.get(), "room"), "invite_code");

  std::string presencePath = "/api/v1/users/" + std::to_string(minaId) + "/presence";
  Rest off = rest(port, "GET", presencePath, "", olga);
  ASSERT_EQ(off.status, 200) << off.raw;
  EXPECT_FALSE(json::getBool(off.json.get(), "online").value_or(true));
  EXPECT_EQ(rest(port, "GET", presencePath, "").status, 401);

  WsClient o, a, b;
  EXPECT_EQ(outcome(tryJoin(o, port, olga, "study-1")), "joined");
  EXPECT_EQ(outcome(tryJoin(a, port, mina, "study-1")), "joined");
  EXPECT_EQ(outcome(tryJoin(b, nodeB.port, bob, "study-1")), "joined");
  auto on = rest(nodeB.port, "GET", presencePath, "", bob);
  EXPECT_TRUE(json::getBool(on.json.get(), "online").value_or(false)) << on.raw;
  EXPECT_EQ(str(on.json.get(), "room"), "study-1");
  EXPECT_GT(json::getInt(on.json.get(), "since").value_or(0), 0);
  // Both nodes show the same lobby.
  std::map<std::string, std::set<std::string>> want{
      {"study-1", {"Olga Owner", "Mina Park", "Bob"}}};
  EXPECT_EQ(lobby(port), want);
  EXPECT_EQ(lobby(nodeB.port), want);
  EXPECT_EQ(json::getInt(rest(port, "GET", "/api/v1/lobby", "").json.get(), "studying").value_or(0),
            3);

  // Mina connects again on node B: the first connection is told why, closed, and leaves.
  WsClient a2;
  ASSERT_TRUE(
      a2.connect(wsUrlWithToken(nodeB.port, accountToken(nodeB.port, "mina", "Mina Park"))));
  std::string a2Id = a2.hello("again");
  ASSERT_FALSE(a2Id.empty());
  auto replaced = a.waitForType("session_replaced", Ms(10000));
  ASSERT_TRUE(replaced);
  EXPECT_FALSE(str(replaced.get(), "reason").empty());
  EXPECT_TRUE(a.waitClosed(Ms(10000)));
  EXPECT_EQ(a.closeCode(), 4001);
  auto gone =
      b.waitFor([](JsonObject* m) { return str(m, "type") == "participant_left"; }, Ms(10000));
  ASSERT_TRUE(gone);
  EXPECT_EQ(str(gone.get(), "reason"), "replaced");
  Rest now = rest(port, "GET", presencePath, "", olga);
  EXPECT_TRUE(json::getBool(now.json.get(), "online").value_or(false));
  EXPECT_TRUE(json_object_get_null_member(now.json.get(), "room"));
  // In a private room she is busy, but the room is not named, and the lobby does not list it.
  EXPECT_EQ(outcome(tryJoin(a2, nodeB.port, "", "priv-2", R"(,"invite":")" + invite + "\"")),
            "joined");
  now = rest(port, "GET", presencePath, "", olga);
  EXPECT_TRUE(json::getBool(now.json.get(), "in_room").value_or(false)) << now.raw;
  EXPECT_TRUE(json_object_get_null_member(now.json.get(), "room"));
  EXPECT_EQ(lobby(port),
            (std::map<std::string, std::set<std::string>>{{"study-1", {"Olga Owner", "Bob"}}}));

  // Hostile paths get typed errors.
  EXPECT_EQ(rest(port, "GET", "/api/v1/users/1%27%20OR%201=1/presence", "", olga).code(),
            "not_found");
  EXPECT_EQ(rest(port, "GET", "/api/v1/users/99999999999999999999/presence", "", olga).code(),
            "not_found");
  EXPECT_EQ(rest(port, "GET", "/api/v1/users/1/presence/x", "", olga).code(), "not_found");
  EXPECT_EQ(rest(port, "POST", "/api/v1/lobby", "{}", olga).code(), "method_not_allowed");

  // Node B dies without a word: node A sweeps Bob out of the room; Olga is told.
  nodeB.proc->kill9();
  auto swept = o.waitFor(
      [](JsonObject* m) {
        return str(m, "type") == "participant_left" && str(m, "reason") == "disconnected";
      },
      Ms(30000));
  ASSERT_TRUE(swept) << "the dead node's participant stayed in the room";
  EXPECT_EQ(redisCli(stack->redisPort(), "HLEN carrel:room:study-1:participants"), "1");
  EXPECT_EQ(lobby(port),
            (std::map<std::string, std::set<std::string>>{{"study-1", {"Olga Owner"}}}));
}
