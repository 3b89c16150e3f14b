// MariaDB going away under a running control plane: a DB worker spends no round trip checking
// its connection before each job, reconnects on the job that finds it dead (running it again
// only when nothing of it can have been applied), and a REST call (with or without a
// session), a WebSocket upgrade and a join made during the outage get the typed error
// storage_unavailable, then work again.
#include <gtest/gtest.h>

#include <future>

#include "CarrelStack.hpp"
#include "DbWorker.hpp"
#include "MariaDbServer.hpp"
#include "TestEnv.hpp"
#include "WsClient.hpp"
#include "control_account_helpers.hpp"

using namespace carrel;
using namespace carrel::test;
using carrel::control::DbWorker;
using carrel::control::MySqlConnection;
using Ms = std::chrono::milliseconds;

namespace {

struct JobResult {
  bool ok = false;
  bool unavailable = false;
  std::string value;
};

// Runs job on the worker and waits for it (the job itself reports: no main loop needed).
JobResult runJob(DbWorker& w, std::function<bool(MySqlConnection&, std::string*)> job) {
  auto p = std::make_shared<std::promise<JobResult>>();
  std::future<JobResult> f = p->get_future();
  w.run([p, job](MySqlConnection& db) {
    JobResult r;
    r.ok = job(db, &r.value);
    r.unavailable = db.unavailable();
    p->set_value(r);
  });
  if (f.wait_for(std::chrono::seconds(60)) != std::future_status::ready) return {};
  return f.get();
}

bool selectOne(MySqlConnection& db, const std::string& sql, std::string* out) {
  std::string err;
  auto rows = db.query(sql, {}, &err);
  if (!rows || rows->empty() || rows->front().empty() || !rows->front().front()) return false;
  *out = *rows->front().front();
  return true;
}

bool insert(MySqlConnection& db, const std::string& text) {
  std::string err;
  return db.execute("INSERT INTO notes (body) VALUES (?)", {text}, &err);
}

int64_t adminCommands(MariaDbServer& db) {
  // Batch output: "Com_admin_commands\t<n>\n".
  std::string out = db.query("SHOW GLOBAL STATUS LIKE 'Com_admin_commands'");
  size_t tab = out.find('\t');
  return tab == std::string::npos ? -1 : std::strtoll(out.c_str() + tab + 1, nullptr, 10);
}

}  // namespace

TEST(ControlDbOutage, WorkerReconnectsOnFirstUseWithoutPingingAndNeverAppliesAWriteTwice) {
  std::string dir = artifactDir("ControlDbOutageWorker");
  MariaDbServer db(dir + "/db");
  db.query(
      "CREATE DATABASE outage; CREATE TABLE outage.notes (id INT AUTO_INCREMENT PRIMARY KEY, "
      "body VARCHAR(64) NOT NULL)");
  control::MySqlParams params;
  params.socket = db.socket();
  DbWorker worker;
  std::string error;
  ASSERT_TRUE(worker.start(params, "outage", &error)) << error;

  std::string connection;
  auto first = runJob(worker, [](MySqlConnection& c, std::string* v) {
    return selectOne(c, "SELECT CONNECTION_ID()", v);
  });
  ASSERT_TRUE(first.ok);
  connection = first.value;

  // No ping (COM_PING counts as an admin command) before each of 30 jobs.
  int64_t before = adminCommands(db);
  ASSERT_GE(before, 0);
  for (int i = 0; i < 30; ++i) {
    auto r = runJob(worker,
                    [](MySqlConnection& c, std::string* v) { return selectOne(c, "SELECT 1", v); });
    ASSERT_TRUE(r.ok) << "job " << i;
  }
  int64_t after = adminCommands(db);
  EXPECT_LT(after - before, 10) << "admin commands (pings) during 30 jobs";

  // The server drops the idle connection: the next job's write, its first round trip, fails
  // while being prepared (nothing ran), reconnects and runs once.
  db.query("KILL CONNECTION " + connection);
  auto write = runJob(worker, [](MySqlConnection& c, std::string* v) {
    return insert(c, "after kill") && selectOne(c, "SELECT CONNECTION_ID()", v);
  });
  EXPECT_TRUE(write.ok);
  EXPECT_FALSE(write.unavailable);
  EXPECT_NE(write.value, connection);
  EXPECT_EQ(db.query("SELECT COUNT(*) FROM outage.notes WHERE body = 'after kill'"), "1\n");
  connection = write.value;

  // Lost in the middle of a job: what follows may depend on the lost session, so it fails
  // (unavailable) instead of running on a fresh connection; the next job reconnects.
  auto midJob = runJob(worker, [&db](MySqlConnection& c, std::string* v) {
    if (!selectOne(c, "SELECT CONNECTION_ID()", v)) return false;
    db.query("KILL CONNECTION " + *v);
    return insert(c, "mid job");
  });
  EXPECT_FALSE(midJob.ok);
  EXPECT_TRUE(midJob.unavailable);
  EXPECT_EQ(db.query("SELECT COUNT(*) FROM outage.notes WHERE body = 'mid job'"), "0\n");

  // MariaDB down: reads and writes fail at once and say unavailable.
  db.kill9();
  auto downRead = runJob(
      worker, [](MySqlConnection& c, std::string* v) { return selectOne(c, "SELECT 1", v); });
  EXPECT_FALSE(downRead.ok);
  EXPECT_TRUE(downRead.unavailable);
  auto downWrite =
      runJob(worker, [](MySqlConnection& c, std::string*) { return insert(c, "while down"); });
  EXPECT_FALSE(downWrite.ok);
  EXPECT_TRUE(downWrite.unavailable);

  // Back: the very next job works, and only the writes that succeeded are stored.
  db.restart();
  auto back =
      runJob(worker, [](MySqlConnection& c, std::string*) { return insert(c, "after restart"); });
  EXPECT_TRUE(back.ok);
  EXPECT_FALSE(back.unavailable);
  EXPECT_EQ(db.query("SELECT body FROM outage.notes ORDER BY id"), "after kill\nafter restart\n");
}

TEST(ControlDbOutage, RestCallsUpgradesAndJoinsGetStorageUnavailableThenWorkAgain) {
  std::string dir = artifactDir("ControlDbOutageStack");
  MariaDbServer db(dir + "/db");
  StackOptions o;
  o.controlArgs = {"--mysql-socket", db.socket(), "--mysql-database", "carrel_outage"};
  CarrelStack stack(dir, o);
  int port = stack.controlPort();
  std::string token = accountToken(port, "olga", "Olga");
  ASSERT_FALSE(token.empty());
  Rest made = rest(port, "POST", "/api/v1/rooms", R"({"id":"outage","title":"Outage"})", token);
  ASSERT_EQ(made.status, 201) << made.raw;

  WsClient ana;
  std::string error;
  ASSERT_TRUE(ana.connect(wsUrlWithToken(port, token), Ms(5000), &error)) << error;
  ASSERT_FALSE(ana.hello("Olga").empty());

  db.kill9();
  // A session lookup that cannot reach the database is not "unauthorized" (the web client
  // would log its user out): 503 storage_unavailable.
  Rest down = rest(port, "GET", "/api/v1/rooms/outage", "", token);
  EXPECT_EQ(down.status, 503) << down.raw;
  EXPECT_EQ(down.code(), "storage_unavailable") << down.raw;
  // No session needed, so the room's own lookups are what cannot reach the database.
  Rest search = rest(port, "GET", "/api/v1/rooms", "");
  EXPECT_EQ(search.status, 503) << search.raw;
  EXPECT_EQ(search.code(), "storage_unavailable") << search.raw;
  Rest lookup = rest(port, "GET", "/api/v1/rooms/outage", "");
  EXPECT_EQ(lookup.status, 503) << lookup.raw;
  EXPECT_EQ(lookup.code(), "storage_unavailable") << lookup.raw;
  UpgradeResult refused = rawUpgrade(port, "/ws?token=" + token);
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(refused.errorCode(), "storage_unavailable");
  ana.send(R"({"type":"join","room":"outage","id":"j1"})");
  EXPECT_TRUE(ana.waitForError("storage_unavailable", "j1", Ms(20000)));
  EXPECT_TRUE(ana.noneWithin([](JsonObject* m) { return str(m, "type") == "joined"; }, Ms(300)));

  db.restart();
  Rest up = rest(port, "GET", "/api/v1/rooms/outage", "", token);
  EXPECT_EQ(up.status, 200) << up.raw;
  EXPECT_EQ(rest(port, "GET", "/api/v1/rooms", "").status, 200);
  EXPECT_EQ(rawUpgrade(port, "/ws?token=" + token).status, 101);
  ana.send(R"({"type":"join","room":"outage","id":"j2"})");
  auto joined = ana.waitFor([](JsonObject* m) { return str(m, "type") == "joined"; }, Ms(20000));
  EXPECT_TRUE(joined);
}
