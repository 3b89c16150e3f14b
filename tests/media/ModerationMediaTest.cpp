// Moderation enforced on real media (issue 7): real carrel-peers signed in to a control plane
// with MariaDB, moderated by the room's owner over a WebSocket. After a moderator's mute the
// subscriber receives no more packets of that track within a second although the muted peer
// keeps sending; allowing it brings the track back; a kicked peer's media stops reaching the
// room; a banned peer's rejoin is refused; a locked room refuses a join; the waiting room
// lets a peer in only when a moderator admits it (and a refused one never gets in); an
// unanswered AFK check removes the peer.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "../integration/control_rest_client.hpp"
#include "CarrelStack.hpp"
#include "MariaDbServer.hpp"
#include "MediaTestUtil.hpp"
#include "PeerOutput.hpp"
#include "TestEnv.hpp"
#include "WsClient.hpp"

using namespace carrel;
using namespace carrel::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* kRoom = "hall";

std::string str(JsonObject* o, const char* name) {
  return json::getString(o, name).value_or("");
}

struct Counts {
  int64_t video = -1;
  int64_t audio = -1;
};

Counts received(Process& viewer, const std::string& who) {
  PeerView v = readPeer(viewer);
  Counts c;
  if (const RemoteTrack* t = v.find(who, "video")) c.video = t->packets;
  if (const RemoteTrack* t = v.find(who, "audio")) c.audio = t->packets;
  return c;
}

// What the peer itself sent so far (its latest stats line).
int64_t published(Process& p, const char* field) {
  auto stats = peerEvents(p, "stats");
  if (stats.empty()) return -1;
  JsonObject* pub = json::getObject(stats.back().get(), "published");
  return pub ? json::getInt(pub, field).value_or(-1) : -1;
}

// The first line of this event whose field has this value (null when none yet).
JsonObjectPtr eventWith(Process& p, const std::string& event, const char* field,
                        const std::string& value) {
  for (auto& o : peerEvents(p, event)) {
    if (str(o.get(), field) == value) return std::move(o);
  }
  return {};
}

class ModerationMedia : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = artifactDir(currentTestName());
    db = std::make_unique<MariaDbServer>(dir + "/db");
    StackOptions o;
    o.membersWithoutMedia = true;  // the owner moderates over a WsClient
    o.controlArgs = {"--mysql-socket",  db->socket(),       "--mysql-database",
                     "carrel_modmedia", "--afk-timeout-ms", "2000"};
    stack = std::make_unique<CarrelStack>(dir, o);
    port = stack->controlPort();
    std::string ownerToken = token("olga", "Olga");
    Rest r = rest(port, "POST", "/api/v1/rooms",
                  std::string(R"({"id":")") + kRoom + R"(","title":"Hall"})", ownerToken);
    ASSERT_EQ(r.status, 201) << r.raw;
    // The owner moderates over a WebSocket of her own (no media needed for that).
    ASSERT_TRUE(
        owner.connect("ws://127.0.0.1:" + std::to_string(port) + "/ws?token=" + ownerToken));
    ASSERT_FALSE(owner.hello("Olga").empty());
    owner.send(std::string(R"({"type":"join","id":"j","room":")") + kRoom + "\"}");
    ASSERT_TRUE(owner.waitForType("joined", 10s));
    ASSERT_TRUE(owner.waitFor(
        [](JsonObject* m) { return str(m, "type") == "role" && str(m, "role") == "owner"; }));
  }
  void TearDown() override {
    for (auto& p : peers) {
      if (p->running()) p->stop(10s);
      saveOutput(*p, p->logPath() + ".stdout");
    }
    peers.clear();
    stack.reset();
    db.reset();
  }

  // Signs up (once) and logs in: the access token.
  std::string token(const std::string& login, const std::string& name) {
    json::Object up;
    up.set("login", login).set("password", "password-123").set("display_name", name);
    rest(port, "POST", "/api/v1/auth/signup", up.str());
    json::Object in;
    in.set("login", login).set("password", "password-123");
    Rest r = rest(port, "POST", "/api/v1/auth/login", in.str());
    std::string t = json::getString(r.json.get(), "token").value_or("");
    EXPECT_FALSE(t.empty()) << r.raw;
    return t;
  }
  Process& peer(const std::string& name, const std::string& tok, std::vector<std::string> extra) {
    std::vector<std::string> args{
        "--room",  kRoom, "--json", "--stats-interval-ms", "200", "--print-moderation",
        "--token", tok};
    args.insert(args.end(), extra.begin(), extra.end());
    peers.push_back(stack->startPeer(name, args));
    return *peers.back();
  }
  // Sends a moderation message and waits for its ack.
  bool moderate(const std::string& message, const std::string& action) {
    owner.send(message);
    return static_cast<bool>(owner.waitFor(
        [&](JsonObject* m) { return str(m, "type") == "ack" && str(m, "action") == action; }, 10s));
  }
  static std::string act(const std::string& type, const std::string& target,
                         const std::string& extra = "") {
    return R"({"type":")" + type + R"(","id":")" + type + R"(","participant":")" + target + "\"" +
           extra + "}";
  }
  // The peer exited by itself on the server's typed error code.
  static bool refusedWith(Process& p, const std::string& code) {
    int status = 0;
    if (!p.waitExit(20s, &status)) return false;
    return static_cast<bool>(eventWith(p, "error", "code", code));
  }

  std::string dir;
  std::unique_ptr<MariaDbServer> db;
  std::unique_ptr<CarrelStack> stack;
  std::vector<std::unique_ptr<Process>> peers;
  WsClient owner;
  int port = 0;
};

}  // namespace

TEST_F(ModerationMedia, MuteStopsForwardingKickEndsMediaBanRefusesRejoin) {
  Process& ana = peer("ana", token("ana", "Ana"), {});
  Process& ben = peer("ben", token("ben", "Ben"), {"--no-publish"});
  std::string ida = waitForWelcome(ana, 20s);
  ASSERT_FALSE(ida.empty());
  ASSERT_TRUE(eventually(
      [&] {
        Counts c = received(ben, ida);
        return c.video > 50 && c.audio > 20;
      },
      30s))
      << ben.logPath();

  // The owner mutes Ana's camera: Ben gets no more of it within a second; her microphone
  // goes on; she keeps sending video all along.
  ASSERT_TRUE(moderate(act("mute_participant", ida, R"(,"kind":"video","muted":true)"),
                       "mute_participant"));
  std::this_thread::sleep_for(1s);
  Counts atMute = received(ben, ida);
  int64_t sentAtMute = published(ana, "video_frames");
  std::this_thread::sleep_for(3s);
  Counts later = received(ben, ida);
  EXPECT_EQ(later.video, atMute.video) << "a moderator-muted camera is still forwarded";
  EXPECT_GT(later.audio, atMute.audio + 50) << "the microphone stopped too";
  EXPECT_GT(published(ana, "video_frames"), sentAtMute + 30) << "the muted peer stopped sending";
  auto told = eventWith(ana, "force_muted", "kind", "video");
  ASSERT_TRUE(told) << "the muted peer was not told";
  EXPECT_EQ(json::getBool(told.get(), "muted"), true);

  // Microphone too: the audio stops within a second while Ana keeps sending it.
  ASSERT_TRUE(moderate(act("mute_participant", ida, R"(,"kind":"audio","muted":true)"),
                       "mute_participant"));
  std::this_thread::sleep_for(1s);
  Counts audioMuted = received(ben, ida);
  int64_t buffersAtMute = published(ana, "audio_buffers");
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(received(ben, ida).audio, audioMuted.audio) << "a muted microphone is still forwarded";
  EXPECT_GT(published(ana, "audio_buffers"), buffersAtMute + 50);

  // Allowed again: the camera comes back.
  ASSERT_TRUE(moderate(act("mute_participant", ida, R"(,"kind":"video","muted":false)"),
                       "mute_participant"));
  EXPECT_TRUE(eventually([&] { return received(ben, ida).video > later.video + 50; }, 10s))
      << "the camera did not come back when allowed: " << ben.logPath();

  // Kicked: Ana is told why, Ben hears she left, and nothing of hers reaches him any more.
  ASSERT_TRUE(moderate(act("kick", ida, R"(,"reason":"too loud")"), "kick"));
  ASSERT_TRUE(eventually(
      [&] { return static_cast<bool>(eventWith(ana, "removed", "action", "kick")); }, 10s))
      << ana.logPath();
  EXPECT_EQ(str(eventWith(ana, "removed", "action", "kick").get(), "reason"), "too loud");
  EXPECT_TRUE(eventually(
      [&] { return static_cast<bool>(eventWith(ben, "participant_left", "participant", ida)); },
      10s));
  std::this_thread::sleep_for(1s);
  Counts kicked = received(ben, ida);
  std::this_thread::sleep_for(3s);
  Counts afterKick = received(ben, ida);
  EXPECT_GT(kicked.video, later.video) << "the counts vanished instead of standing still";
  EXPECT_EQ(afterKick.video, kicked.video) << "a kicked peer's video still arrives";
  EXPECT_EQ(afterKick.audio, kicked.audio) << "a kicked peer's audio still arrives";
  EXPECT_TRUE(ana.running()) << "the kicked peer is expected to stay connected, out of the room";

  // Banned: removed, and the same account's next join is refused with the reason.
  std::string cleoToken = token("cleo", "Cleo");
  Process& cleo = peer("cleo", cleoToken, {"--no-publish"});
  std::string idc = waitForWelcome(cleo, 20s);
  ASSERT_FALSE(idc.empty());
  ASSERT_TRUE(owner.waitFor(
      [&](JsonObject* m) {
        return str(m, "type") == "participant_joined" && str(m, "participant") == idc;
      },
      20s));
  ASSERT_TRUE(moderate(act("ban", idc, R"(,"reason":"spam")"), "ban"));
  EXPECT_TRUE(eventually(
      [&] { return static_cast<bool>(eventWith(cleo, "removed", "action", "ban")); }, 10s))
      << cleo.logPath();
  cleo.stop(10s);
  Process& again = peer("cleo-again", cleoToken, {"--no-publish"});
  ASSERT_TRUE(refusedWith(again, "banned")) << again.logPath();
  EXPECT_EQ(str(eventWith(again, "error", "code", "banned").get(), "reason"), "spam");
}

TEST_F(ModerationMedia, LockWaitingRoomAndAfkCheck) {
  // Locked: a join is refused.
  ASSERT_TRUE(moderate(R"({"type":"lock_room","id":"l","locked":true})", "lock_room"));
  Process& dan = peer("dan", token("dan", "Dan"), {"--no-publish"});
  ASSERT_TRUE(refusedWith(dan, "locked_by_moderator")) << dan.logPath();
  ASSERT_TRUE(moderate(R"({"type":"lock_room","id":"u","locked":false})", "lock_room"));

  // Waiting room: Eve waits (no "joined", no media) until the owner admits her.
  ASSERT_TRUE(moderate(R"({"type":"waiting_room","id":"w","enabled":true})", "waiting_room"));
  Process& eve = peer("eve", token("eve", "Eve"), {});
  std::string ide = waitForWelcome(eve, 20s);
  ASSERT_FALSE(ide.empty());
  auto knock = owner.waitFor(
      [&](JsonObject* m) { return str(m, "type") == "knock" && str(m, "participant") == ide; },
      20s);
  ASSERT_TRUE(knock) << "the owner was not told that Eve waits";
  EXPECT_EQ(str(knock.get(), "name"), "Eve");
  EXPECT_TRUE(eventually([&] { return !peerEvents(eve, "waiting").empty(); }, 10s));
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(readPeer(eve).joinedMs, -1) << "Eve got in without being admitted";
  ASSERT_TRUE(moderate(act("admit", ide, R"(,"admit":true)"), "admit"));
  EXPECT_TRUE(eventually([&] { return readPeer(eve).joinedMs >= 0; }, 20s)) << eve.logPath();
  EXPECT_TRUE(owner.waitFor(
      [&](JsonObject* m) {
        return str(m, "type") == "participant_joined" && str(m, "participant") == ide;
      },
      20s));

  // A refused joiner never gets in.
  Process& fay = peer("fay", token("fay", "Fay"), {"--no-publish"});
  std::string idf = waitForWelcome(fay, 20s);
  ASSERT_FALSE(idf.empty());
  ASSERT_TRUE(owner.waitFor(
      [&](JsonObject* m) { return str(m, "type") == "knock" && str(m, "participant") == idf; },
      20s));
  ASSERT_TRUE(moderate(act("admit", idf, R"(,"admit":false)"), "admit"));
  EXPECT_TRUE(refusedWith(fay, "refused")) << fay.logPath();
  EXPECT_EQ(readPeer(fay).joinedMs, -1);

  // AFK check that Eve (a peer that never answers) lets run out: she is removed.
  ASSERT_TRUE(moderate(act("afk_check", ide), "afk_check"));
  EXPECT_TRUE(eventually([&] { return !peerEvents(eve, "afk_check").empty(); }, 10s));
  EXPECT_TRUE(eventually(
      [&] { return static_cast<bool>(eventWith(eve, "removed", "action", "afk")); }, 15s))
      << eve.logPath();
  EXPECT_TRUE(owner.waitFor(
      [&](JsonObject* m) {
        return str(m, "type") == "participant_left" && str(m, "participant") == ide;
      },
      10s));
}
