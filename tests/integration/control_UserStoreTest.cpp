// Accounts in a real MariaDB through the DB worker thread: users, sessions, the shared secret.
#include <gtest/gtest.h>

#include <glib.h>

#include "AccessTokens.hpp"
#include "DbWorker.hpp"
#include "MainContextPump.hpp"
#include "MariaDbServer.hpp"
#include "Migrations.hpp"
#include "PasswordHasher.hpp"
#include "TestEnv.hpp"
#include "UserStore.hpp"

using namespace carrel::control;
using namespace carrel::test;

namespace {

class UserStoreTest : public ::testing::Test {
 protected:
  // Shared by the tests of one process; made by the first test so that a failure fails it
  // (in SetUpTestSuite gtest would report the tests as skipped).
  static void setUpDatabase() {
    dir_ = new std::string(artifactDir("ControlUserStore"));
    db_ = new MariaDbServer(*dir_ + "/db");
    MySqlConnection c;
    std::string err;
    ASSERT_TRUE(c.connect(params(), &err)) << err;
    ASSERT_TRUE(Migrations::run(c, "carrel_u", sourceDir() + "/control/migrations", &err)) << err;
  }
  static void TearDownTestSuite() {
    delete db_;
    delete dir_;
  }
  static MySqlParams params() {
    MySqlParams p;
    p.socket = db_->socket();
    return p;
  }
  void SetUp() override {
    if (!db_) {
      ASSERT_NO_FATAL_FAILURE(setUpDatabase());
    }
    std::string err;
    ASSERT_TRUE(worker.start(params(), "carrel_u", &err)) << err;
  }
  // Runs fn on the worker thread and waits for its completion on this (main) thread.
  void onWorker(const std::function<void(UserStore&)>& fn) {
    bool done = false;
    worker.run(
        [&](MySqlConnection& db) {
          UserStore store(db);
          fn(store);
        },
        [&] { done = true; });
    ASSERT_TRUE(pumpUntil([&] { return done; }));
  }
  static std::string* dir_;
  static MariaDbServer* db_;
  DbWorker worker;
};
std::string* UserStoreTest::dir_ = nullptr;
MariaDbServer* UserStoreTest::db_ = nullptr;

}  // namespace

TEST_F(UserStoreTest, CreateFindAndRefuseDuplicateLogin) {
  PasswordHasher hasher(PasswordHasher::Strength::Minimum);
  std::string hash = hasher.hash("s3cret!");
  StoreResult first{}, second{};
  User created, found;
  std::string storedHash, err;
  onWorker([&](UserStore& s) {
    first = s.create("mina", hash, "Mina Park", "Asia/Seoul", false, &created, &err);
    second = s.create("mina", hash, "Someone Else", "UTC", false, nullptr, &err);
    s.findByLogin("mina", &found, &storedHash, &err);
  });
  EXPECT_EQ(first, StoreResult::Ok) << err;
  EXPECT_EQ(second, StoreResult::Conflict);
  EXPECT_GT(created.id, 0u);
  EXPECT_EQ(found.id, created.id);
  EXPECT_EQ(found.displayName, "Mina Park");
  EXPECT_EQ(found.timeZone, "Asia/Seoul");
  EXPECT_TRUE(hasher.verify(storedHash, "s3cret!"));
  EXPECT_EQ(db_->query("SELECT COUNT(*) FROM carrel_u.users WHERE login='mina'"), "1\n");
}

TEST_F(UserStoreTest, HostileStringsAreStoredVerbatim) {
  const std::string name =
      "Robert'); DROP TABLE users;-- <script>alert(1)</script> \xF0\x9F\x93\x9A";
  StoreResult r{};
  User u, back;
  std::string err;
  onWorker([&](UserStore& s) {
    r = s.create("bobby_tables", "x", name, "UTC", false, &u, &err);
    s.findById(u.id, &back, &err);
  });
  ASSERT_EQ(r, StoreResult::Ok) << err;
  EXPECT_EQ(back.displayName, name);
  EXPECT_EQ(db_->query("SELECT COUNT(*) FROM information_schema.tables WHERE "
                       "table_schema='carrel_u' AND table_name='users'"),
            "1\n");
}

TEST_F(UserStoreTest, SessionsCanBeRevoked) {
  User u;
  std::string err, sid = AccessTokens::newSessionId();
  bool activeBefore = false, activeAfter = true, expired = true, otherUser = true;
  StoreResult revoked{}, again{};
  onWorker([&](UserStore& s) {
    s.create("ana", "x", "Ana", "UTC", false, &u, &err);
    s.createSession(sid, u.id, 2000000000, &err);
    activeBefore = s.sessionActive(sid, u.id, 1000, &err);
    expired = s.sessionActive(sid, u.id, 2000000001, &err);
    otherUser = s.sessionActive(sid, u.id + 1, 1000, &err);
    revoked = s.revokeSession(sid, &err);
    again = s.revokeSession(sid, &err);
    activeAfter = s.sessionActive(sid, u.id, 1000, &err);
  });
  EXPECT_TRUE(activeBefore) << err;
  EXPECT_FALSE(expired);
  EXPECT_FALSE(otherUser);
  EXPECT_EQ(revoked, StoreResult::Ok);
  EXPECT_EQ(again, StoreResult::NotFound);
  EXPECT_FALSE(activeAfter);
}

TEST_F(UserStoreTest, EveryNodeGetsTheSameTokenSecret) {
  std::optional<std::string> a, b;
  std::string err;
  onWorker([&](UserStore& s) {
    a = s.tokenSecret(AccessTokens::newSecret(), &err);
    b = s.tokenSecret(AccessTokens::newSecret(), &err);
  });
  ASSERT_TRUE(a && b) << err;
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(a->size(), 64u);
}

TEST_F(UserStoreTest, CompletionsRunOnTheMainContextInOrder) {
  std::vector<int> order;
  GThread* main = g_thread_self();
  bool offMain = false;
  for (int i = 0; i < 5; ++i) {
    worker.run([&](MySqlConnection&) { offMain = offMain || g_thread_self() != main; },
               [&, i] {
                 EXPECT_EQ(g_thread_self(), main);
                 order.push_back(i);
               });
  }
  ASSERT_TRUE(pumpUntil([&] { return order.size() == 5; }));
  EXPECT_TRUE(offMain);
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
}
