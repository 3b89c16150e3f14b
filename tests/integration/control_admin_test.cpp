// The admin API on two control nodes sharing one Redis and one MariaDB: only an admin's token
// opens it (401 without a token, 403 admin_only for anyone else); the room list shows the
// participants of both nodes; a global ban made through node A removes the user's session on
// node B and refuses their joins on both; a force-close through node A empties a room held on
// node B; the audit log reads back those actions, filtered and paged; bad input is typed.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <thread>

#include "CarrelStack.hpp"
#include "MariaDbServer.hpp"
#include "TestEnv.hpp"
#include "WsClient.hpp"
#include "control_account_helpers.hpp"

using namespace carrel;
using namespace carrel::test;
using Ms = std::chrono::milliseconds;

namespace {

class ControlAdmin : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = artifactDir("ControlAdmin");
    db = std::make_unique<MariaDbServer>(dir + "/db");
    std::ofstream(dir + "/admin.pw") << "admin-password-1\n";
    StackOptions o;
    o.controlNodes = 2;
    o.controlArgs = {"--mysql-socket", db->socket(), "--mysql-database",      "carrel_admin",
                     "--admin-login",  "root_admin", "--admin-password-file", dir + "/admin.pw"};
    stack = std::make_unique<CarrelStack>(dir, o);
    portA = stack->controlPort(0);
    portB = stack->controlPort(1);
    ownerToken = accountToken(portA, "olga", "Olga Owner");
    for (const char* room : {"study-a", "study-b"}) {
      Rest r = rest(portA, "POST", "/api/v1/rooms",
                    std::string(R"({"id":")") + room + R"(","title":"Room"})", ownerToken);
      ASSERT_EQ(r.status, 201) << r.raw;
    }
    Rest in = rest(portA, "POST", "/api/v1/auth/login",
                   R"({"login":"root_admin","password":"admin-password-1"})");
    admin = json::getString(in.json.get(), "token").value_or("");
    ASSERT_FALSE(admin.empty()) << in.raw;
  }
  void TearDown() override {
    clients.clear();
    stack.reset();
    db.reset();
  }
  static int64_t userId(int port, const std::string& token) {
    Rest me = rest(port, "GET", "/api/v1/me", "", token);
    return json::getInt(json::getObject(me.json.get(), "user"), "id").value_or(0);
  }
  WsClient& connect(int port, const std::string& token, std::string* participant) {
    clients.push_back(std::make_unique<WsClient>());
    WsClient& c = *clients.back();
    EXPECT_TRUE(c.connect(wsUrlWithToken(port, token)));
    *participant = c.hello("x");
    EXPECT_FALSE(participant->empty());
    return c;
  }
  static void join(WsClient& c, const std::string& room, const std::string& ref = "j") {
    c.send(R"({"type":"join","id":")" + ref + R"(","room":")" + room + "\"}");
  }
  WsClient& joined(int port, const std::string& token, const std::string& room,
                   std::string* participant) {
    WsClient& c = connect(port, token, participant);
    join(c, room);
    EXPECT_TRUE(c.waitForType("joined", Ms(10000))) << *participant;
    return c;
  }
  static JsonObjectPtr removed(WsClient& c, const std::string& action) {
    return c.waitFor(
        [&](JsonObject* o) { return str(o, "type") == "removed" && str(o, "action") == action; },
        Ms(10000));
  }
  // The admin room list until pred holds (the seats reach Redis a moment after "joined").
  Rest roomsUntil(int port, const std::function<bool(JsonObject*)>& pred) {
    Rest r;
    for (int i = 0; i < 50; ++i) {
      r = rest(port, "GET", "/api/v1/admin/rooms", "", admin);
      if (r.status == 200 && pred(r.json.get())) break;
      std::this_thread::sleep_for(Ms(200));
    }
    return r;
  }
  static std::set<std::string> participantsOf(JsonObject* list, const std::string& room,
                                              std::set<std::string>* nodes = nullptr) {
    std::set<std::string> out;
    JsonArray* rooms = json::getArray(list, "rooms");
    for (guint i = 0; rooms && i < json_array_get_length(rooms); ++i) {
      JsonObject* r = json_array_get_object_element(rooms, i);
      if (str(r, "id") != room) continue;
      JsonArray* ps = json::getArray(r, "participants");
      for (guint j = 0; ps && j < json_array_get_length(ps); ++j) {
        JsonObject* p = json_array_get_object_element(ps, j);
        out.insert(str(p, "participant"));
        if (nodes) nodes->insert(str(p, "node"));
      }
    }
    return out;
  }
  Rest auditUntil(const std::string& query, size_t atLeast) {
    Rest r;
    for (int i = 0; i < 50; ++i) {
      r = rest(portB, "GET", "/api/v1/admin/audit" + query, "", admin);
      JsonArray* e = json::getArray(r.json.get(), "entries");
      if (r.status == 200 && e && json_array_get_length(e) >= atLeast) break;
      std::this_thread::sleep_for(Ms(200));
    }
    return r;
  }

  std::string dir;
  std::unique_ptr<MariaDbServer> db;
  std::unique_ptr<CarrelStack> stack;
  std::vector<std::unique_ptr<WsClient>> clients;
  int portA = 0;
  int portB = 0;
  std::string ownerToken;
  std::string admin;
};

}  // namespace

TEST_F(ControlAdmin, OnlyAnAdminTokenOpensTheApi) {
  Rest none = rest(portA, "GET", "/api/v1/admin/rooms", "");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.code(), "unauthorized");
  Rest forged = rest(portA, "GET", "/api/v1/admin/audit", "", "v1.not-a-token");
  EXPECT_EQ(forged.status, 401);
  for (const char* path : {"/api/v1/admin/rooms", "/api/v1/admin/audit"}) {
    Rest member = rest(portB, "GET", path, "", ownerToken);
    EXPECT_EQ(member.status, 403) << path;
    EXPECT_EQ(member.code(), "admin_only") << path;
  }
  Rest ban = rest(portA, "POST", "/api/v1/admin/bans", R"({"user":1})", ownerToken);
  EXPECT_EQ(ban.code(), "admin_only");
  Rest close = rest(portA, "POST", "/api/v1/admin/rooms/study-a/close", "{}", ownerToken);
  EXPECT_EQ(close.code(), "admin_only");
  EXPECT_EQ(rest(portA, "GET", "/api/v1/admin/rooms", "", admin).status, 200);

  // Routes, methods and inputs are checked before anything is done.
  EXPECT_EQ(rest(portA, "GET", "/api/v1/admin/nothing", "", admin).code(), "not_found");
  EXPECT_EQ(rest(portA, "DELETE", "/api/v1/admin/rooms", "", admin).code(), "method_not_allowed");
  EXPECT_EQ(rest(portA, "GET", "/api/v1/admin/rooms?room=bad%20id", "", admin).code(),
            "invalid_field");
  for (const char* q : {"?limit=0", "?limit=201", "?before=x", "?actor=-1", "?action=DROP",
                        "?room=a%27b", "?target=99999999999999999999999"}) {
    Rest r = rest(portA, "GET", std::string("/api/v1/admin/audit") + q, "", admin);
    EXPECT_EQ(r.status, 400) << q;
    EXPECT_EQ(r.code(), "invalid_field") << q;
  }
  for (const char* body : {R"({})", R"({"user":0})", R"({"user":"7"})",
                           R"({"user":7,"minutes":-1})", R"({"user":7,"minutes":99999999})"}) {
    Rest r = rest(portA, "POST", "/api/v1/admin/bans", body, admin);
    EXPECT_EQ(r.code(), "invalid_field") << body;
  }
  EXPECT_EQ(rest(portA, "POST", "/api/v1/admin/bans", "[1]", admin).code(), "bad_json");
  EXPECT_EQ(rest(portA, "POST", "/api/v1/admin/bans", R"({"user":999999})", admin).code(),
            "not_found");
  Rest adminBan = rest(portA, "POST", "/api/v1/admin/bans",
                       R"({"user":)" + std::to_string(userId(portA, admin)) + "}", admin);
  EXPECT_EQ(adminBan.status, 403);
  EXPECT_EQ(adminBan.code(), "outranked");
  Rest ghost = rest(portA, "POST", "/api/v1/admin/rooms/no-such-room/close", "{}", admin);
  EXPECT_EQ(ghost.status, 404);
  EXPECT_EQ(ghost.code(), "not_found");
}

TEST_F(ControlAdmin, ListsBansEverywhereClosesAndAudits) {
  std::string pOlga, pMax, pMina;
  WsClient& olga = joined(portA, ownerToken, "study-a", &pOlga);
  std::string maxToken = accountToken(portA, "max", "Max");
  int64_t maxId = userId(portA, maxToken);
  ASSERT_GT(maxId, 0);
  WsClient& max = joined(portB, maxToken, "study-a", &pMax);
  WsClient& mina = joined(portB, accountToken(portB, "mina", "Mina"), "study-b", &pMina);

  // Both nodes' participants, with the node that holds each.
  Rest list = roomsUntil(portA, [&](JsonObject* o) {
    return participantsOf(o, "study-a").size() == 2 && participantsOf(o, "study-b").size() == 1;
  });
  ASSERT_EQ(list.status, 200) << list.raw;
  std::set<std::string> nodes;
  EXPECT_EQ(participantsOf(list.json.get(), "study-a", &nodes),
            (std::set<std::string>{pOlga, pMax}));
  EXPECT_EQ(nodes.size(), 2u) << list.raw;
  EXPECT_EQ(participantsOf(list.json.get(), "study-b"), std::set<std::string>{pMina});
  EXPECT_EQ(json::getInt(list.json.get(), "participants").value_or(0), 3);
  Rest one = rest(portB, "GET", "/api/v1/admin/rooms?room=study-b", "", admin);
  EXPECT_EQ(json_array_get_length(json::getArray(one.json.get(), "rooms")), 1u) << one.raw;

  // A global ban through node A: Max, on node B, is removed; everyone else hears he left.
  Rest ban = rest(portA, "POST", "/api/v1/admin/bans",
                  R"({"user":)" + std::to_string(maxId) + R"(,"reason":"spam everywhere"})", admin);
  ASSERT_EQ(ban.status, 201) << ban.raw;
  JsonArray* gone = json::getArray(ban.json.get(), "removed");
  ASSERT_TRUE(gone && json_array_get_length(gone) == 1) << ban.raw;
  EXPECT_EQ(str(json_array_get_object_element(gone, 0), "participant"), pMax);
  auto note = removed(max, "ban");
  ASSERT_TRUE(note) << "the banned user's session on node B was not removed";
  EXPECT_EQ(str(note.get(), "reason"), "spam everywhere");
  EXPECT_TRUE(olga.waitFor(
      [&](JsonObject* o) {
        return str(o, "type") == "participant_left" && str(o, "participant") == pMax;
      },
      Ms(10000)));
  // Refused at every join, on either node, in any room.
  join(max, "study-b", "again");
  auto refusal = max.waitForError("banned", "again", Ms(10000));
  ASSERT_TRUE(refusal);
  EXPECT_EQ(str(refusal.get(), "reason"), "spam everywhere");
  std::string pMax2;
  WsClient& max2 = connect(portA, maxToken, &pMax2);
  join(max2, "study-a", "elsewhere");
  EXPECT_TRUE(max2.waitForError("banned", "elsewhere", Ms(10000)));

  // Force-close through node A of a room held on node B.
  Rest close = rest(portA, "POST", "/api/v1/admin/rooms/study-b/close",
                    R"({"reason":"maintenance"})", admin);
  ASSERT_EQ(close.status, 200) << close.raw;
  auto closed = removed(mina, "room_closed");
  ASSERT_TRUE(closed);
  EXPECT_EQ(str(closed.get(), "reason"), "maintenance");
  Rest after = roomsUntil(portB, [](JsonObject* o) {
    return participantsOf(o, "study-b").empty() && participantsOf(o, "study-a").size() == 1;
  });
  EXPECT_TRUE(participantsOf(after.json.get(), "study-b").empty()) << after.raw;

  // The audit log, read through node B: filtered by action, target and room, and paged.
  Rest bans = auditUntil("?action=global_ban&target=" + std::to_string(maxId), 1);
  ASSERT_EQ(bans.status, 200) << bans.raw;
  JsonArray* be = json::getArray(bans.json.get(), "entries");
  ASSERT_EQ(json_array_get_length(be), 1u) << bans.raw;
  JsonObject* b0 = json_array_get_object_element(be, 0);
  EXPECT_EQ(str(b0, "reason"), "spam everywhere");
  EXPECT_EQ(str(json::getObject(b0, "actor"), "name"), "root_admin");
  EXPECT_EQ(json::getInt(json::getObject(b0, "target"), "user").value_or(0), maxId);
  Rest closes = auditUntil("?room=study-b&action=close_room", 1);
  ASSERT_EQ(json_array_get_length(json::getArray(closes.json.get(), "entries")), 1u) << closes.raw;
  EXPECT_EQ(json::getInt(json::getObject(json_array_get_object_element(
                                             json::getArray(closes.json.get(), "entries"), 0),
                                         "target"),
                         "user")
                .value_or(-1),
            0);
  Rest none = auditUntil("?room=study-a&action=close_room", 0);
  EXPECT_EQ(json_array_get_length(json::getArray(none.json.get(), "entries")), 0u) << none.raw;

  Rest page1 = auditUntil("?limit=1", 1);
  ASSERT_EQ(json_array_get_length(json::getArray(page1.json.get(), "entries")), 1u);
  int64_t newest =
      json::getInt(json_array_get_object_element(json::getArray(page1.json.get(), "entries"), 0),
                   "id")
          .value_or(0);
  auto next = json::getInt(page1.json.get(), "next_before");
  ASSERT_TRUE(next) << page1.raw;
  EXPECT_EQ(*next, newest);
  Rest page2 = auditUntil("?limit=1&before=" + std::to_string(*next), 1);
  JsonArray* p2 = json::getArray(page2.json.get(), "entries");
  ASSERT_EQ(json_array_get_length(p2), 1u) << page2.raw;
  EXPECT_LT(json::getInt(json_array_get_object_element(p2, 0), "id").value_or(newest), newest);
  Rest all = auditUntil("?limit=200", 2);
  // The last page says there is nothing behind it.
  EXPECT_FALSE(json::getInt(all.json.get(), "next_before")) << all.raw;
}

TEST_F(ControlAdmin, AGlobalBanHoldsAgainstAJoinerStillInTheWaitingRoom) {
  std::string pOlga, pWendy;
  WsClient& olga = joined(portA, ownerToken, "study-a", &pOlga);
  olga.send(R"({"type":"waiting_room","id":"w","enabled":true})");
  ASSERT_TRUE(olga.waitFor(
      [](JsonObject* o) { return str(o, "type") == "ack" && str(o, "action") == "waiting_room"; }));
  std::string wendyToken = accountToken(portB, "wendy", "Wendy");
  int64_t wendyId = userId(portB, wendyToken);
  WsClient& wendy = connect(portB, wendyToken, &pWendy);
  join(wendy, "study-a", "wj");
  ASSERT_TRUE(wendy.waitForType("waiting", Ms(10000)));
  ASSERT_TRUE(olga.waitFor(
      [&](JsonObject* o) { return str(o, "type") == "knock" && str(o, "participant") == pWendy; },
      Ms(10000)));

  // Banned while she waits (she holds no seat yet): letting her in is refused all the same.
  Rest ban =
      rest(portA, "POST", "/api/v1/admin/bans",
           R"({"user":)" + std::to_string(wendyId) + R"(,"reason":"raids","minutes":60})", admin);
  ASSERT_EQ(ban.status, 201) << ban.raw;
  EXPECT_GT(json::getInt(json::getObject(ban.json.get(), "ban"), "until").value_or(0), 0);
  olga.send(R"({"type":"admit","id":"a","participant":")" + pWendy + R"(","admit":true})");
  auto refusal = wendy.waitForError("banned", "wj", Ms(10000));
  ASSERT_TRUE(refusal) << "a globally banned joiner was let in from the waiting room";
  EXPECT_EQ(str(refusal.get(), "reason"), "raids");
  EXPECT_GT(json::getInt(refusal.get(), "until").value_or(0), 0);
  EXPECT_TRUE(olga.noneWithin(
      [&](JsonObject* o) {
        return str(o, "type") == "participant_joined" && str(o, "participant") == pWendy;
      },
      Ms(1500)));
}

TEST_F(ControlAdmin, BansAreListedAndLiftedGloballyAndPerRoomWithAuditRows) {
  std::string pOlga, pMax, pMina;
  WsClient& olga = joined(portA, ownerToken, "study-a", &pOlga);
  std::string maxToken = accountToken(portB, "max", "Max");
  int64_t maxId = userId(portB, maxToken);
  ASSERT_GT(maxId, 0);
  std::string maxUser = std::to_string(maxId);

  // Global: listed, refused, lifted by an admin only, then Max gets in.
  Rest ban = rest(portA, "POST", "/api/v1/admin/bans",
                  R"({"user":)" + maxUser + R"(,"reason":"spam"})", admin);
  ASSERT_EQ(ban.status, 201) << ban.raw;
  Rest listed = rest(portB, "GET", "/api/v1/admin/bans", "", admin);
  ASSERT_EQ(listed.status, 200) << listed.raw;
  JsonArray* bl = json::getArray(listed.json.get(), "bans");
  ASSERT_TRUE(bl && json_array_get_length(bl) == 1) << listed.raw;
  EXPECT_EQ(json::getInt(json_array_get_object_element(bl, 0), "user").value_or(0), maxId);
  EXPECT_EQ(str(json_array_get_object_element(bl, 0), "name"), "Max");
  EXPECT_EQ(rest(portA, "DELETE", "/api/v1/admin/bans/" + maxUser, "", ownerToken).code(),
            "admin_only");
  EXPECT_EQ(rest(portA, "DELETE", "/api/v1/admin/bans/" + maxUser, "", "").code(), "unauthorized");
  WsClient& max = connect(portB, maxToken, &pMax);
  join(max, "study-a", "j1");
  ASSERT_TRUE(max.waitForError("banned", "j1", Ms(10000)));
  Rest lifted = rest(portB, "DELETE", "/api/v1/admin/bans/" + maxUser, "", admin);
  ASSERT_EQ(lifted.status, 200) << lifted.raw;
  EXPECT_EQ(json::getInt(lifted.json.get(), "lifted").value_or(0), 1);
  Rest again = rest(portB, "DELETE", "/api/v1/admin/bans/" + maxUser, "", admin);
  EXPECT_EQ(again.status, 404) << again.raw;
  EXPECT_EQ(rest(portB, "DELETE", "/api/v1/admin/bans/x1", "", admin).status, 404);
  Rest empty = rest(portA, "GET", "/api/v1/admin/bans", "", admin);
  EXPECT_EQ(json_array_get_length(json::getArray(empty.json.get(), "bans")), 0u) << empty.raw;
  join(max, "study-a", "j2");
  ASSERT_TRUE(max.waitForType("joined", Ms(10000))) << "still refused after the unban";
  Rest unbans = auditUntil("?action=global_unban&target=" + maxUser, 1);
  ASSERT_EQ(json_array_get_length(json::getArray(unbans.json.get(), "entries")), 1u) << unbans.raw;

  // Per room: the owner bans Max from study-a, sees the ban, a member may not lift it, the
  // owner does, and Max is let in again.
  WsClient& mina = joined(portA, accountToken(portA, "mina", "Mina"), "study-a", &pMina);
  olga.send(R"({"type":"ban","id":"b","participant":")" + pMax + R"(","reason":"noise"})");
  ASSERT_TRUE(removed(max, "ban"));
  olga.send(R"({"type":"bans","id":"l"})");
  auto list = olga.waitFor([](JsonObject* o) { return str(o, "type") == "bans"; }, Ms(10000));
  ASSERT_TRUE(list);
  JsonArray* rb = json::getArray(list.get(), "bans");
  ASSERT_TRUE(rb && json_array_get_length(rb) == 1);
  EXPECT_EQ(json::getInt(json_array_get_object_element(rb, 0), "user").value_or(0), maxId);
  EXPECT_EQ(str(json_array_get_object_element(rb, 0), "reason"), "noise");
  mina.send(R"({"type":"unban","id":"mu","user":)" + maxUser + "}");
  EXPECT_TRUE(mina.waitForError("forbidden", "mu", Ms(10000)));
  mina.send(R"({"type":"bans","id":"ml"})");
  EXPECT_TRUE(mina.waitForError("forbidden", "ml", Ms(10000)));
  std::string pMax2;
  WsClient& max2 = connect(portB, maxToken, &pMax2);
  join(max2, "study-a", "j3");
  ASSERT_TRUE(max2.waitForError("banned", "j3", Ms(10000)));
  olga.send(R"({"type":"unban","id":"u","user":)" + maxUser + "}");
  ASSERT_TRUE(olga.waitFor(
      [](JsonObject* o) { return str(o, "type") == "ack" && str(o, "action") == "unban"; },
      Ms(10000)));
  EXPECT_TRUE(mina.waitFor(
      [&](JsonObject* o) {
        return str(o, "type") == "moderated" && str(o, "action") == "unban" &&
               json::getInt(o, "user").value_or(0) == maxId;
      },
      Ms(10000)));
  olga.send(R"({"type":"unban","id":"u2","user":)" + maxUser + "}");
  EXPECT_TRUE(olga.waitForError("not_banned", "u2", Ms(10000)));
  join(max2, "study-a", "j4");
  EXPECT_TRUE(max2.waitForType("joined", Ms(10000))) << "still refused after the room unban";
  Rest roomUnbans = auditUntil("?room=study-a&action=unban", 1);
  JsonArray* ru = json::getArray(roomUnbans.json.get(), "entries");
  ASSERT_TRUE(ru && json_array_get_length(ru) == 1) << roomUnbans.raw;
  EXPECT_EQ(json::getInt(json::getObject(json_array_get_object_element(ru, 0), "target"), "user")
                .value_or(0),
            maxId);
}
