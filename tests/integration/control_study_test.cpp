// Study time through a real carrel-control (real MariaDB, Redis and SFU): start and stop,
// one user on two devices counted once, a leave or a lost socket closing the interval, stats,
// calendar and settings; the leaderboards equal to the ledger after a randomized run, after
// kill -9 of a control node (which loses at most one heartbeat) and after a start-up rebuild.
// Two tests only: each brings up MariaDB, Redis, an SFU and control.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "CarrelStack.hpp"
#include "Leaderboards.hpp"
#include "MariaDbServer.hpp"
#include "MySqlConnection.hpp"
#include "TestEnv.hpp"
#include "WsClient.hpp"
#include "control_account_helpers.hpp"

using namespace carrel;
using namespace carrel::test;
using Ms = std::chrono::milliseconds;

namespace {

constexpr const char* kDb = "carrel_study";
constexpr int kHeartbeatMs = 300;

int64_t wallMs() {
  return std::chrono::duration_cast<Ms>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// One signed-in device in a room.
struct Device {
  WsClient ws;
  int n = 0;
  bool join(int port, const std::string& token, const std::string& room) {
    if (!ws.connect(wsUrlWithToken(port, token))) return false;
    if (ws.hello("device").empty()) return false;
    return enter(room);
  }
  bool enter(const std::string& room) {
    json::Object j;
    j.set("type", "join").set("room", room);
    ws.send(j);
    return ws.waitForType("joined", Ms(10000)) != nullptr;
  }
  bool leave() {
    ws.send(R"({"type":"leave"})");
    return ws.waitForType("left", Ms(10000)) != nullptr;
  }
  // Sends study {action}; the study_state or error answering it.
  JsonObjectPtr study(const std::string& action) {
    char id[24];
    std::snprintf(id, sizeof id, "s%d", ++n);
    json::Object m;
    m.set("type", "study").set("action", action).set("id", id);
    ws.send(m);
    std::string ref = id;
    return ws.waitFor([&](JsonObject* o) { return json::getString(o, "ref").value_or("") == ref; },
                      Ms(10000));
  }
};

std::string type(const JsonObjectPtr& o);
std::string errorCode(const JsonObjectPtr& o);

// A start that may meet study_elsewhere while a previous device's close is still under way.
JsonObjectPtr startEventually(Device& d) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    JsonObjectPtr r = d.study("start");
    if (type(r) == "study_state" || errorCode(r) != "study_elsewhere" ||
        std::chrono::steady_clock::now() > deadline) {
      return r;
    }
    std::this_thread::sleep_for(Ms(100));
  }
}

std::string type(const JsonObjectPtr& o) {
  return o ? json::getString(o.get(), "type").value_or("") : "(nothing)";
}

std::string errorCode(const JsonObjectPtr& o) {
  return o ? json::getString(o.get(), "code").value_or("") : "";
}

class ControlStudy : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = artifactDir("ControlStudy");
    db = std::make_unique<MariaDbServer>(dir + "/db");
    StackOptions o;
    o.controlArgs = controlArgs();
    stack = std::make_unique<CarrelStack>(dir, o);
    port = stack->controlPort();
  }
  void TearDown() override {
    stack.reset();
    db.reset();
  }
  std::vector<std::string> controlArgs() const {
    return {"--mysql-socket",       db->socket(),
            "--mysql-database",     kDb,
            "--study-heartbeat-ms", std::to_string(kHeartbeatMs)};
  }
  void makeRoom(int at, const std::string& token, const std::string& room) {
    json::Object r;
    r.set("id", room).set("title", "Study " + room);
    rest(at, "POST", "/api/v1/rooms", r.str(), token);
  }
  JsonObjectPtr stats(const std::string& token) {
    Rest r = rest(port, "GET", "/api/v1/study/stats", "", token);
    EXPECT_EQ(r.status, 200) << r.raw;
    return std::move(r.json);
  }
  // Stats once no interval of the user is open any more.
  // A lost socket's interval closes with its final leave, after control's reconnect grace
  // (15 s by default): the wait must outlast it (a 15 s wait raced it and failed once in CI).
  JsonObjectPtr closedStats(const std::string& token) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(40);
    for (;;) {
      JsonObjectPtr s = stats(token);
      if (s && json_object_get_null_member(s.get(), "open")) return s;
      if (std::chrono::steady_clock::now() > deadline) return nullptr;
      std::this_thread::sleep_for(Ms(100));
    }
  }
  static int64_t num(const JsonObjectPtr& o, const char* name) {
    return o ? json::getInt(o.get(), name).value_or(-1) : -1;
  }
  std::string dir;
  std::unique_ptr<MariaDbServer> db;
  std::unique_ptr<CarrelStack> stack;
  int port = 0;
};

}  // namespace

TEST_F(ControlStudy, TwoDevicesCountOnceAndEveryWayOutClosesTheInterval) {
  std::string mina = accountToken(port, "mina", "Mina Park");
  ASSERT_FALSE(mina.empty());
  makeRoom(port, mina, "desk-1");
  Device a, watcher;
  ASSERT_TRUE(a.join(port, mina, "desk-1"));
  ASSERT_TRUE(watcher.join(port, accountToken(port, "olga", "Olga"), "desk-1"));

  int64_t before = wallMs();
  JsonObjectPtr on = a.study("start");
  ASSERT_EQ(type(on), "study_state");
  EXPECT_TRUE(json::getBool(on.get(), "studying").value_or(false));
  int64_t started = num(on, "started_ms");
  EXPECT_GE(started, before - 1000);
  EXPECT_EQ(str(on.get(), "room"), "desk-1");
  // The room hears of it.
  auto changed = watcher.ws.waitForType("study_changed");
  ASSERT_TRUE(changed);
  EXPECT_TRUE(json::getBool(changed.get(), "studying").value_or(false));
  EXPECT_EQ(str(changed.get(), "name"), "Mina Park");
  // A repeated start keeps the same interval.
  EXPECT_EQ(num(a.study("start"), "started_ms"), started);

  std::this_thread::sleep_for(Ms(700));
  JsonObjectPtr off = a.study("stop");
  int64_t stoppedBy = wallMs();
  ASSERT_EQ(type(off), "study_state");
  EXPECT_FALSE(json::getBool(off.get(), "studying").value_or(true));
  EXPECT_EQ(errorCode(a.study("stop")), "not_studying");

  JsonObjectPtr s1 = closedStats(mina);
  ASSERT_TRUE(s1);
  int64_t first = num(s1, "today_ms");
  EXPECT_GE(first, 700);
  EXPECT_LE(first, stoppedBy - started + 50);
  EXPECT_EQ(num(s1, "week_ms"), first);
  EXPECT_EQ(num(s1, "month_ms"), first);

  // A second device of the same account takes the session over (one session per account):
  // the first one's interval closes with its leave, and the two never count at once.
  JsonObjectPtr again = a.study("start");
  ASSERT_EQ(type(again), "study_state");
  int64_t restarted = num(again, "started_ms");
  std::this_thread::sleep_for(Ms(400));
  Device b;
  ASSERT_TRUE(b.join(port, mina, "desk-1"));
  EXPECT_TRUE(a.ws.waitForType("session_replaced"));
  JsonObjectPtr on2 = startEventually(b);
  ASSERT_EQ(type(on2), "study_state");
  int64_t started2 = num(on2, "started_ms");
  EXPECT_GE(started2, restarted + 400);
  std::this_thread::sleep_for(Ms(300));
  JsonObjectPtr during = stats(mina);
  int64_t seenAt = wallMs();
  EXPECT_EQ(json::getInt(json::getObject(during.get(), "open"), "started_ms").value_or(0),
            started2);
  EXPECT_GE(num(during, "today_ms"), first + 700);
  EXPECT_LE(num(during, "today_ms"), first + (seenAt - restarted));

  // A leave closes the interval.
  ASSERT_TRUE(b.leave());
  JsonObjectPtr s2 = closedStats(mina);
  ASSERT_TRUE(s2);
  int64_t second = num(s2, "today_ms");
  EXPECT_GE(second, first + 700);

  // A lost socket closes it too (the final leave of a disconnect).
  ASSERT_TRUE(b.enter("desk-1"));
  ASSERT_EQ(type(b.study("start")), "study_state");
  std::this_thread::sleep_for(Ms(300));
  b.ws.close();
  JsonObjectPtr s3 = closedStats(mina);
  ASSERT_TRUE(s3);
  EXPECT_GE(num(s3, "today_ms"), second + 300);

  // The leaderboards hold exactly the ledger's time.
  Rest lb = rest(port, "GET", "/api/v1/study/leaderboard?period=today", "", mina);
  ASSERT_EQ(lb.status, 200) << lb.raw;
  JsonArray* entries = json::getArray(lb.json.get(), "entries");
  ASSERT_TRUE(entries);
  ASSERT_EQ(json_array_get_length(entries), 1u);
  JsonObject* top = json_array_get_object_element(entries, 0);
  EXPECT_EQ(str(top, "display_name"), "Mina Park");
  EXPECT_EQ(json::getInt(top, "ms").value_or(0), num(s3, "today_ms"));
  Rest room = rest(port, "GET", "/api/v1/study/leaderboard?period=week&room=desk-1", "");
  ASSERT_EQ(room.status, 200) << room.raw;
  entries = json::getArray(room.json.get(), "entries");
  ASSERT_TRUE(entries && json_array_get_length(entries) == 1u);
  EXPECT_EQ(json::getInt(json_array_get_object_element(entries, 0), "ms").value_or(0),
            num(s3, "today_ms"));
  EXPECT_EQ(rest(port, "GET", "/api/v1/study/leaderboard?period=year", "").code(), "invalid_field");
  EXPECT_EQ(rest(port, "GET", "/api/v1/study/stats", "").status, 401);

  // The month calendar shows the day.
  Rest cal = rest(port, "GET", "/api/v1/study/calendar", "", mina);
  ASSERT_EQ(cal.status, 200) << cal.raw;
  std::string today = str(s3.get(), "day");
  JsonArray* days = json::getArray(cal.json.get(), "days");
  ASSERT_TRUE(days);
  EXPECT_GE(json_array_get_length(days), 28u);
  bool found = false;
  for (guint i = 0; i < json_array_get_length(days); ++i) {
    JsonObject* d = json_array_get_object_element(days, i);
    if (str(d, "day") == today) {
      found = true;
      EXPECT_EQ(json::getInt(d, "ms").value_or(0), num(s3, "today_ms"));
    } else {
      EXPECT_EQ(json::getInt(d, "ms").value_or(-1), 0) << str(d, "day");
    }
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(rest(port, "GET", "/api/v1/study/calendar?month=2026-13", "", mina).code(),
            "invalid_field");

  // Settings: a goal of 0 asks for any study, so today starts a streak.
  std::string ana = accountToken(port, "ana", "Ana");
  Rest bad = rest(port, "PUT", "/api/v1/study/settings", R"({"time_zone":"Mars/Base"})", ana);
  EXPECT_EQ(bad.code(), "invalid_field");
  EXPECT_EQ(
      rest(port, "PUT", "/api/v1/study/settings", R"({"daily_goal_minutes":2000})", ana).code(),
      "invalid_field");
  Rest ok =
      rest(port, "PUT", "/api/v1/study/settings",
           R"({"time_zone":"Asia/Tokyo","daily_goal_minutes":0,"day_boundary_minutes":240})", ana);
  ASSERT_EQ(ok.status, 200) << ok.raw;
  JsonObjectPtr s = stats(ana);
  JsonObject* settings = json::getObject(s.get(), "settings");
  ASSERT_TRUE(settings);
  EXPECT_EQ(str(settings, "time_zone"), "Asia/Tokyo");
  EXPECT_EQ(json::getInt(settings, "day_boundary_minutes").value_or(0), 240);
  EXPECT_EQ(num(s, "streak_days"), 0);
  makeRoom(port, ana, "desk-9");
  Device d;
  ASSERT_TRUE(d.join(port, ana, "desk-9"));
  ASSERT_EQ(type(d.study("start")), "study_state");
  std::this_thread::sleep_for(Ms(200));
  ASSERT_EQ(type(d.study("stop")), "study_state");
  // A goal of 0 asks for any study: today starts the streak.
  JsonObjectPtr after = closedStats(ana);
  EXPECT_EQ(num(after, "streak_days"), 1);
  EXPECT_TRUE(json::getBool(after.get(), "goal_met_today").value_or(false));
}

TEST_F(ControlStudy, LeaderboardsEqualTheLedgerAfterARandomRunAndAKill9) {
  // A node of its own, so that it can be restarted to rebuild the leaderboards.
  auto node = std::make_unique<ControlProcess>(
      startControl(dir, stack->redisPort(), "ctl-lb", controlArgs()));
  int at = node->port;
  std::vector<std::string> tokens;
  for (int i = 0; i < 4; ++i) {
    tokens.push_back(accountToken(at, "user" + std::to_string(i), "User " + std::to_string(i)));
    ASSERT_FALSE(tokens.back().empty());
  }
  const std::vector<std::string> rooms{"desk-a", "desk-b"};
  for (const auto& r : rooms) makeRoom(at, tokens[0], r);
  unsigned seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  std::vector<std::unique_ptr<Device>> devices;
  std::vector<bool> studying(tokens.size(), false);
  std::vector<size_t> where(tokens.size(), 0);
  for (size_t i = 0; i < tokens.size(); ++i) {
    devices.push_back(std::make_unique<Device>());
    where[i] = rng() % rooms.size();
    ASSERT_TRUE(devices[i]->join(at, tokens[i], rooms[where[i]]));
  }
  for (int step = 0; step < 40; ++step) {
    size_t u = rng() % tokens.size();
    Device& d = *devices[u];
    switch (rng() % 3) {
      case 0:
        ASSERT_EQ(type(d.study("start")), "study_state");
        studying[u] = true;
        break;
      case 1:
        if (studying[u]) {
          ASSERT_EQ(type(d.study("stop")), "study_state");
        }
        studying[u] = false;
        break;
      default:  // move to the other room: the leave closes the interval
        ASSERT_TRUE(d.leave());
        studying[u] = false;
        where[u] = (where[u] + 1) % rooms.size();
        ASSERT_TRUE(d.enter(rooms[where[u]]));
        break;
    }
    std::this_thread::sleep_for(Ms(20 + rng() % 80));
  }
  for (auto& d : devices) ASSERT_TRUE(d->leave());

  // Every piece of the ledger, summed per leaderboard set.
  auto expected = [&] {
    control::MySqlConnection sql;
    std::string why;
    control::MySqlParams p;
    p.socket = db->socket();
    EXPECT_TRUE(sql.connect(p, &why) && sql.selectDatabase(kDb, &why)) << why;
    auto rows = sql.query(
        "SELECT user_id, room_id, DATEDIFF(day, '1970-01-01'), ended_ms - started_ms FROM "
        "study_intervals",
        {}, &why);
    EXPECT_TRUE(rows) << why;
    std::map<std::string, std::map<std::string, int64_t>> sets;
    for (const auto& r : rows ? *rows : std::vector<control::MySqlConnection::Row>{}) {
      int64_t day = std::stoll(*r[2]);
      for (auto period :
           {control::LbPeriod::Day, control::LbPeriod::Week, control::LbPeriod::Month}) {
        sets[control::Leaderboards::key(period, day, "")][*r[0]] += std::stoll(*r[3]);
        sets[control::Leaderboards::key(period, day, *r[1])][*r[0]] += std::stoll(*r[3]);
      }
    }
    return sets;
  };
  auto actual = [&](const std::string& key) {
    std::map<std::string, int64_t> out;
    std::istringstream in(redisCli(stack->redisPort(), "ZRANGE " + key + " 0 -1 WITHSCORES"));
    std::string member, score;
    while (std::getline(in, member) && std::getline(in, score)) out[member] = std::stoll(score);
    return out;
  };
  auto compare = [&] {
    auto sets = expected();
    EXPECT_GE(sets.size(), 6u);
    for (const auto& [key, members] : sets) EXPECT_EQ(actual(key), members) << key;
    // And no set holds anything the ledger does not.
    std::istringstream keys(redisCli(stack->redisPort(), "SMEMBERS lb:keys"));
    std::string k;
    while (std::getline(keys, k)) EXPECT_TRUE(sets.count(k)) << k;
  };
  // Closes are written asynchronously after the leave answers: wait until all are in.
  for (const auto& t : tokens) ASSERT_TRUE(closedStats(t));
  std::this_thread::sleep_for(Ms(300));
  compare();

  // kill -9 of the node while user 0 studies: the stack's node sweeps the orphan at its last
  // heartbeat (at most one heartbeat lost) and feeds the leaderboards with it.
  int64_t before = num(closedStats(tokens[0]), "today_ms");
  ASSERT_TRUE(devices[0]->enter(rooms[0]));
  JsonObjectPtr on = devices[0]->study("start");
  ASSERT_EQ(type(on), "study_state");
  int64_t started = num(on, "started_ms");
  std::this_thread::sleep_for(Ms(1500));
  int64_t killedAt = wallMs();
  node->proc->kill9();
  JsonObjectPtr swept = closedStats(tokens[0]);
  ASSERT_TRUE(swept);
  int64_t counted = num(swept, "today_ms") - before;
  EXPECT_LE(counted, killedAt - started);
  EXPECT_GE(counted, killedAt - started - kHeartbeatMs - 300);
  std::this_thread::sleep_for(Ms(300));
  compare();

  // Spoil Redis, restart the node: the start-up rebuild makes the sets equal again.
  auto sets = expected();
  std::string someKey = sets.begin()->first;
  redisCli(stack->redisPort(), "ZADD " + someKey + " 123456 999");
  redisCli(stack->redisPort(), "DEL " + std::next(sets.begin())->first);
  node.reset();
  node = std::make_unique<ControlProcess>(
      startControl(dir, stack->redisPort(), "ctl-lb", controlArgs()));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (actual(someKey).count("999") && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(Ms(100));
  }
  compare();

  // The dead node's Redis entry expires: user 0 may count again, on the restarted node.
  Device again;
  ASSERT_TRUE(again.join(node->port, tokens[0], rooms[0]));
  JsonObjectPtr r = startEventually(again);
  EXPECT_EQ(type(r), "study_state");
}
