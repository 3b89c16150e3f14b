// The room's pomodoro timer through a real carrel-control, SFU, Redis and MariaDB, watched by
// three carrel-peers (--print-timer): every peer sees every phase change, announced within
// 1 s of the change by the server's clock; a late joiner gets the running phase; only the
// owner drives the timer; acknowledgements and the study king reach the room board, which
// is kept as room history (REST).
#include <gtest/gtest.h>

#include <fstream>
#include <map>
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

JsonObjectPtr lineOf(const std::string& line, const std::string& event) {
  JsonObjectPtr o = json::parseObject(line, nullptr);
  if (!o || json::getString(o.get(), "event").value_or("") != event) return nullptr;
  return o;
}

int64_t num(JsonObject* o, const char* name) {
  return json::getInt(o, name).value_or(-1);
}

struct Member {
  WsClient ws;
  bool join(int port, const std::string& token, const std::string& room) {
    if (!ws.connect(wsUrlWithToken(port, token)) || ws.hello("member").empty()) return false;
    json::Object j;
    j.set("type", "join").set("room", room);
    ws.send(j);
    return ws.waitForType("joined", Ms(10000)) != nullptr;
  }
  void timer(const std::string& fields) { ws.send(R"({"type":"timer",)" + fields + "}"); }
  // The next timer_state of this cause.
  JsonObjectPtr cause(const std::string& c, Ms timeout = Ms(10000)) {
    return ws.waitFor(
        [&](JsonObject* o) {
          return json::getString(o, "type").value_or("") == "timer_state" &&
                 json::getString(o, "cause").value_or("") == c;
        },
        timeout);
  }
  // The next timer_state with at least this many alarms rung.
  JsonObjectPtr rung(int alarms, Ms timeout = Ms(10000)) {
    return ws.waitFor(
        [&](JsonObject* o) {
          return json::getString(o, "type").value_or("") == "timer_state" &&
                 json::getInt(o, "alarms_rung").value_or(0) >= alarms;
        },
        timeout);
  }
};

}  // namespace

TEST(ControlRoomTimer, ThreePeersSeeEveryPhaseAndTheBoardNamesTheKing) {
  std::string dir = artifactDir("ControlRoomTimer");
  MariaDbServer db(dir + "/db");
  StackOptions o;
  o.membersWithoutMedia = true;  // the owner and member are WsClients
  o.controlArgs = {"--mysql-socket", db.socket(), "--mysql-database", "carrel_timer"};
  CarrelStack stack(dir, o);
  int port = stack.controlPort();

  std::string olga = accountToken(port, "olga", "Olga");
  std::string kim = accountToken(port, "kim", "Kim");
  ASSERT_FALSE(olga.empty());
  Rest made = rest(port, "POST", "/api/v1/rooms", R"({"id":"pomo","title":"Pomodoro"})", olga);
  ASSERT_EQ(made.status, 201) << made.raw;
  Member owner, member;
  ASSERT_TRUE(owner.join(port, olga, "pomo"));
  ASSERT_TRUE(member.join(port, kim, "pomo"));

  auto peer = [&](const std::string& login) {
    std::string token = accountToken(port, login, "Peer " + login);
    return stack.startPeer(login, {"--room", "pomo", "--token", token, "--json", "--print-timer",
                                   "--no-publish", "--no-subscribe", "--stats-interval-ms", "0"});
  };
  auto joined = [](Process& p) {
    return !p.waitForLine([](const std::string& l) { return lineOf(l, "joined") != nullptr; },
                          Ms(20000))
                .empty();
  };
  auto p1 = peer("mina");
  auto p2 = peer("sami");
  ASSERT_TRUE(joined(*p1));
  ASSERT_TRUE(joined(*p2));

  // Only the owner (or a moderator, or an admin) drives the timer.
  member.timer(R"("action":"start","id":"k1")");
  EXPECT_TRUE(member.ws.waitForError("forbidden", "k1"));
  owner.timer(R"("action":"set","study_seconds":2,"break_seconds":1,"cycles":2)");
  auto set = owner.cause("set");
  ASSERT_TRUE(set);
  EXPECT_EQ(json::getString(set.get(), "phase").value_or(""), "idle");
  EXPECT_EQ(num(set.get(), "study_ms"), 2000);
  owner.timer(R"("action":"start")");
  auto started = owner.cause("start");
  ASSERT_TRUE(started);
  EXPECT_EQ(json::getString(started.get(), "phase").value_or(""), "study");
  int64_t origin = num(started.get(), "phase_start_ms");

  // A late joiner sees the running phase at once.
  auto p3 = peer("joon");
  ASSERT_TRUE(joined(*p3));
  std::string sync = p3->waitForLine(
      [](const std::string& l) {
        auto o = lineOf(l, "timer_state");
        return o && json::getString(o.get(), "cause").value_or("") == "sync";
      },
      Ms(5000));
  ASSERT_FALSE(sync.empty());
  JsonObjectPtr s = json::parseObject(sync, nullptr);
  // Whenever it joined (peers take a while to start), its phase is the running one.
  EXPECT_EQ(num(s.get(), "run"), num(started.get(), "run"));
  EXPECT_TRUE(json::getBool(s.get(), "running").value_or(false));
  const int64_t startOf[] = {0, 0, 2000, 3000, 5000};
  int64_t a = num(s.get(), "alarm");
  ASSERT_TRUE(a >= 1 && a <= 4) << sync;
  EXPECT_EQ(num(s.get(), "phase_start_ms"), origin + startOf[a]) << sync;

  // The owner acknowledges each alarm as it rings, the member only the first: the owner is
  // the study king (the last alarm ends the run and is not judged).
  for (int alarm = 1; alarm <= 3; ++alarm) {
    ASSERT_TRUE(owner.rung(alarm)) << alarm;
    owner.timer(R"("action":"ack","alarm":)" + std::to_string(alarm));
    EXPECT_TRUE(owner.ws.waitForType("timer_acked"));
    if (alarm == 1) member.timer(R"("action":"ack","alarm":1)");
  }
  owner.timer(R"("action":"ack","alarm":4,"id":"early")");
  ASSERT_TRUE(owner.rung(4));

  // Every peer saw every phase change (break, study, break, done), announced within 1 s.
  const char* phases[] = {"break", "study", "break", "done"};
  for (Process* p : {p1.get(), p2.get(), p3.get()}) {
    for (int rung = 1; rung <= 4; ++rung) {
      std::string line = p->waitForLine(
          [rung](const std::string& l) {
            auto o = lineOf(l, "timer_state");
            return o && json::getString(o.get(), "cause").value_or("") == "phase" &&
                   json::getInt(o.get(), "alarms_rung").value_or(0) == rung;
          },
          Ms(5000));
      if (line.empty()) {
        for (const auto& l : p->lines()) std::cerr << l << "\n";
      }
      ASSERT_FALSE(line.empty()) << "alarm " << rung;
      JsonObjectPtr t = json::parseObject(line, nullptr);
      EXPECT_EQ(json::getString(t.get(), "phase").value_or(""), phases[rung - 1]);
      int64_t late = num(t.get(), "server_time") - num(t.get(), "phase_start_ms");
      EXPECT_GE(late, 0);
      EXPECT_LT(late, 1000) << "alarm " << rung;
    }
  }

  // The board: live to the peers, and kept.
  std::string king = p1->waitForLine(
      [](const std::string& l) {
        auto o = lineOf(l, "board");
        return o && json::getString(o.get(), "kind").value_or("") == "king";
      },
      Ms(5000));
  ASSERT_FALSE(king.empty());
  EXPECT_NE(king.find("Today's study king: Olga"), std::string::npos) << king;
  // The board needs a session.
  Rest anonymous = rest(port, "GET", "/api/v1/study/board?room=pomo", "");
  EXPECT_EQ(anonymous.status, 401) << anonymous.raw;
  EXPECT_EQ(anonymous.code(), "unauthorized");
  EXPECT_EQ(rest(port, "GET", "/api/v1/study/board?room=pomo", "", "v1.forged").code(),
            "unauthorized");
  Rest board = rest(port, "GET", "/api/v1/study/board?room=pomo", "", kim);
  ASSERT_EQ(board.status, 200) << board.raw;
  std::vector<std::string> texts;
  JsonArray* posts = json::getArray(board.json.get(), "posts");
  for (guint i = 0; posts && i < json_array_get_length(posts); ++i) {
    texts.push_back(json::getString(json_array_get_object_element(posts, i), "text").value_or(""));
  }
  auto has = [&](const std::string& t) {
    return std::find(texts.begin(), texts.end(), t) != texts.end();
  };
  EXPECT_TRUE(has("Olga acknowledged the 1st study"));
  EXPECT_TRUE(has("Olga acknowledged the 1st break"));
  EXPECT_TRUE(has("Olga acknowledged the 2nd study"));
  EXPECT_TRUE(has("Kim acknowledged the 1st study"));
  EXPECT_FALSE(has("Kim acknowledged the 1st break"));
  ASSERT_FALSE(texts.empty());
  EXPECT_EQ(texts.back().rfind("Today's study king: Olga", 0), 0u) << texts.back();
  EXPECT_EQ(rest(port, "GET", "/api/v1/study/board?room=bad%20id", "", kim).code(),
            "invalid_field");
}

// Commands sent back to back, from two control nodes at once, all apply: every one is saved
// over the state the one before it saved (a "start" right after a "set" once read the state
// from before the set and undid it), so the versions broadcast are 1..N, each once, and the
// last commands' effect stands.
TEST(ControlRoomTimer, CommandsSentBackToBackFromTwoNodesAllApplyInOrder) {
  std::string dir = artifactDir("ControlRoomTimerRace");
  MariaDbServer db(dir + "/db");
  std::ofstream(dir + "/admin.pw") << "admin-password-1\n";
  StackOptions o;
  o.controlNodes = 2;
  o.controlArgs = {"--mysql-socket", db.socket(),  "--mysql-database",      "carrel_timer_race",
                   "--admin-login",  "root_admin", "--admin-password-file", dir + "/admin.pw"};
  CarrelStack stack(dir, o);
  int port0 = stack.controlPort(0), port1 = stack.controlPort(1);
  std::string olga = accountToken(port0, "olga", "Olga");
  Rest in = rest(port1, "POST", "/api/v1/auth/login",
                 R"({"login":"root_admin","password":"admin-password-1"})");
  std::string admin = json::getString(in.json.get(), "token").value_or("");
  ASSERT_FALSE(olga.empty() || admin.empty()) << in.raw;
  ASSERT_EQ(rest(port0, "POST", "/api/v1/rooms", R"({"id":"race","title":"Race"})", olga).status,
            201);
  Member owner, root;
  ASSERT_TRUE(owner.join(port0, olga, "race"));
  ASSERT_TRUE(root.join(port1, admin, "race"));

  constexpr int kRounds = 8;  // each client: a set and a start per round
  for (int k = 0; k < kRounds; ++k) {
    owner.timer(R"("action":"set","study_seconds":)" + std::to_string(100 + k) +
                R"(,"break_seconds":5,"cycles":1)");
    root.timer(R"("action":"set","study_seconds":)" + std::to_string(100 + k) +
               R"(,"break_seconds":5,"cycles":1)");
    owner.timer(R"("action":"start")");
    root.timer(R"("action":"start")");
  }
  const int total = 4 * kRounds;
  std::map<int64_t, int> seen;
  JsonObjectPtr last = owner.ws.waitFor(
      [&](JsonObject* m) {
        if (json::getString(m, "type").value_or("") != "timer_state") return false;
        std::string cause = json::getString(m, "cause").value_or("");
        if (cause != "set" && cause != "start") return false;
        int64_t v = json::getInt(m, "version").value_or(-1);
        ++seen[v];
        return v == total;
      },
      Ms(30000));
  ASSERT_TRUE(last) << "no timer_state of version " << total << "; saw " << seen.size();
  for (int64_t v = 1; v <= total; ++v) EXPECT_EQ(seen[v], 1) << "version " << v;
  // Both clients' last two commands were the last round's set and start.
  EXPECT_TRUE(json::getBool(last.get(), "running").value_or(false));
  EXPECT_EQ(json::getInt(last.get(), "study_ms").value_or(0), (100 + kRounds - 1) * 1000);
}
