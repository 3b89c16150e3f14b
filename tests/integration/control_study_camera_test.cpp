// Study time counted by the room's policy and across reconnects, through a real
// carrel-control with real MariaDB and Redis. The media node is the scripted FakeSfu (see
// control_FakeSfu.hpp), so that a camera goes on and off, and a resumed session's tracks end
// and come back, exactly when the test says:
// * a room in mode "camera" opens an interval when a member's camera goes on and closes it
//   (at the moment it went off) when it goes off, is muted, or the member leaves;
// * a client that drops and resumes within the grace keeps one unbroken interval: one row
//   of the ledger, not two (by hand and with the camera);
// * one account on two devices, on two control nodes, switching back and forth (with and
//   without the old device lingering in its grace), is never counted twice: the ledger's
//   rows never overlap;
// * a kick closes the interval, and a client gone for longer than the grace stopped
//   counting when its socket went away, not when the grace ran out.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <thread>

#include "MariaDbServer.hpp"
#include "MySqlConnection.hpp"
#include "RedisServer.hpp"
#include "WsClient.hpp"
#include "control_FakeSfu.hpp"
#include "control_account_helpers.hpp"

using namespace carrel;
using namespace carrel::test;
using Ms = std::chrono::milliseconds;

namespace {

constexpr const char* kDb = "carrel_camera";
constexpr const char* kCamera = R"({"track":"video0","kind":"video"})";

int64_t wallMs() {
  return std::chrono::duration_cast<Ms>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool isStudyState(JsonObject* o, bool studying) {
  return str(o, "type") == "study_state" &&
         json::getBool(o, "studying").value_or(!studying) == studying;
}

struct Member {
  WsClient ws;
  std::string id, token;
  bool join(const std::string& url, const std::string& room) {
    if (!ws.connect(url)) return false;
    ws.send(R"({"type":"hello","name":"member"})");
    JsonObjectPtr w = ws.waitForType("welcome");
    if (!w) return false;
    id = str(w.get(), "participant");
    token = str(w.get(), "resume_token");
    ws.send(R"({"type":"join","room":")" + room + "\"}");
    return ws.waitForType("joined", Ms(10000)) != nullptr;
  }
  // Drops the socket without a leave and comes back on a new one with the resume token.
  bool dropAndResume(const std::string& url) {
    ws.close();
    if (!ws.waitClosed()) return false;
    std::this_thread::sleep_for(Ms(300));
    if (!fresh.connect(url)) return false;
    fresh.send(R"({"type":"hello","name":"member","resume":")" + token + "\"}");
    JsonObjectPtr w = fresh.waitForType("welcome");
    if (!w || !json::getBool(w.get(), "resumed").value_or(false)) return false;
    return fresh.waitForType("resumed", Ms(10000)) != nullptr;
  }
  WsClient fresh;
};

class ControlStudyCamera : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = artifactDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    db = std::make_unique<MariaDbServer>(dir + "/db");
    redis = std::make_unique<RedisServer>(dir);
    sfu = std::make_unique<FakeSfu>(redis->port(), "sfu-fake", 0);
    ctl = std::make_unique<ControlProcess>(
        startControl(dir, redis->port(), "ctl-cam",
                     {"--mysql-socket", db->socket(), "--mysql-database", kDb,
                      "--study-heartbeat-ms", "300", "--reconnect-grace-ms", "8000"}));
  }
  std::string url(const std::string& token) const { return wsUrlWithToken(ctl->port, token); }
  // The user's ledger rows: {started_ms, ended_ms, reason}, oldest first.
  std::vector<std::vector<std::string>> rows(const std::string& login) {
    control::MySqlConnection sql;
    std::string why;
    control::MySqlParams p;
    p.socket = db->socket();
    EXPECT_TRUE(sql.connect(p, &why) && sql.selectDatabase(kDb, &why)) << why;
    auto r = sql.query(
        "SELECT i.started_ms, i.ended_ms, i.reason FROM study_intervals i JOIN users u ON u.id = "
        "i.user_id WHERE u.login = ? ORDER BY i.started_ms",
        {login}, &why);
    EXPECT_TRUE(r) << why;
    std::vector<std::vector<std::string>> out;
    for (const auto& row : r ? *r : std::vector<control::MySqlConnection::Row>{}) {
      out.push_back({row[0].value_or(""), row[1].value_or(""), row[2].value_or("")});
    }
    return out;
  }
  // Waits until the user has n ledger rows.
  std::vector<std::vector<std::string>> rowsEventually(const std::string& login, size_t n) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    for (;;) {
      auto r = rows(login);
      if (r.size() >= n || std::chrono::steady_clock::now() > deadline) return r;
      std::this_thread::sleep_for(Ms(100));
    }
  }
  std::string dir;
  std::unique_ptr<MariaDbServer> db;
  std::unique_ptr<RedisServer> redis;
  std::unique_ptr<FakeSfu> sfu;
  std::unique_ptr<ControlProcess> ctl;
};

}  // namespace

TEST_F(ControlStudyCamera, TheCameraOpensAndClosesTheIntervalInACameraRoom) {
  std::string olga = accountToken(ctl->port, "olga", "Olga");
  std::string mina = accountToken(ctl->port, "mina", "Mina");
  ASSERT_FALSE(olga.empty());
  ASSERT_FALSE(mina.empty());
  Rest made =
      rest(ctl->port, "POST", "/api/v1/rooms", R"({"id":"cam","title":"Cameras on"})", olga);
  ASSERT_EQ(made.status, 201) << made.raw;
  Member owner, m;
  ASSERT_TRUE(owner.join(url(olga), "cam"));
  ASSERT_TRUE(m.join(url(mina), "cam"));
  // A new room counts by hand: it says so on entering, and a camera counts nothing.
  JsonObjectPtr sync = m.ws.waitForType("study_mode");
  ASSERT_TRUE(sync);
  EXPECT_EQ(str(sync.get(), "mode"), "manual");
  EXPECT_EQ(str(sync.get(), "cause"), "sync");
  sfu->emit(m.id, "track.published", kCamera);
  EXPECT_TRUE(m.ws.noneWithin([](JsonObject* o) { return isStudyState(o, true); }, Ms(1000)));

  // Only the owner (or a moderator, an admin) sets the mode.
  m.ws.send(R"({"type":"study","action":"mode","mode":"camera","id":"m1"})");
  EXPECT_TRUE(m.ws.waitForError("forbidden", "m1"));
  owner.ws.send(R"({"type":"study","action":"mode","mode":"sometimes","id":"m2"})");
  EXPECT_TRUE(owner.ws.waitForError("invalid_field", "m2"));
  owner.ws.send(R"({"type":"study","action":"mode","mode":"camera"})");
  auto set = m.ws.waitFor(
      [](JsonObject* o) { return str(o, "type") == "study_mode" && str(o, "cause") == "set"; },
      Ms(10000));
  ASSERT_TRUE(set);
  EXPECT_EQ(str(set.get(), "mode"), "camera");
  // Mina's camera is already on: she counts from now. Olga has no camera: she does not.
  JsonObjectPtr on = m.ws.waitFor([](JsonObject* o) { return isStudyState(o, true); }, Ms(10000));
  ASSERT_TRUE(on);
  int64_t started = json::getInt(on.get(), "started_ms").value_or(0);
  EXPECT_TRUE(owner.ws.waitFor(
      [&](JsonObject* o) {
        return str(o, "type") == "study_changed" && str(o, "participant") == m.id &&
               json::getBool(o, "studying").value_or(false);
      },
      Ms(10000)));
  EXPECT_TRUE(owner.ws.noneWithin([](JsonObject* o) { return isStudyState(o, true); }, Ms(300)));

  // A screen share is not a camera; muting the camera closes the interval at the mute.
  sfu->emit(m.id, "track.published", R"({"track":"screen0","kind":"video"})");
  std::this_thread::sleep_for(Ms(1200));
  int64_t mutedAt = wallMs();
  m.ws.send(R"({"type":"mute","kind":"video","muted":true})");
  ASSERT_TRUE(m.ws.waitFor([](JsonObject* o) { return isStudyState(o, false); }, Ms(15000)));
  auto r = rowsEventually("mina", 1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(std::stoll(r[0][0]), started);
  EXPECT_GE(std::stoll(r[0][1]), mutedAt - 100);
  EXPECT_LE(std::stoll(r[0][1]), mutedAt + 500);  // not the settle time after it
  EXPECT_EQ(r[0][2], "camera_off");

  // Unmuted: counting again. The camera ends and comes back within the settle time (what a
  // resumed session's media does): one unbroken interval.
  m.ws.send(R"({"type":"mute","kind":"video","muted":false})");
  JsonObjectPtr again =
      m.ws.waitFor([](JsonObject* o) { return isStudyState(o, true); }, Ms(10000));
  ASSERT_TRUE(again);
  int64_t restarted = json::getInt(again.get(), "started_ms").value_or(0);
  EXPECT_GT(restarted, started);
  sfu->emit(m.id, "track.ended", kCamera);
  std::this_thread::sleep_for(Ms(500));
  sfu->emit(m.id, "track.published", kCamera);
  std::this_thread::sleep_for(Ms(6000));
  Rest during = rest(ctl->port, "GET", "/api/v1/study/stats", "", mina);
  JsonObject* open = json::getObject(during.json.get(), "open");
  ASSERT_TRUE(open) << during.raw;
  EXPECT_EQ(json::getInt(open, "started_ms").value_or(0), restarted);
  EXPECT_EQ(rows("mina").size(), 1u);

  // A late joiner hears the mode; a leave closes the interval.
  Member late;
  ASSERT_TRUE(late.join(url(accountToken(ctl->port, "kim", "Kim")), "cam"));
  JsonObjectPtr lateMode = late.ws.waitForType("study_mode");
  ASSERT_TRUE(lateMode);
  EXPECT_EQ(str(lateMode.get(), "mode"), "camera");
  m.ws.send(R"({"type":"leave"})");
  ASSERT_TRUE(m.ws.waitForType("left", Ms(10000)));
  r = rowsEventually("mina", 2);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(std::stoll(r[1][0]), restarted);
  EXPECT_EQ(r[1][2], "left");

  // Back to counting by hand: a camera-opened interval closes with the switch.
  sfu->emit(late.id, "track.published", kCamera);
  ASSERT_TRUE(late.ws.waitFor([](JsonObject* o) { return isStudyState(o, true); }, Ms(10000)));
  owner.ws.send(R"({"type":"study","action":"mode","mode":"manual"})");
  ASSERT_TRUE(late.ws.waitFor([](JsonObject* o) { return isStudyState(o, false); }, Ms(10000)));
  EXPECT_EQ(rowsEventually("kim", 1).size(), 1u);
}

TEST_F(ControlStudyCamera, AResumeWithinTheGraceKeepsOneUnbrokenInterval) {
  std::string ana = accountToken(ctl->port, "ana", "Ana");
  ASSERT_FALSE(ana.empty());
  ASSERT_EQ(rest(ctl->port, "POST", "/api/v1/rooms", R"({"id":"desk","title":"Desk"})", ana).status,
            201);
  Member a;
  ASSERT_TRUE(a.join(url(ana), "desk"));
  a.ws.send(R"({"type":"study","action":"start","id":"s"})");
  JsonObjectPtr on = a.ws.waitFor([](JsonObject* o) { return isStudyState(o, true); }, Ms(10000));
  ASSERT_TRUE(on);
  int64_t started = json::getInt(on.get(), "started_ms").value_or(0);
  std::this_thread::sleep_for(Ms(500));
  // Longer away than three heartbeats, shorter than the grace: nothing is closed meanwhile.
  ASSERT_TRUE(a.dropAndResume(url(ana)));
  std::this_thread::sleep_for(Ms(1500));
  Rest during = rest(ctl->port, "GET", "/api/v1/study/stats", "", ana);
  JsonObject* open = json::getObject(during.json.get(), "open");
  ASSERT_TRUE(open) << during.raw;
  EXPECT_EQ(json::getInt(open, "started_ms").value_or(0), started);
  EXPECT_TRUE(rows("ana").empty());
  // The resumed connection holds it: it may stop it.
  a.fresh.send(R"({"type":"study","action":"stop","id":"x"})");
  ASSERT_TRUE(a.fresh.waitFor([](JsonObject* o) { return isStudyState(o, false); }, Ms(10000)));
  auto r = rowsEventually("ana", 1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(std::stoll(r[0][0]), started);
  EXPECT_GE(std::stoll(r[0][1]) - started, 2000);
  EXPECT_EQ(r[0][2], "stop");
}

TEST_F(ControlStudyCamera, OneAccountOnTwoDevicesAndTwoNodesIsNeverCountedTwice) {
  auto second = std::make_unique<ControlProcess>(
      startControl(dir, redis->port(), "ctl-cam-2",
                   {"--mysql-socket", db->socket(), "--mysql-database", kDb, "--study-heartbeat-ms",
                    "300", "--reconnect-grace-ms", "8000"}));
  std::string ana = accountToken(ctl->port, "ana", "Ana");
  ASSERT_FALSE(ana.empty());
  ASSERT_EQ(rest(ctl->port, "POST", "/api/v1/rooms", R"({"id":"two","title":"Two"})", ana).status,
            201);
  const std::string urls[2] = {url(ana), wsUrlWithToken(second->port, ana)};
  unsigned seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  std::unique_ptr<Member> devices[2];
  int switches = 0;
  for (int step = 0; step < 8; ++step) {
    int d = step % 2;  // the other device takes over
    if (devices[1 - d] && rng() % 2) {
      devices[1 - d]->ws.close();  // gone without a leave: held in its grace, still counting
      ASSERT_TRUE(devices[1 - d]->ws.waitClosed());
    }
    devices[d] = std::make_unique<Member>();
    ASSERT_TRUE(devices[d]->join(urls[d], "two")) << step;
    // Until the other device's interval is closed, this one may not count.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    JsonObjectPtr r;
    for (;;) {
      devices[d]->ws.send(R"({"type":"study","action":"start","id":"s"})");
      r = devices[d]->ws.waitFor([](JsonObject* o) { return str(o, "ref") == "s"; }, Ms(10000));
      if (!r || str(r.get(), "type") == "study_state" ||
          std::chrono::steady_clock::now() > deadline) {
        break;
      }
      ASSERT_EQ(str(r.get(), "code"), "study_elsewhere");
      std::this_thread::sleep_for(Ms(100));
    }
    ASSERT_TRUE(r && str(r.get(), "type") == "study_state") << step;
    ++switches;
    std::this_thread::sleep_for(Ms(200 + rng() % 400));
  }
  devices[1]->ws.send(R"({"type":"leave"})");
  ASSERT_TRUE(devices[1]->ws.waitForType("left", Ms(10000)));

  auto r = rowsEventually("ana", static_cast<size_t>(switches));
  ASSERT_EQ(r.size(), static_cast<size_t>(switches));
  std::sort(r.begin(), r.end(),
            [](const auto& a, const auto& b) { return std::stoll(a[0]) < std::stoll(b[0]); });
  int64_t sum = 0;
  for (size_t i = 0; i < r.size(); ++i) {
    sum += std::stoll(r[i][1]) - std::stoll(r[i][0]);
    if (i) {
      EXPECT_GE(std::stoll(r[i][0]), std::stoll(r[i - 1][1]))
          << "rows " << i - 1 << " and " << i << " overlap";
    }
  }
  // And the stats count each moment once: the rows' sum, no more.
  Rest stats = rest(ctl->port, "GET", "/api/v1/study/stats", "", ana);
  ASSERT_EQ(stats.status, 200) << stats.raw;
  EXPECT_EQ(json::getInt(stats.json.get(), "today_ms").value_or(-1), sum);
}

TEST_F(ControlStudyCamera, AKickAndAGraceRunningOutCloseTheInterval) {
  std::string olga = accountToken(ctl->port, "olga", "Olga");
  std::string mina = accountToken(ctl->port, "mina", "Mina");
  ASSERT_EQ(rest(ctl->port, "POST", "/api/v1/rooms", R"({"id":"k","title":"K"})", olga).status,
            201);
  Member owner, m;
  ASSERT_TRUE(owner.join(url(olga), "k"));
  ASSERT_TRUE(m.join(url(mina), "k"));
  m.ws.send(R"({"type":"study","action":"start","id":"s"})");
  JsonObjectPtr on = m.ws.waitFor([](JsonObject* o) { return isStudyState(o, true); }, Ms(10000));
  ASSERT_TRUE(on);
  int64_t started = json::getInt(on.get(), "started_ms").value_or(0);
  std::this_thread::sleep_for(Ms(500));
  int64_t kickedAt = wallMs();
  owner.ws.send(R"({"type":"kick","participant":")" + m.id + R"(","reason":"test"})");
  ASSERT_TRUE(m.ws.waitForType("removed", Ms(10000)));
  auto r = rowsEventually("mina", 1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(std::stoll(r[0][0]), started);
  EXPECT_GE(std::stoll(r[0][1]), kickedAt - 50);
  EXPECT_LE(std::stoll(r[0][1]), kickedAt + 3000);

  // Olga studies, drops and never comes back (grace 8 s).
  owner.ws.send(R"({"type":"study","action":"start","id":"s"})");
  ASSERT_TRUE(owner.ws.waitFor([](JsonObject* o) { return isStudyState(o, true); }, Ms(10000)));
  std::this_thread::sleep_for(Ms(500));
  int64_t droppedAt = wallMs();
  owner.ws.close();
  ASSERT_TRUE(owner.ws.waitClosed());
  auto gone = rowsEventually("olga", 1);
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_GE(std::stoll(gone[0][1]), droppedAt - 50);
  EXPECT_LE(std::stoll(gone[0][1]), droppedAt + 1500);  // not the 8 s of grace after it
  EXPECT_EQ(gone[0][2], "disconnected");
}

TEST_F(ControlStudyCamera, AModeratorsMuteOfTheCameraStopsCountingLikeACameraOff) {
  std::string olga = accountToken(ctl->port, "olga", "Olga");
  std::string mina = accountToken(ctl->port, "mina", "Mina");
  ASSERT_EQ(rest(ctl->port, "POST", "/api/v1/rooms", R"({"id":"fm","title":"FM"})", olga).status,
            201);
  Member owner, m;
  ASSERT_TRUE(owner.join(url(olga), "fm"));
  ASSERT_TRUE(m.join(url(mina), "fm"));
  owner.ws.send(R"({"type":"study","action":"mode","mode":"camera"})");
  ASSERT_TRUE(m.ws.waitFor(
      [](JsonObject* o) { return str(o, "type") == "study_mode" && str(o, "mode") == "camera"; },
      Ms(10000)));
  sfu->emit(m.id, "track.published", kCamera);
  JsonObjectPtr on = m.ws.waitFor([](JsonObject* o) { return isStudyState(o, true); }, Ms(10000));
  ASSERT_TRUE(on);
  int64_t started = json::getInt(on.get(), "started_ms").value_or(0);
  std::this_thread::sleep_for(Ms(1000));

  // The owner turns Mina's camera off (her client does not mute it itself): the interval
  // closes when it went off, after the same settle time as her own camera-off.
  int64_t mutedAt = wallMs();
  owner.ws.send(R"({"type":"mute_participant","participant":")" + m.id +
                R"(","kind":"video","muted":true})");
  ASSERT_TRUE(m.ws.waitForType("force_muted", Ms(10000)));
  ASSERT_TRUE(m.ws.waitFor([](JsonObject* o) { return isStudyState(o, false); }, Ms(20000)))
      << "a camera a moderator turned off still counts";
  auto r = rowsEventually("mina", 1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(std::stoll(r[0][0]), started);
  EXPECT_GE(std::stoll(r[0][1]), mutedAt - 100);
  EXPECT_LE(std::stoll(r[0][1]), mutedAt + 1500);
  EXPECT_EQ(r[0][2], "camera_off");

  // Allowed again (her camera still published, never muted by herself): counting again.
  owner.ws.send(R"({"type":"mute_participant","participant":")" + m.id +
                R"(","kind":"video","muted":false})");
  JsonObjectPtr again =
      m.ws.waitFor([](JsonObject* o) { return isStudyState(o, true); }, Ms(10000));
  ASSERT_TRUE(again);
  EXPECT_GT(json::getInt(again.get(), "started_ms").value_or(0), started);
}
