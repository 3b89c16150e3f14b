// The whole moderation matrix: every action x every role, allowed or refused with the typed
// error. The expectations are written out here (the table of docs/protocol.md), not derived
// from the server's table, so a changed row in either fails this test.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "ModerationErrors.hpp"
#include "Permissions.hpp"

using namespace carrel::control;

namespace {

// One column per role: admin, owner, moderator, member, outsider. "" = allowed.
struct Row {
  const char* action;
  const char* expected[5];
};

constexpr const char* A = "";
constexpr const char* F = "forbidden";
constexpr const char* O = "owner_only";
constexpr const char* N = "not_in_room";

const Row kExpected[] = {
    {"kick", {A, A, A, F, N}},
    {"ban", {A, A, A, F, N}},
    {"mute_participant", {A, A, A, F, N}},
    {"allow_unmute", {A, A, A, F, N}},
    {"mute_all", {A, A, A, F, N}},
    {"stop_screen", {A, A, A, F, N}},
    {"lock_room", {A, A, A, F, N}},
    {"waiting_room", {A, A, A, F, N}},
    {"admit", {A, A, A, F, N}},
    {"close_room", {A, A, O, O, N}},
    {"delete_any_chat", {A, A, A, F, N}},
    {"afk_check", {A, A, A, F, N}},
    {"set_moderator", {A, A, O, O, N}},
    {"transfer_ownership", {A, A, O, O, N}},
    {"read_audit", {A, A, O, O, N}},
    {"set_room_timer", {A, A, A, F, N}},
};

const Role kRoleOrder[] = {Role::Admin, Role::Owner, Role::Moderator, Role::Member, Role::Outsider};

}  // namespace

TEST(ControlPermissions, EveryActionTimesEveryRole) {
  std::set<std::string> seen;
  for (const Row& row : kExpected) {
    auto action = Permissions::actionNamed(row.action);
    ASSERT_TRUE(action) << row.action;
    seen.insert(row.action);
    for (int i = 0; i < 5; ++i) {
      Role role = kRoleOrder[i];
      auto d = Permissions::check(*action, role);
      std::string got = d ? d->code : "";
      EXPECT_EQ(got, row.expected[i]) << row.action << " as " << Permissions::name(role);
      if (d) {
        EXPECT_NE(std::string(d->message).find(row.action), std::string::npos) << d->message;
      }
    }
  }
  // No action of the server is missing from the table above.
  EXPECT_EQ(seen.size(), Permissions::allActions().size());
  for (Action a : Permissions::allActions()) {
    EXPECT_TRUE(seen.count(Permissions::name(a))) << Permissions::name(a);
  }
}

TEST(ControlPermissions, ActingOnSomeoneNeedsToOutrankThem) {
  // Allowed role acting on each target role.
  struct Case {
    Role actor, target;
    const char* expected;
  };
  const Case cases[] = {
      {Role::Moderator, Role::Member, ""},
      {Role::Moderator, Role::Moderator, "outranked"},
      {Role::Moderator, Role::Owner, "outranked"},
      {Role::Moderator, Role::Admin, "outranked"},
      {Role::Owner, Role::Moderator, ""},
      {Role::Owner, Role::Member, ""},
      {Role::Owner, Role::Admin, "outranked"},
      {Role::Admin, Role::Owner, ""},
      {Role::Admin, Role::Admin, "outranked"},
      {Role::Member, Role::Member, "forbidden"},
      {Role::Outsider, Role::Member, "not_in_room"},
  };
  for (const Case& c : cases) {
    auto d = Permissions::checkOn(Action::Kick, c.actor, c.target);
    EXPECT_EQ(std::string(d ? d->code : ""), c.expected)
        << Permissions::name(c.actor) << " kicks " << Permissions::name(c.target);
  }
}

TEST(ControlPermissions, NamesRoundTrip) {
  for (Role r : Permissions::allRoles()) {
    EXPECT_EQ(Permissions::roleNamed(Permissions::name(r)), r);
  }
  for (Action a : Permissions::allActions()) {
    EXPECT_EQ(Permissions::actionNamed(Permissions::name(a)), a);
  }
  EXPECT_FALSE(Permissions::roleNamed("superuser"));
  EXPECT_FALSE(Permissions::actionNamed("dance"));
  EXPECT_GT(Permissions::rank(Role::Admin), Permissions::rank(Role::Owner));
  EXPECT_GT(Permissions::rank(Role::Member), Permissions::rank(Role::Outsider));
}
