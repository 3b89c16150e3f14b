// Schema migrations against a real MariaDB: the first start creates the database and applies
// every migration once; a second start applies nothing and leaves the records as they were.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "MariaDbServer.hpp"
#include "Migrations.hpp"
#include "RedisServer.hpp"
#include "control_helpers.hpp"

using namespace carrel;
using namespace carrel::test;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> mysqlArgs(MariaDbServer& db, const std::string& name,
                                   const std::string& migrations) {
  return {"--mysql-socket",   db.socket(), "--mysql-user",     "root",
          "--mysql-database", name,        "--migrations-dir", migrations};
}

bool logHas(const std::string& path, const std::string& text) {
  std::ifstream in(path);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return all.find(text) != std::string::npos;
}

}  // namespace

TEST(ControlMigrationsDb, AppliedOnceAndRecorded) {
  std::string dir = artifactDir("ControlMigrations.Once");
  MariaDbServer db(dir + "/db");
  RedisServer redis(dir);
  std::string shipped = sourceDir() + "/control/migrations";
  {
    auto ctl = startControl(dir, redis.port(), "ctl-mig1", mysqlArgs(db, "carrel_t", shipped));
    EXPECT_EQ(ctl.proc->stop(), 0);
    EXPECT_TRUE(logHas(ctl.proc->logPath(), "applied migration 001 initial"));
  }
  // Every shipped migration is recorded, in order.
  std::string expected;
  std::string scanError;
  auto shippedList = carrel::control::Migrations::scan(shipped, &scanError);
  ASSERT_TRUE(shippedList) << scanError;
  for (const auto& m : *shippedList) expected += std::to_string(m.version) + "\t" + m.name + "\n";
  EXPECT_EQ(db.query("SELECT version, name FROM carrel_t.schema_migrations ORDER BY version"),
            expected);
  EXPECT_EQ(
      db.query("SELECT COUNT(*) FROM information_schema.columns WHERE table_schema="
               "'carrel_t' AND table_name='rooms' AND column_name IN ('id','title','created_at')"),
      "3\n");
  std::string appliedAt =
      db.query("SELECT applied_at FROM carrel_t.schema_migrations ORDER BY version");
  ASSERT_FALSE(appliedAt.empty());
  db.query("INSERT INTO carrel_t.rooms (id, title) VALUES ('algebra', 'Algebra')");
  {
    auto ctl = startControl(dir, redis.port(), "ctl-mig2", mysqlArgs(db, "carrel_t", shipped));
    EXPECT_EQ(ctl.proc->stop(), 0);
    EXPECT_TRUE(logHas(ctl.proc->logPath(), "applied 0 migration(s)"));
    EXPECT_FALSE(logHas(ctl.proc->logPath(), "applied migration 001"));
  }
  EXPECT_EQ(db.query("SELECT COUNT(*) FROM carrel_t.schema_migrations"),
            std::to_string(shippedList->size()) + "\n");
  EXPECT_EQ(db.query("SELECT applied_at FROM carrel_t.schema_migrations ORDER BY version"),
            appliedAt);
  EXPECT_EQ(db.query("SELECT title FROM carrel_t.rooms WHERE id='algebra'"), "Algebra\n");
}

TEST(ControlMigrationsDb, NewMigrationsApplyInOrderAndABadOneStopsStartUp) {
  std::string dir = artifactDir("ControlMigrations.Order");
  MariaDbServer db(dir + "/db");
  RedisServer redis(dir);
  std::string mig = dir + "/migrations";
  fs::create_directories(mig);
  // Every shipped migration (the server needs its schema), then ours after them.
  std::string shippedVersions;
  for (const auto& e : fs::directory_iterator(sourceDir() + "/control/migrations")) {
    fs::copy_file(e.path(), mig + "/" + e.path().filename().string());
  }
  std::string scanError;
  auto shipped = carrel::control::Migrations::scan(mig, &scanError);
  ASSERT_TRUE(shipped) << scanError;
  for (const auto& m : *shipped) shippedVersions += std::to_string(m.version) + "\n";
  std::ofstream(mig + "/900_notes.sql")
      << "-- two statements; one file\nCREATE TABLE notes (id INT PRIMARY KEY, body TEXT);\n"
         "INSERT INTO notes VALUES (1, 'semi;colon');\n";
  {
    auto ctl = startControl(dir, redis.port(), "ctl-ord1", mysqlArgs(db, "carrel_o", mig));
    EXPECT_EQ(ctl.proc->stop(), 0);
  }
  EXPECT_EQ(db.query("SELECT version FROM carrel_o.schema_migrations ORDER BY version"),
            shippedVersions + "900\n");
  EXPECT_EQ(db.query("SELECT body FROM carrel_o.notes"), "semi;colon\n");

  std::ofstream(mig + "/901_broken.sql") << "CREATE TABLE oops (;\n";
  Process bad(
      {binary("carrel-control"), "--port", "0", "--redis-port", std::to_string(redis.port()),
       "--mysql-socket", db.socket(), "--mysql-database", "carrel_o", "--migrations-dir", mig},
      dir + "/ctl-bad.log");
  int status = 0;
  ASSERT_TRUE(bad.waitExit(std::chrono::seconds(20), &status));
  EXPECT_NE(status, 0);
  EXPECT_TRUE(bad.lines().empty()) << "no ready line when migrations fail";
  EXPECT_EQ(db.query("SELECT version FROM carrel_o.schema_migrations ORDER BY version"),
            shippedVersions + "900\n");
}
