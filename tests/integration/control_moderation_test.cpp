// Moderation through real WebSockets on a real control plane (MariaDB, Redis, SFU): the roles
// of the permission matrix for a representative set of actions, kick, ban (the rejoin refused
// with the reason), enforced mute that the muted one cannot undo, lock, waiting room, the AFK
// check, ownership handover and passing, close room, and the audit log.
#include <gtest/gtest.h>

#include <fstream>
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

constexpr const char* kRoom = "mod-room";

class ControlModeration : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = artifactDir("ControlModeration");
    db = std::make_unique<MariaDbServer>(dir + "/db");
    std::ofstream(dir + "/admin.pw") << "admin-password-1\n";
    StackOptions o;
    o.controlArgs = {"--mysql-socket",   db->socket(), "--mysql-database",      "carrel_mod",
                     "--admin-login",    "root_admin", "--admin-password-file", dir + "/admin.pw",
                     "--afk-timeout-ms", "1500"};
    stack = std::make_unique<CarrelStack>(dir, o);
    port = stack->controlPort();
    ownerToken = accountToken(port, "olga", "Olga Owner");
    Rest r = rest(port, "POST", "/api/v1/rooms",
                  std::string(R"({"id":")") + kRoom + R"(","title":"Moderated"})", ownerToken);
    ASSERT_EQ(r.status, 201) << r.raw;
  }
  void TearDown() override {
    clients.clear();
    stack.reset();
    db.reset();
  }
  std::string adminToken() {
    Rest in = rest(port, "POST", "/api/v1/auth/login",
                   R"({"login":"root_admin","password":"admin-password-1"})");
    return json::getString(in.json.get(), "token").value_or("");
  }
  // A signed-in client that said hello; its participant id in *participant.
  WsClient& connect(const std::string& token, std::string* participant) {
    clients.push_back(std::make_unique<WsClient>());
    WsClient& c = *clients.back();
    EXPECT_TRUE(c.connect(wsUrlWithToken(port, token)));
    *participant = c.hello("x");
    EXPECT_FALSE(participant->empty());
    return c;
  }
  WsClient& joined(const std::string& token, std::string* participant) {
    WsClient& c = connect(token, participant);
    c.send(std::string(R"({"type":"join","id":"j","room":")") + kRoom + "\"}");
    EXPECT_TRUE(c.waitForType("joined", Ms(10000))) << *participant;
    return c;
  }
  static std::string act(const std::string& type, const std::string& target,
                         const std::string& extra = "") {
    return R"({"type":")" + type + R"(","id":")" + type + R"(","participant":")" + target + "\"" +
           extra + "}";
  }
  static bool refused(WsClient& c, const std::string& code, const std::string& ref) {
    return static_cast<bool>(c.waitForError(code, ref));
  }
  static bool acked(WsClient& c, const std::string& action) {
    return static_cast<bool>(c.waitFor(
        [&](JsonObject* o) { return str(o, "type") == "ack" && str(o, "action") == action; }));
  }
  static JsonObjectPtr roleMessage(WsClient& c, const std::string& role) {
    return c.waitFor(
        [&](JsonObject* o) { return str(o, "type") == "role" && str(o, "role") == role; });
  }

  std::string dir;
  std::unique_ptr<MariaDbServer> db;
  std::unique_ptr<CarrelStack> stack;
  std::vector<std::unique_ptr<WsClient>> clients;
  int port = 0;
  std::string ownerToken;
};

}  // namespace

TEST_F(ControlModeration, RolesKickBanMuteLockWaitingRoomAndAfk) {
  std::string pOwner, pMina, pMax, pAdmin;
  WsClient& owner = joined(ownerToken, &pOwner);
  ASSERT_TRUE(roleMessage(owner, "owner"));
  WsClient& mina = joined(accountToken(port, "mina", "Mina"), &pMina);
  ASSERT_TRUE(roleMessage(mina, "member"));
  std::string maxToken = accountToken(port, "max", "Max");
  WsClient& max = joined(maxToken, &pMax);
  WsClient& admin = joined(adminToken(), &pAdmin);
  ASSERT_TRUE(roleMessage(admin, "admin"));

  // A member may not moderate; an outsider (signed in, not in the room) neither.
  mina.send(act("kick", pMax));
  EXPECT_TRUE(refused(mina, "forbidden", "kick"));
  std::string pOut;
  WsClient& outsider = connect(accountToken(port, "out", "Outsider"), &pOut);
  outsider.send(act("kick", pMax));
  EXPECT_TRUE(refused(outsider, "not_in_room", "kick"));
  mina.send(R"({"type":"close_room","id":"close_room"})");
  EXPECT_TRUE(refused(mina, "owner_only", "close_room"));

  // The owner appoints Mina; everyone is told; now she may, but not against the owner or admin.
  owner.send(act("set_moderator", pMina, R"(,"moderator":true)"));
  EXPECT_TRUE(acked(owner, "set_moderator"));
  EXPECT_TRUE(roleMessage(mina, "moderator"));
  EXPECT_TRUE(max.waitFor([&](JsonObject* o) {
    return str(o, "type") == "role_changed" && str(o, "participant") == pMina &&
           str(o, "role") == "moderator";
  }));
  mina.send(act("kick", pOwner));
  EXPECT_TRUE(refused(mina, "outranked", "kick"));
  mina.send(act("mute_participant", pAdmin, R"(,"kind":"audio","muted":true)"));
  EXPECT_TRUE(refused(mina, "outranked", "mute_participant"));
  mina.send(R"({"type":"close_room","id":"close_room"})");
  EXPECT_TRUE(refused(mina, "owner_only", "close_room"));
  mina.send(act("kick", "pnobody"));
  EXPECT_TRUE(refused(mina, "no_such_participant", "kick"));
  mina.send(act("mute_participant", pMax, R"(,"kind":"smell","muted":true)"));
  EXPECT_TRUE(refused(mina, "invalid_field", "mute_participant"));

  // Enforced mute: Max is told, and cannot unmute himself until allowed.
  mina.send(act("mute_participant", pMax, R"(,"kind":"audio","muted":true)"));
  EXPECT_TRUE(acked(mina, "mute_participant"));
  EXPECT_TRUE(max.waitFor([](JsonObject* o) {
    return str(o, "type") == "force_muted" && str(o, "kind") == "audio" &&
           json::getBool(o, "muted") == true;
  }));
  max.send(R"({"type":"mute","id":"um","kind":"audio","muted":false})");
  EXPECT_TRUE(refused(max, "muted_by_moderator", "um"));
  max.send(R"({"type":"mute","id":"vm","kind":"video","muted":false})");  // video is his own
  EXPECT_TRUE(max.waitFor(
      [&](JsonObject* o) { return str(o, "type") == "track_muted" && str(o, "kind") == "video"; }));
  mina.send(act("mute_participant", pMax, R"(,"kind":"audio","muted":false)"));
  EXPECT_TRUE(acked(mina, "mute_participant"));
  EXPECT_TRUE(max.waitFor([](JsonObject* o) {
    return str(o, "type") == "force_muted" && json::getBool(o, "muted") == false;
  }));
  max.send(R"({"type":"mute","id":"um2","kind":"audio","muted":false})");
  EXPECT_TRUE(max.waitFor(
      [&](JsonObject* o) { return str(o, "type") == "track_muted" && str(o, "kind") == "audio"; }));

  // Kick with a reason: Max is told and removed; the room sees it.
  mina.send(act("kick", pMax, R"(,"reason":"shouting")"));
  EXPECT_TRUE(acked(mina, "kick"));
  auto removed = max.waitForType("removed");
  ASSERT_TRUE(removed);
  EXPECT_EQ(str(removed.get(), "action"), "kick");
  EXPECT_EQ(str(removed.get(), "reason"), "shouting");
  EXPECT_TRUE(max.waitForType("left"));
  EXPECT_TRUE(owner.waitFor([&](JsonObject* o) {
    return str(o, "type") == "participant_left" && str(o, "participant") == pMax &&
           str(o, "reason") == "kicked";
  }));
  // A kick is not a ban: he may come back.
  max.send(std::string(R"({"type":"join","id":"j2","room":")") + kRoom + "\"}");
  ASSERT_TRUE(max.waitForType("joined", Ms(10000)));

  // Ban for ten minutes: removed, and the rejoin is refused with the reason and the end.
  mina.send(act("ban", pMax, R"(,"reason":"spam","minutes":10)"));
  EXPECT_TRUE(acked(mina, "ban"));
  removed = max.waitForType("removed");
  ASSERT_TRUE(removed);
  EXPECT_EQ(str(removed.get(), "action"), "ban");
  EXPECT_TRUE(max.waitForType("left"));
  max.send(std::string(R"({"type":"join","id":"j3","room":")") + kRoom + "\"}");
  auto banned = max.waitForError("banned", "j3");
  ASSERT_TRUE(banned);
  EXPECT_EQ(str(banned.get(), "reason"), "spam");
  EXPECT_GT(json::getInt(banned.get(), "until").value_or(0), 0);
  // Also on a new connection.
  std::string pMax2;
  WsClient& max2 = connect(maxToken, &pMax2);
  max2.send(std::string(R"({"type":"join","id":"j4","room":")") + kRoom + "\"}");
  EXPECT_TRUE(refused(max2, "banned", "j4"));

  // Lock: a newcomer is refused; after unlocking, let in.
  mina.send(R"({"type":"lock_room","id":"lock_room","locked":true})");
  EXPECT_TRUE(acked(mina, "lock_room"));
  std::string zedToken = accountToken(port, "zed", "Zed"), pZed;
  WsClient& zed = connect(zedToken, &pZed);
  zed.send(std::string(R"({"type":"join","id":"jz","room":")") + kRoom + "\"}");
  EXPECT_TRUE(refused(zed, "locked_by_moderator", "jz"));
  mina.send(R"({"type":"lock_room","id":"lock_room","locked":false})");
  EXPECT_TRUE(acked(mina, "lock_room"));
  zed.send(std::string(R"({"type":"join","id":"jz2","room":")") + kRoom + "\"}");
  ASSERT_TRUE(zed.waitForType("joined", Ms(10000)));

  // Waiting room: joiners wait; a moderator is told and admits one, refuses another.
  mina.send(R"({"type":"waiting_room","id":"waiting_room","enabled":true})");
  EXPECT_TRUE(acked(mina, "waiting_room"));
  std::string pAnn, pBob;
  WsClient& ann = connect(accountToken(port, "ann", "Ann"), &pAnn);
  WsClient& bob = connect(accountToken(port, "bob", "Bob"), &pBob);
  ann.send(std::string(R"({"type":"join","id":"ja","room":")") + kRoom + "\"}");
  bob.send(std::string(R"({"type":"join","id":"jb","room":")") + kRoom + "\"}");
  EXPECT_TRUE(ann.waitForType("waiting"));
  EXPECT_TRUE(bob.waitForType("waiting"));
  EXPECT_TRUE(mina.waitFor([&](JsonObject* o) {
    return str(o, "type") == "knock" && str(o, "participant") == pAnn && str(o, "name") == "Ann";
  }));
  EXPECT_TRUE(zed.noneWithin([](JsonObject* o) { return str(o, "type") == "knock"; }, Ms(300)));
  EXPECT_TRUE(ann.noneWithin([](JsonObject* o) { return str(o, "type") == "joined"; }, Ms(500)));
  mina.send(act("admit", pAnn, R"(,"admit":true)"));
  EXPECT_TRUE(ann.waitForType("joined", Ms(10000)));
  mina.send(act("admit", pBob, R"(,"admit":false)"));
  EXPECT_TRUE(refused(bob, "refused", "jb"));

  // AFK check: Zed answers and stays; Ann does not and is removed.
  mina.send(act("afk_check", pZed));
  ASSERT_TRUE(zed.waitForType("afk_check"));
  zed.send(R"({"type":"afk_confirm","id":"afk_confirm"})");
  EXPECT_TRUE(acked(zed, "afk_confirm"));
  mina.send(act("afk_check", pAnn));
  ASSERT_TRUE(ann.waitForType("afk_check"));
  removed = ann.waitForType("removed", Ms(8000));
  ASSERT_TRUE(removed);
  EXPECT_EQ(str(removed.get(), "action"), "afk");
  EXPECT_TRUE(zed.noneWithin([](JsonObject* o) { return str(o, "type") == "removed"; }, Ms(500)));
  zed.send(R"({"type":"afk_confirm","id":"late"})");
  EXPECT_TRUE(refused(zed, "no_afk_check", "late"));
}

TEST_F(ControlModeration, OwnershipCloseRoomAndAuditLog) {
  std::string pOwner, pMina, pMax;
  WsClient& owner = joined(ownerToken, &pOwner);
  WsClient& mina = joined(accountToken(port, "mina", "Mina"), &pMina);
  WsClient& max = joined(accountToken(port, "max", "Max"), &pMax);
  ASSERT_TRUE(roleMessage(owner, "owner"));

  owner.send(act("kick", pMax, R"(,"reason":"test kick")"));
  EXPECT_TRUE(acked(owner, "kick"));
  ASSERT_TRUE(max.waitForType("removed"));
  ASSERT_TRUE(max.waitForType("left"));
  max.send(std::string(R"({"type":"join","id":"j2","room":")") + kRoom + "\"}");
  ASSERT_TRUE(max.waitForType("joined", Ms(10000)));

  // Handover: Mina owns the room, Olga becomes a member (and may no longer close it).
  owner.send(act("transfer_ownership", pMina));
  EXPECT_TRUE(acked(owner, "transfer_ownership"));
  EXPECT_TRUE(roleMessage(mina, "owner"));
  EXPECT_TRUE(roleMessage(owner, "member"));
  owner.send(R"({"type":"close_room","id":"close_room"})");
  EXPECT_TRUE(refused(owner, "owner_only", "close_room"));
  Rest room = rest(port, "GET", std::string("/api/v1/rooms/") + kRoom, "");
  EXPECT_EQ(str(json::getObject(json::getObject(room.json.get(), "room"), "owner"), "display_name"),
            "Mina");

  // The owner leaves for good: the longest-present signed-in member (Olga) inherits it.
  mina.send(R"({"type":"leave","id":"bye"})");
  ASSERT_TRUE(mina.waitForType("left"));
  EXPECT_TRUE(roleMessage(owner, "owner"));
  EXPECT_TRUE(max.waitFor([&](JsonObject* o) {
    return str(o, "type") == "role_changed" && str(o, "participant") == pOwner &&
           str(o, "role") == "owner";
  }));

  // The audit log: the owner reads it; a member may not.
  max.send(R"({"type":"audit_log","id":"al"})");
  EXPECT_TRUE(refused(max, "owner_only", "al"));
  owner.send(R"({"type":"audit_log","id":"al"})");
  auto log = owner.waitForType("audit_log");
  ASSERT_TRUE(log);
  JsonArray* entries = json::getArray(log.get(), "entries");
  ASSERT_TRUE(entries);
  std::vector<std::string> actions;
  for (guint i = 0; i < json_array_get_length(entries); ++i) {
    actions.push_back(str(json_array_get_object_element(entries, i), "action"));
  }
  // Newest first.
  ASSERT_EQ(actions, (std::vector<std::string>{"owner_passed", "transfer_ownership", "kick"}));
  JsonObject* kick = json_array_get_object_element(entries, 2);
  EXPECT_EQ(str(kick, "reason"), "test kick");
  EXPECT_EQ(str(json::getObject(kick, "actor"), "name"), "Olga Owner");
  EXPECT_EQ(str(json::getObject(kick, "target"), "name"), "Max");
  EXPECT_FALSE(str(kick, "at").empty());

  // Close: everyone out.
  owner.send(R"({"type":"close_room","id":"close_room","reason":"done for today"})");
  for (WsClient* c : {&owner, &max}) {
    auto r = c->waitForType("removed");
    ASSERT_TRUE(r);
    EXPECT_EQ(str(r.get(), "action"), "room_closed");
    EXPECT_EQ(str(r.get(), "reason"), "done for today");
    EXPECT_TRUE(c->waitForType("left"));
  }
}

TEST_F(ControlModeration, ModeratorsOwnersAndAdminsDeleteAnyChatMessage) {
  std::string pOwner, pMina, pMax, pAdmin, pOut;
  WsClient& owner = joined(ownerToken, &pOwner);
  ASSERT_TRUE(roleMessage(owner, "owner"));
  WsClient& mina = joined(accountToken(port, "mina", "Mina"), &pMina);
  WsClient& max = joined(accountToken(port, "max", "Max"), &pMax);
  WsClient& admin = joined(adminToken(), &pAdmin);
  ASSERT_TRUE(roleMessage(admin, "admin"));
  // Max writes four messages; their ids come with the acks.
  std::vector<int64_t> ids;
  for (int i = 0; i < 4; ++i) {
    std::string ref = std::string("c").append(std::to_string(i));
    max.send(std::string(R"({"type":"chat","id":")")
                 .append(ref)
                 .append(R"(","text":"message )")
                 .append(std::to_string(i))
                 .append("\"}"));
    auto a = max.waitFor(
        [&](JsonObject* o) { return str(o, "type") == "chat_ack" && str(o, "ref") == ref; });
    ASSERT_TRUE(a);
    ids.push_back(json::getInt(a.get(), "id").value_or(0));
    ASSERT_GT(ids.back(), 0);
  }
  auto del = [](int64_t id, const std::string& ref) {
    return std::string(R"({"type":"chat_delete","id":")")
        .append(ref)
        .append(R"(","message":)")
        .append(std::to_string(id))
        .append("}");
  };
  auto deletedFor = [&](WsClient& c, int64_t id, const std::string& by) {
    auto ev = c.waitFor([&](JsonObject* o) {
      return str(o, "type") == "chat_deleted" && json::getInt(o, "id").value_or(0) == id;
    });
    return ev && str(ev.get(), "by") == by && json::getBool(ev.get(), "moderated") == true;
  };

  // A member may not delete someone else's message; it stays.
  mina.send(del(ids[0], "m0"));
  EXPECT_TRUE(refused(mina, "not_your_message", "m0"));
  // Nor someone outside the room.
  WsClient& outsider = connect(accountToken(port, "out", "Outsider"), &pOut);
  outsider.send(del(ids[0], "o0"));
  EXPECT_TRUE(refused(outsider, "not_in_room", "o0"));
  EXPECT_EQ(db->query(std::string("SELECT deleted_ms IS NULL FROM carrel_mod.chat_messages "
                                  "WHERE id = ")
                          .append(std::to_string(ids[0]))),
            "1\n");

  // The owner, an appointed moderator and an admin may; the room is told who did it.
  owner.send(del(ids[0], "d0"));
  EXPECT_TRUE(owner.waitFor(
      [](JsonObject* o) { return str(o, "type") == "chat_ack" && str(o, "ref") == "d0"; }));
  EXPECT_TRUE(deletedFor(max, ids[0], pOwner));
  EXPECT_TRUE(deletedFor(mina, ids[0], pOwner));

  owner.send(act("set_moderator", pMina, R"(,"moderator":true)"));
  ASSERT_TRUE(acked(owner, "set_moderator"));
  ASSERT_TRUE(roleMessage(mina, "moderator"));
  mina.send(del(ids[1], "m1"));
  EXPECT_TRUE(mina.waitFor(
      [](JsonObject* o) { return str(o, "type") == "chat_ack" && str(o, "ref") == "m1"; }));
  EXPECT_TRUE(deletedFor(max, ids[1], pMina));

  admin.send(del(ids[2], "a2"));
  EXPECT_TRUE(admin.waitFor(
      [](JsonObject* o) { return str(o, "type") == "chat_ack" && str(o, "ref") == "a2"; }));
  EXPECT_TRUE(deletedFor(owner, ids[2], pAdmin));
  // A deleted message cannot be deleted twice.
  admin.send(del(ids[2], "a2b"));
  EXPECT_TRUE(refused(admin, "no_such_message", "a2b"));

  // Max deleting his own is no moderation: not marked, not audited.
  max.send(del(ids[3], "own"));
  auto own = mina.waitFor([&](JsonObject* o) {
    return str(o, "type") == "chat_deleted" && json::getInt(o, "id").value_or(0) == ids[3];
  });
  ASSERT_TRUE(own);
  EXPECT_EQ(json::getBool(own.get(), "moderated"), false);

  // Erased in MariaDB: tombstones with who deleted them.
  EXPECT_EQ(db->query("SELECT COUNT(*) FROM carrel_mod.chat_messages WHERE deleted_ms IS NOT NULL "
                      "AND body = ''"),
            "4\n");

  // The audit log has the three moderated deletes (newest first), with the author as target.
  owner.send(R"({"type":"audit_log","id":"al"})");
  auto log = owner.waitForType("audit_log");
  ASSERT_TRUE(log);
  JsonArray* entries = json::getArray(log.get(), "entries");
  ASSERT_TRUE(entries);
  std::vector<std::string> rows;
  for (guint i = 0; i < json_array_get_length(entries); ++i) {
    JsonObject* e = json_array_get_object_element(entries, i);
    if (str(e, "action") != "delete_chat") continue;
    rows.push_back(str(json::getObject(e, "actor"), "name") + ">" +
                   str(json::getObject(e, "target"), "name") + ":" + str(e, "reason"));
  }
  auto row = [&](const char* who, int64_t id) {
    return std::string(who).append(">Max:chat message ").append(std::to_string(id));
  };
  EXPECT_EQ(rows, (std::vector<std::string>{row("root_admin", ids[2]), row("Mina", ids[1]),
                                            row("Olga Owner", ids[0])}));
}

TEST_F(ControlModeration, AfkPolicyChecksACameraKeptOff) {
  std::string pOwner, pMina, pMax;
  WsClient& owner = joined(ownerToken, &pOwner);
  WsClient& mina = joined(accountToken(port, "mina", "Mina"), &pMina);
  WsClient& max = joined(accountToken(port, "max", "Max"), &pMax);

  // Only moderators set the policy; its limit is checked.
  mina.send(R"({"type":"afk_policy","id":"p","camera_off_seconds":2})");
  EXPECT_TRUE(refused(mina, "forbidden", "p"));
  for (const char* bad : {"-1", "86401", "\"2\""}) {
    owner.send(std::string(R"({"type":"afk_policy","id":"bad","camera_off_seconds":)") + bad + "}");
    EXPECT_TRUE(refused(owner, "invalid_field", "bad")) << bad;
  }
  owner.send(R"({"type":"afk_policy","id":"p","camera_off_seconds":2})");
  ASSERT_TRUE(acked(owner, "afk_policy"));
  EXPECT_TRUE(max.waitFor([](JsonObject* o) {
    return str(o, "type") == "moderated" && str(o, "action") == "afk_policy" &&
           json::getInt(o, "camera_off_seconds") == 2;
  }));

  // Mina keeps her camera off past the limit and does not answer: she is removed. Max turns
  // his back on in time and is never asked.
  auto checked = [](JsonObject* o) { return str(o, "type") == "afk_check"; };
  mina.send(R"({"type":"mute","kind":"video","muted":true})");
  max.send(R"({"type":"mute","kind":"video","muted":true})");
  std::this_thread::sleep_for(Ms(500));
  max.send(R"({"type":"mute","kind":"video","muted":false})");
  EXPECT_TRUE(mina.noneWithin(checked, Ms(1000))) << "checked before the limit";
  ASSERT_TRUE(mina.waitFor(checked, Ms(5000))) << "no presence check after the limit";
  auto out = mina.waitFor(
      [](JsonObject* o) { return str(o, "type") == "removed" && str(o, "action") == "afk"; },
      Ms(8000));
  EXPECT_TRUE(out) << "an unanswered check did not remove her";
  EXPECT_TRUE(owner.waitFor([&](JsonObject* o) {
    return str(o, "type") == "participant_left" && str(o, "participant") == pMina;
  }));
  EXPECT_TRUE(max.noneWithin(checked, Ms(1000))) << "a camera turned back on was checked";

  // The policy is the room's: it is in MariaDB, and the audit log names the policy's check.
  EXPECT_EQ(db->query("SELECT afk_camera_off_seconds FROM carrel_mod.room_moderation WHERE "
                      "room_id = 'mod-room'"),
            "2\n");
  EXPECT_NE(db->query("SELECT COUNT(*) FROM carrel_mod.audit_log WHERE action = 'afk_check' AND "
                      "reason LIKE '%room policy%'"),
            "0\n");
}

TEST_F(ControlModeration, AJoinerLearnsTheRoomsLockWaitingRoomAndPresencePolicy) {
  std::string pOlga, pAdmin, pAnn;
  WsClient& olga = joined(ownerToken, &pOlga);
  JsonObjectPtr fresh = olga.waitForType("room_moderation", Ms(10000));
  ASSERT_TRUE(fresh) << "no room_moderation after joined";
  EXPECT_FALSE(json::getBool(fresh.get(), "locked").value_or(true));
  EXPECT_FALSE(json::getBool(fresh.get(), "waiting_room").value_or(true));
  EXPECT_EQ(json::getInt(fresh.get(), "camera_off_seconds").value_or(-1), 0);
  olga.send(R"({"type":"lock_room","id":"lock_room","locked":true})");
  EXPECT_TRUE(acked(olga, "lock_room"));
  olga.send(R"({"type":"waiting_room","id":"waiting_room","enabled":true})");
  EXPECT_TRUE(acked(olga, "waiting_room"));
  olga.send(R"({"type":"afk_policy","id":"afk_policy","camera_off_seconds":600})");
  EXPECT_TRUE(acked(olga, "afk_policy"));

  // An admin comes in past the lock: their moderators' panel starts from the room's state.
  WsClient& admin = joined(adminToken(), &pAdmin);
  JsonObjectPtr state = admin.waitForType("room_moderation", Ms(10000));
  ASSERT_TRUE(state);
  EXPECT_TRUE(json::getBool(state.get(), "locked").value_or(false));
  EXPECT_TRUE(json::getBool(state.get(), "waiting_room").value_or(false));
  EXPECT_EQ(json::getInt(state.get(), "camera_off_seconds").value_or(0), 600);

  // Unlocked, a member waits, is admitted (back through the join gate) and hears the same.
  olga.send(R"({"type":"lock_room","id":"lock_room","locked":false})");
  ASSERT_TRUE(olga.waitFor([](JsonObject* o) {
    return str(o, "type") == "moderated" && str(o, "action") == "lock_room" &&
           !json::getBool(o, "locked").value_or(true);
  }));
  WsClient& ann = connect(accountToken(port, "ann", "Ann"), &pAnn);
  ann.send(std::string(R"({"type":"join","id":"ja","room":")") + kRoom + "\"}");
  ASSERT_TRUE(ann.waitForType("waiting", Ms(10000)));
  EXPECT_FALSE(ann.waitForType("room_moderation", Ms(300)));
  admin.send(act("admit", pAnn, R"(,"admit":true)"));
  ASSERT_TRUE(ann.waitForType("joined", Ms(10000)));
  JsonObjectPtr annState = ann.waitForType("room_moderation", Ms(10000));
  ASSERT_TRUE(annState);
  EXPECT_FALSE(json::getBool(annState.get(), "locked").value_or(true));
  EXPECT_TRUE(json::getBool(annState.get(), "waiting_room").value_or(false));
}
