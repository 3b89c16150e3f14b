// Chat with history through a real carrel-control on real MariaDB, Redis and carrel-sfu:
// messages stored before they are acknowledged, history for joiners and paging back, editing
// and deleting one's own, the rate limit, hostile strings kept byte for byte, and no
// acknowledged message lost to a kill -9 of control.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "MariaDbServer.hpp"
#include "RedisServer.hpp"
#include "WsClient.hpp"
#include "control_helpers.hpp"

using namespace carrel;
using namespace carrel::test;
using Ms = std::chrono::milliseconds;

namespace {

bool isType(JsonObject* o, const char* t) {
  return str(o, "type") == t;
}

int64_t num(JsonObject* o, const char* name) {
  return json::getInt(o, name).value_or(-1);
}

// Literal + number without operator+ (which trips GCC 12's -Wrestrict false positive).
std::string tag(const char* prefix, int64_t n) {
  return std::string(prefix).append(std::to_string(n));
}

std::string hex(const std::string& bytes) {
  static const char* digits = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

// Every test gets its own MariaDB, Redis, SFU and control (ctest runs each in its own process).
class ControlChat : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = artifactDir("ControlChat");
    db = std::make_unique<MariaDbServer>(dir + "/db");
    redis = std::make_unique<RedisServer>(dir);
    sfu = std::make_unique<Process>(
        std::vector<std::string>{binary("carrel-sfu"), "--redis-port",
                                 std::to_string(redis->port()), "--node-id", "sfu-chat"},
        dir + "/sfu-chat.log");
    ASSERT_FALSE(sfu->waitForLine(isReadyLine, std::chrono::seconds(20)).empty());
  }

  // A control node on the test's database; a generous rate limit unless told otherwise.
  ControlProcess control(const std::string& id, std::vector<std::string> extra = {}) {
    // Guests (name-only clients) are let in: these tests are about chat, not accounts.
    std::vector<std::string> args{"--mysql-socket", db->socket(), "--mysql-database", "carrel_chat",
                                  "--allow-guests"};
    if (extra.empty()) extra = {"--chat-rate", "1000", "--chat-burst", "1000"};
    args.insert(args.end(), extra.begin(), extra.end());
    ControlProcess c = startControl(dir, redis->port(), id, args);
    // With a database a room must exist before anyone joins it.
    db->query(
        "INSERT IGNORE INTO carrel_chat.rooms (id, title) VALUES ('algebra', 'Algebra'), "
        "('biology', 'Biology'), ('physics', 'Physics'), ('elsewhere', 'Elsewhere'), "
        "('hostile', 'Hostile'), ('ratelimit', 'Rate limit'), ('durable', 'Durable')");
    return c;
  }

  // Says hello and joins room; the history sent after "joined" is left to the caller.
  static void enter(WsClient& c, const ControlProcess& ctl, const std::string& name,
                    const std::string& room) {
    std::string error;
    ASSERT_TRUE(c.connect(ctl.wsUrl(), Ms(5000), &error)) << error;
    ASSERT_FALSE(c.hello(name).empty());
    json::Object j;
    j.set("type", "join").set("room", room);
    c.send(j);
    ASSERT_TRUE(c.waitForType("joined", Ms(10000))) << "joining " << room;
  }

  static void say(WsClient& c, const std::string& text, const std::string& ref) {
    json::Object m;
    m.set("type", "chat").set("text", text).set("id", ref);
    c.send(m);
  }

  static JsonObjectPtr waitRef(WsClient& c, const char* type, const std::string& ref,
                               Ms timeout = Ms(10000)) {
    return c.waitFor([&](JsonObject* o) { return isType(o, type) && str(o, "ref") == ref; },
                     timeout);
  }

  // Sends a chat and returns its stored id (0 when not acknowledged).
  static int64_t post(WsClient& c, const std::string& text, const std::string& ref) {
    say(c, text, ref);
    auto a = waitRef(c, "chat_ack", ref);
    return a ? num(a.get(), "id") : 0;
  }

  static JsonObjectPtr history(WsClient& c, const std::string& ref, int64_t before, int limit) {
    json::Object h;
    h.set("type", "chat_history").set("id", ref).set("limit", limit);
    if (before) h.set("before", before);
    c.send(h);
    return waitRef(c, "chat_history", ref);
  }

  static std::vector<JsonObject*> messages(JsonObject* hist) {
    std::vector<JsonObject*> out;
    JsonArray* a = json::getArray(hist, "messages");
    for (guint i = 0; a && i < json_array_get_length(a); ++i) {
      out.push_back(json_array_get_object_element(a, i));
    }
    return out;
  }

  // The parts of the tests below (each test pays for a MariaDB of its own, so they are few).
  void historyAndPaging(const ControlProcess& ctl);
  void editAndDelete(const ControlProcess& ctl);
  void hostileStrings(const ControlProcess& ctl);
  void rateLimit();

  std::string dir;
  std::unique_ptr<MariaDbServer> db;
  std::unique_ptr<RedisServer> redis;
  std::unique_ptr<Process> sfu;
};

}  // namespace

void ControlChat::historyAndPaging(const ControlProcess& ctl) {
  WsClient ana, bo;
  enter(ana, ctl, "Ana", "algebra");
  enter(bo, ctl, "Bo", "algebra");

  say(ana, "Who has the notes?", "c1");
  auto a = waitRef(ana, "chat_ack", "c1");
  ASSERT_TRUE(a);
  int64_t id = num(a.get(), "id");
  EXPECT_GT(id, 0);
  EXPECT_TRUE(json::getBool(a.get(), "stored").value_or(false));
  int64_t now = g_get_real_time() / 1000;
  EXPECT_LT(std::llabs(num(a.get(), "ts") - now), 5000);
  // Acknowledged means committed: the row is there, with the server's id and time.
  EXPECT_EQ(db->query("SELECT body, created_ms FROM carrel_chat.chat_messages WHERE id = " +
                      std::to_string(id)),
            "Who has the notes?\t" + std::to_string(num(a.get(), "ts")) + "\n");
  for (WsClient* c : {&ana, &bo}) {
    auto live = c->waitFor([&](JsonObject* o) { return isType(o, "chat") && num(o, "id") == id; },
                           Ms(10000));
    ASSERT_TRUE(live);
    EXPECT_EQ(str(live.get(), "text"), "Who has the notes?");
    EXPECT_EQ(str(json::getObject(live.get(), "from"), "name"), "Ana");
    EXPECT_EQ(num(live.get(), "ts"), num(a.get(), "ts"));
  }

  // 59 more, so that the 50 a joiner gets are not all there is.
  std::vector<int64_t> ids{id};
  for (int i = 1; i < 60; ++i) {
    ids.push_back(post(bo, tag("line ", i), tag("b", i)));
    ASSERT_GT(ids.back(), ids[ids.size() - 2]) << "ids grow in order of arrival";
  }

  WsClient cy;
  enter(cy, ctl, "Cy", "algebra");
  auto recent = cy.waitFor([](JsonObject* o) { return isType(o, "chat_history"); }, Ms(10000));
  ASSERT_TRUE(recent);
  EXPECT_EQ(str(recent.get(), "room"), "algebra");
  EXPECT_TRUE(json::getBool(recent.get(), "has_more").value_or(false));
  auto last50 = messages(recent.get());
  ASSERT_EQ(last50.size(), 50u);
  EXPECT_EQ(num(last50.front(), "id"), ids[10]);
  EXPECT_EQ(num(last50.back(), "id"), ids[59]);
  EXPECT_EQ(str(last50.back(), "text"), "line 59");

  // Page back from the oldest one seen, 7 at a time, until there is nothing more.
  std::vector<int64_t> seen;
  for (auto* m : last50) seen.push_back(num(m, "id"));
  int64_t before = seen.front();
  for (int page = 0; page < 5; ++page) {
    auto h = history(cy, tag("h", page), before, 7);
    ASSERT_TRUE(h);
    auto ms = messages(h.get());
    std::vector<int64_t> got;
    for (auto* m : ms) got.push_back(num(m, "id"));
    seen.insert(seen.begin(), got.begin(), got.end());
    if (!json::getBool(h.get(), "has_more").value_or(true)) break;
    ASSERT_EQ(ms.size(), 7u);
    before = got.front();
  }
  EXPECT_EQ(seen, ids) << "paging back gives every message once, in order";
  EXPECT_EQ(str(messages(history(cy, "first", 0, 1).get()).front(), "text"), "line 59");

  json::Object tooMany;
  tooMany.set("type", "chat_history").set("limit", 101).set("id", "big");
  cy.send(tooMany);
  EXPECT_TRUE(cy.waitForError("invalid_field", "big"));

  // Another room's history is not this room's.
  WsClient dee;
  enter(dee, ctl, "Dee", "biology");
  auto other = dee.waitFor([](JsonObject* o) { return isType(o, "chat_history"); }, Ms(10000));
  ASSERT_TRUE(other);
  EXPECT_TRUE(messages(other.get()).empty());
  EXPECT_FALSE(json::getBool(other.get(), "has_more").value_or(true));
}

void ControlChat::editAndDelete(const ControlProcess& ctl) {
  WsClient ana, bo;
  enter(ana, ctl, "Ana", "physics");
  enter(bo, ctl, "Bo", "physics");
  int64_t first = post(ana, "F = ma", "a1");
  int64_t second = post(ana, "typo here", "a2");
  ASSERT_GT(first, 0);
  ASSERT_GT(second, first);

  json::Object steal;
  steal.set("type", "chat_edit").set("message", second).set("text", "mine now").set("id", "e0");
  bo.send(steal);
  EXPECT_TRUE(bo.waitForError("not_your_message", "e0"));
  json::Object del0;
  del0.set("type", "chat_delete").set("message", first).set("id", "d0");
  bo.send(del0);
  EXPECT_TRUE(bo.waitForError("not_your_message", "d0"));

  json::Object edit;
  edit.set("type", "chat_edit").set("message", second).set("text", "no typo").set("id", "e1");
  ana.send(edit);
  auto eack = waitRef(ana, "chat_ack", "e1");
  ASSERT_TRUE(eack);
  EXPECT_EQ(num(eack.get(), "id"), second);
  auto edited = bo.waitForType("chat_edited", Ms(10000));
  ASSERT_TRUE(edited);
  EXPECT_EQ(num(edited.get(), "id"), second);
  EXPECT_EQ(str(edited.get(), "text"), "no typo");
  EXPECT_EQ(num(edited.get(), "edited_ts"), num(eack.get(), "ts"));

  json::Object del;
  del.set("type", "chat_delete").set("message", first).set("id", "d1");
  ana.send(del);
  ASSERT_TRUE(waitRef(ana, "chat_ack", "d1"));
  auto deleted = bo.waitForType("chat_deleted", Ms(10000));
  ASSERT_TRUE(deleted);
  EXPECT_EQ(num(deleted.get(), "id"), first);
  // The text is gone from the database, not only hidden.
  EXPECT_EQ(db->query("SELECT body = '', deleted_ms IS NOT NULL FROM carrel_chat.chat_messages "
                      "WHERE id = " +
                      std::to_string(first)),
            "1\t1\n");

  ana.send(del);  // again: it is gone
  EXPECT_TRUE(ana.waitForError("no_such_message", "d1"));
  json::Object editGone;
  editGone.set("type", "chat_edit").set("message", first).set("text", "back").set("id", "e2");
  ana.send(editGone);
  EXPECT_TRUE(ana.waitForError("no_such_message", "e2"));
  json::Object nothing;
  nothing.set("type", "chat_delete").set("message", 999999).set("id", "d2");
  ana.send(nothing);
  EXPECT_TRUE(ana.waitForError("no_such_message", "d2"));

  // A message of another room is no_such_message here, even by id.
  WsClient cy;
  enter(cy, ctl, "Cy", "elsewhere");
  json::Object far;
  far.set("type", "chat_delete").set("message", second).set("id", "d3");
  cy.send(far);
  EXPECT_TRUE(cy.waitForError("no_such_message", "d3"));

  auto h = history(bo, "h", 0, 10);
  ASSERT_TRUE(h);
  auto ms = messages(h.get());
  ASSERT_EQ(ms.size(), 2u);
  EXPECT_EQ(num(ms[0], "id"), first);
  EXPECT_TRUE(json::getBool(ms[0], "deleted").value_or(false));
  EXPECT_FALSE(json::getString(ms[0], "text"));
  EXPECT_EQ(str(ms[1], "text"), "no typo");
  EXPECT_EQ(num(ms[1], "edited_ts"), num(eack.get(), "ts"));
}

void ControlChat::hostileStrings(const ControlProcess& ctl) {
  WsClient ana, bo;
  enter(ana, ctl, "Ana", "hostile");
  enter(bo, ctl, "Bo", "hostile");
  std::string emoji = "\xF0\x9F\x98\x80";  // 4 bytes
  std::string maxEmoji;
  for (int i = 0; i < 500; ++i) maxEmoji += emoji;  // exactly 2000 bytes
  const std::vector<std::string> texts{
      "'); DROP TABLE chat_messages; --",
      "\" OR 1=1 -- \\' \\\" %_ `backticks`",
      "<script>alert('x')</script><img src=x onerror=alert(1)>",
      "tab\tnew\nline\r\x01\x1f control",
      "\xE2\x80\xAE right-to-left \xE2\x80\x8B zero-width \xEF\xBB\xBF bom",
      maxEmoji,
      "\\u0000 as plain text",
  };
  std::vector<int64_t> ids;
  for (size_t i = 0; i < texts.size(); ++i) {
    ids.push_back(post(ana, texts[i], tag("t", i)));
    ASSERT_GT(ids.back(), 0) << i;
    auto live = bo.waitFor(
        [&](JsonObject* o) { return isType(o, "chat") && num(o, "id") == ids.back(); }, Ms(10000));
    ASSERT_TRUE(live);
    EXPECT_EQ(str(live.get(), "text"), texts[i]) << i;
    EXPECT_EQ(db->query("SELECT HEX(body) FROM carrel_chat.chat_messages WHERE id = " +
                        std::to_string(ids.back())),
              hex(texts[i]) + "\n")
        << i;
  }
  EXPECT_EQ(db->query("SELECT COUNT(*) FROM carrel_chat.chat_messages"),
            std::to_string(texts.size()) + "\n");

  // Refused, and nothing of it stored: one byte too long, an escaped NUL (json-glib would
  // cut the string there), a lone surrogate (not UTF-8 once decoded).
  json::Object tooLong;
  tooLong.set("type", "chat").set("text", maxEmoji + "x").set("id", "r1");
  ana.send(tooLong);
  EXPECT_TRUE(ana.waitForError("invalid_field", "r1"));
  ana.send(R"({"type":"chat","text":"cut\u0000here","id":"r2"})");
  EXPECT_TRUE(ana.waitForError("bad_json"));
  ana.send(R"({"type":"chat","text":"half \ud83d","id":"r3"})");
  EXPECT_TRUE(ana.waitForError("bad_json"));
  // A text frame that is not UTF-8 at all: refused, and the WebSocket layer closes it.
  RawWebSocket raw;
  ASSERT_TRUE(raw.connect(ctl.port));
  raw.sendText(R"({"type":"hello","name":"Raw"})");
  ASSERT_FALSE(raw.readUntilType("welcome").empty());
  raw.sendText(std::string("{\"type\":\"chat\",\"text\":\"\xC3\x28\"}"));
  EXPECT_FALSE(raw.readUntilType("error").empty());

  EXPECT_TRUE(bo.noneWithin([](JsonObject* o) { return isType(o, "error"); }, Ms(200)));
  EXPECT_EQ(db->query("SELECT COUNT(*) FROM carrel_chat.chat_messages"),
            std::to_string(texts.size()) + "\n");

  WsClient late;
  enter(late, ctl, "Late", "hostile");
  auto h = late.waitFor([](JsonObject* o) { return isType(o, "chat_history"); }, Ms(10000));
  ASSERT_TRUE(h);
  auto ms = messages(h.get());
  ASSERT_EQ(ms.size(), texts.size());
  for (size_t i = 0; i < texts.size(); ++i) EXPECT_EQ(str(ms[i], "text"), texts[i]) << i;
}

void ControlChat::rateLimit() {
  // A second node on the same database: 3 at once, then one every 10 s, so the 4th of 8
  // sent together cannot be allowed unless the 8 took over 10 s to arrive.
  ControlProcess ctl = control("ctl-strict", {"--chat-rate", "0.1", "--chat-burst", "3"});
  WsClient ana;
  enter(ana, ctl, "Ana", "ratelimit");
  for (int i = 0; i < 8; ++i) say(ana, tag("spam ", i), tag("s", i));
  int acked = 0, limited = 0;
  for (int i = 0; i < 8; ++i) {
    std::string ref = tag("s", i);
    auto r = ana.waitFor(
        [&](JsonObject* o) {
          return str(o, "ref") == ref && (isType(o, "chat_ack") || isType(o, "error"));
        },
        Ms(10000));
    ASSERT_TRUE(r) << ref;
    if (isType(r.get(), "chat_ack")) {
      ++acked;
      continue;
    }
    EXPECT_EQ(str(r.get(), "code"), "rate_limited");
    int64_t retry = num(r.get(), "retry_after_ms");
    EXPECT_GT(retry, 0);
    EXPECT_LE(retry, 10000);
    ++limited;
  }
  EXPECT_GE(acked, 3);
  EXPECT_GE(limited, 1);
  EXPECT_EQ(acked + limited, 8);
  EXPECT_EQ(db->query("SELECT COUNT(*) FROM carrel_chat.chat_messages WHERE room_id = 'ratelimit'"),
            std::to_string(acked) + "\n");
  EXPECT_TRUE(
      ana.noneWithin([](JsonObject* o) { return isType(o, "chat") && str(o, "text") == "spam 7"; },
                     Ms(300)) ||
      acked == 8);

  // Another user (here a second guest) has a bucket of its own.
  WsClient bo;
  enter(bo, ctl, "Bo", "ratelimit");
  EXPECT_GT(post(bo, "my turn", "b1"), 0);
}

TEST_F(ControlChat, StoredAckedBroadcastHistoryPagingEditAndDelete) {
  ControlProcess ctl = control("ctl-chat");
  historyAndPaging(ctl);
  if (HasFatalFailure()) return;
  editAndDelete(ctl);
}

TEST_F(ControlChat, HostileStringsByteExactAndTheRateLimit) {
  ControlProcess ctl = control("ctl-chat");
  hostileStrings(ctl);
  if (HasFatalFailure()) return;
  rateLimit();
}

TEST_F(ControlChat, KillNineOfControlLosesNoAcknowledgedMessage) {
  auto ctl = std::make_unique<ControlProcess>(control("ctl-chat"));
  WsClient ana;
  enter(ana, *ctl, "Ana", "durable");
  constexpr int kSent = 400;
  for (int i = 0; i < kSent; ++i) say(ana, tag("msg ", i), tag("m", i));
  // Mid-stream: some acknowledged, most still in flight.
  ASSERT_TRUE(ana.waitFor(
      [](JsonObject* o) { return isType(o, "chat_ack") && str(o, "ref") == "m20"; }, Ms(20000)));
  ctl->proc->kill9();
  ASSERT_TRUE(ana.waitClosed(Ms(10000)));

  std::map<int64_t, std::string> acked;  // id -> text
  for (const auto& frame : ana.received()) {
    JsonObjectPtr o = json::parseObject(frame, nullptr);
    if (!o || !isType(o.get(), "chat_ack")) continue;
    acked[num(o.get(), "id")] = "msg " + str(o.get(), "ref").substr(1);
  }
  ASSERT_GE(acked.size(), 21u);
  RecordProperty("acknowledged_before_kill", static_cast<int>(acked.size()));

  ctl = std::make_unique<ControlProcess>(control("ctl-chat-2"));
  WsClient bo;
  enter(bo, *ctl, "Bo", "durable");
  std::map<int64_t, std::string> stored;
  int64_t before = 0;
  for (int page = 0; page < 10; ++page) {
    auto h = history(bo, tag("h", page), before, 100);
    ASSERT_TRUE(h);
    auto ms = messages(h.get());
    for (auto* m : ms) stored[num(m, "id")] = str(m, "text");
    if (ms.empty() || !json::getBool(h.get(), "has_more").value_or(false)) break;
    before = num(ms.front(), "id");
  }
  for (const auto& [id, text] : acked) {
    auto it = stored.find(id);
    ASSERT_NE(it, stored.end()) << "acknowledged message " << id << " lost";
    EXPECT_EQ(it->second, text);
  }
  // And the node that came back takes new messages after them.
  int64_t after = post(bo, "after the crash", "n1");
  EXPECT_GT(after, acked.rbegin()->first);
}

TEST_F(ControlChat, MariaDbRestartGivesTypedErrorsThenChatWorksAgain) {
  ControlProcess ctl = control("ctl-chat");
  WsClient ana;
  enter(ana, ctl, "Ana", "durable");
  std::map<int64_t, std::string> acked;
  for (int i = 0; i < 5; ++i) {
    int64_t id = post(ana, tag("before ", i), tag("b", i));
    ASSERT_GT(id, 0);
    acked[id] = tag("before ", i);
  }

  // MariaDB dies (kill -9 by its PID): a chat gets a typed error, never an acknowledgement,
  // and nobody receives it; the WebSocket stays up.
  db->kill9();
  say(ana, "while down", "down");
  auto err = waitRef(ana, "error", "down", Ms(20000));
  ASSERT_TRUE(err);
  EXPECT_EQ(str(err.get(), "code"), "storage_unavailable");
  EXPECT_TRUE(ana.noneWithin(
      [](JsonObject* o) {
        return (isType(o, "chat_ack") && str(o, "ref") == "down") ||
               (isType(o, "chat") && str(o, "text") == "while down");
      },
      Ms(500)));
  // Deleting and editing while it is down: typed errors too, and nothing changes.
  ana.send(std::string(R"({"type":"chat_delete","id":"dd","message":)")
               .append(std::to_string(acked.begin()->first))
               .append("}"));
  auto delErr = waitRef(ana, "error", "dd", Ms(20000));
  ASSERT_TRUE(delErr);
  EXPECT_EQ(str(delErr.get(), "code"), "storage_unavailable");
  ana.send(std::string(R"({"type":"chat_history","id":"hd"})"));
  auto histErr = waitRef(ana, "error", "hd", Ms(20000));
  ASSERT_TRUE(histErr);
  EXPECT_EQ(str(histErr.get(), "code"), "storage_unavailable");

  // Back on the same data folder and port: the workers reconnect by themselves; the very
  // next message is stored and acknowledged.
  db->restart();
  for (int i = 0; i < 5; ++i) {
    int64_t id = post(ana, tag("after ", i), tag("a", i));
    ASSERT_GT(id, 0) << "message " << i << " after the restart";
    acked[id] = tag("after ", i);
  }
  // A newcomer joins (the room check and the moderation check use the other workers) and gets
  // every acknowledged message in its history, and not the refused one.
  WsClient bo;
  enter(bo, ctl, "Bo", "durable");
  auto h = history(bo, "h", 0, 100);
  ASSERT_TRUE(h);
  std::map<int64_t, std::string> stored;
  for (auto* m : messages(h.get())) stored[num(m, "id")] = str(m, "text");
  EXPECT_EQ(stored, acked);
  EXPECT_EQ(db->query("SELECT COUNT(*) FROM carrel_chat.chat_messages WHERE body = 'while down'"),
            "0\n");
  EXPECT_GT(post(bo, "hello again", "bo1"), acked.rbegin()->first);
}

TEST(ControlChatNoDatabase, LiveOnlyWithoutADatabase) {
  std::string dir = artifactDir("ControlChatNoDb");
  RedisServer redis(dir);
  Process sfu(
      {binary("carrel-sfu"), "--redis-port", std::to_string(redis.port()), "--node-id", "sfu-nodb"},
      dir + "/sfu-nodb.log");
  ASSERT_FALSE(sfu.waitForLine(isReadyLine, std::chrono::seconds(20)).empty());
  ControlProcess ctl = startControl(dir, redis.port(), "ctl-nodb");
  WsClient ana;
  std::string error;
  ASSERT_TRUE(ana.connect(ctl.wsUrl(), Ms(5000), &error)) << error;
  ASSERT_FALSE(ana.hello("Ana").empty());
  ana.send(R"({"type":"join","room":"live","id":"j"})");
  ASSERT_TRUE(ana.waitForType("joined", Ms(10000)));
  ana.send(R"({"type":"chat","text":"only live","id":"c1"})");
  auto a = ana.waitFor([](JsonObject* o) { return isType(o, "chat_ack") && str(o, "ref") == "c1"; },
                       Ms(10000));
  ASSERT_TRUE(a);
  EXPECT_FALSE(json::getBool(a.get(), "stored").value_or(true));
  EXPECT_FALSE(json::getInt(a.get(), "id"));
  auto live = ana.waitFor([](JsonObject* o) { return isType(o, "chat"); }, Ms(10000));
  ASSERT_TRUE(live);
  EXPECT_EQ(str(live.get(), "text"), "only live");
  EXPECT_FALSE(json::getInt(live.get(), "id"));
  ana.send(R"({"type":"chat_history","id":"h"})");
  EXPECT_TRUE(ana.waitForError("no_database", "h"));
  ana.send(R"({"type":"chat_delete","message":1,"id":"d"})");
  EXPECT_TRUE(ana.waitForError("no_database", "d"));
  EXPECT_TRUE(ana.noneWithin([](JsonObject* o) { return isType(o, "chat_history"); }, Ms(200)));
}
