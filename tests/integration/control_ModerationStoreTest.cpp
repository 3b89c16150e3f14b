// Moderation's durable state on a real MariaDB (migration 008): moderators, the owner, bans for
// a while / for good / everywhere, the lock and waiting-room switches, and the audit log.
// One test on one MariaDB: each test process bootstraps its own server, which takes seconds.
#include <gtest/gtest.h>

#include "MariaDbServer.hpp"
#include "Migrations.hpp"
#include "ModerationStore.hpp"
#include "TestEnv.hpp"
#include "UserStore.hpp"

using namespace carrel::control;
using namespace carrel::test;

namespace {

class ModerationStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = artifactDir("ControlModerationStore");
    server = std::make_unique<MariaDbServer>(dir + "/db");
    MySqlParams p;
    p.socket = server->socket();
    std::string err;
    ASSERT_TRUE(db.connect(p, &err)) << err;
    ASSERT_TRUE(Migrations::run(db, "carrel_m", sourceDir() + "/control/migrations", &err)) << err;
    User u;
    ASSERT_EQ(UserStore(db).create("olga", "x", "Olga", "UTC", false, &u, &err), StoreResult::Ok);
    olga = u.id;
    ASSERT_EQ(UserStore(db).create("mina", "x", "Mina", "UTC", false, &u, &err), StoreResult::Ok);
    mina = u.id;
    ASSERT_TRUE(db.execute("INSERT INTO rooms (id, title, owner_id) VALUES ('r1', 'R', ?)",
                           {std::to_string(olga)}, &err))
        << err;
  }
  std::string dir;
  std::unique_ptr<MariaDbServer> server;
  MySqlConnection db;
  uint64_t olga = 0, mina = 0;
};

void standingModeratorsAndOwnerHandover(MySqlConnection& db, uint64_t olga, uint64_t mina) {
  ModerationStore st(db);
  std::string err;
  auto s = st.standing("r1", mina, &err);
  ASSERT_TRUE(s) << err;
  EXPECT_TRUE(s->roomExists);
  EXPECT_EQ(s->ownerId, olga);
  EXPECT_FALSE(s->moderator);
  ASSERT_TRUE(st.setModerator("r1", mina, true, olga, &err)) << err;
  ASSERT_TRUE(st.setModerator("r1", mina, true, olga, &err)) << err;  // twice is fine
  EXPECT_TRUE(st.standing("r1", mina, &err)->moderator);
  EXPECT_FALSE(st.standing("r2", mina, &err)->roomExists);
  ASSERT_TRUE(st.setOwner("r1", mina, &err)) << err;
  s = st.standing("r1", mina, &err);
  EXPECT_EQ(s->ownerId, mina);
  EXPECT_FALSE(s->moderator);  // an owner is no longer listed as a moderator
  ASSERT_TRUE(st.setModerator("r1", olga, true, mina, &err));
  ASSERT_TRUE(st.setModerator("r1", olga, false, mina, &err));
  EXPECT_FALSE(st.standing("r1", olga, &err)->moderator);
}

void bansForAWhileForGoodAndEverywhere(MySqlConnection& db, uint64_t olga, uint64_t mina) {
  ModerationStore st(db);
  std::string err;
  bool failed = true;
  int64_t now = 1'800'000'000'000;
  EXPECT_FALSE(st.activeBan("r1", mina, now, &err, &failed));
  EXPECT_FALSE(failed);
  Ban b;
  b.room = "r1";
  b.userId = mina;
  b.reason = "spam";
  b.expiresAtMs = now + 60'000;
  ASSERT_TRUE(st.addBan(b, olga, &err)) << err;
  auto got = st.activeBan("r1", mina, now, &err, &failed);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->reason, "spam");
  EXPECT_EQ(got->expiresAtMs, now + 60'000);
  EXPECT_FALSE(st.activeBan("r1", mina, now + 60'001, &err, &failed));  // over
  EXPECT_FALSE(st.activeBan("other", mina, now, &err, &failed));        // another room
  EXPECT_FALSE(st.activeBan("r1", olga, now, &err, &failed));           // another user

  Ban forever;
  forever.room = "r1";
  forever.userId = mina;
  forever.reason = "for good";
  ASSERT_TRUE(st.addBan(forever, olga, &err));
  got = st.activeBan("r1", mina, now, &err, &failed);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->reason, "for good");  // the one for good wins over the one that ends
  EXPECT_FALSE(got->expiresAtMs);

  Ban everywhere;
  everywhere.userId = olga;
  everywhere.reason = "abuse";
  ASSERT_TRUE(st.addBan(everywhere, 0, &err));
  got = st.activeBan("any-room", olga, now, &err, &failed);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->room, "");
}

void lockWaitingRoomAndAuditLog(MySqlConnection& db, uint64_t olga, uint64_t mina) {
  ModerationStore st(db);
  std::string err;
  auto f = st.flags("r1", &err);
  ASSERT_TRUE(f) << err;
  EXPECT_FALSE(f->locked);
  EXPECT_FALSE(f->waitingRoom);
  ASSERT_TRUE(st.setLocked("r1", true, &err)) << err;
  ASSERT_TRUE(st.setWaitingRoom("r1", true, &err)) << err;
  ASSERT_TRUE(st.setLocked("r1", false, &err)) << err;
  f = st.flags("r1", &err);
  EXPECT_FALSE(f->locked);
  EXPECT_TRUE(f->waitingRoom);

  for (int i = 0; i < 3; ++i) {
    AuditEntry e;
    e.room = i == 2 ? "r2" : "r1";
    e.actorId = olga;
    e.actorName = "Olga";
    e.action = "kick";
    e.targetUserId = mina;
    e.targetParticipant = "p" + std::to_string(i);
    e.targetName = "Mina";
    e.reason = "reason " + std::to_string(i);
    ASSERT_TRUE(st.audit(e, &err)) << err;
  }
  auto log = st.auditLog("r1", 0, 50, &err);
  ASSERT_TRUE(log) << err;
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ((*log)[0].reason, "reason 1");  // newest first
  EXPECT_EQ((*log)[0].actorId, olga);
  EXPECT_EQ((*log)[0].targetUserId, mina);
  EXPECT_FALSE((*log)[0].createdAt.empty());
  auto all = st.auditLog("", 0, 50, &err);
  EXPECT_EQ(all->size(), 3u);
  auto page = st.auditLog("", (*all)[0].id, 1, &err);
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].id, (*all)[1].id);
}

}  // namespace

TEST_F(ModerationStoreTest, RolesBansSwitchesAndAuditLog) {
  {
    SCOPED_TRACE("standing, moderators, owner handover");
    standingModeratorsAndOwnerHandover(db, olga, mina);
  }
  {
    SCOPED_TRACE("bans");
    bansForAWhileForGoodAndEverywhere(db, olga, mina);
  }
  {
    SCOPED_TRACE("lock, waiting room, audit log");
    lockWaitingRoomAndAuditLog(db, olga, mina);
  }
}
