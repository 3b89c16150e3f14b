// The room's role entries as stored in Redis, and who inherits a room when its owner leaves.
#include <gtest/gtest.h>

#include "RoomRoles.hpp"

using namespace carrel::control;

TEST(ControlRoomRoles, EntryRoundTripsAndBadOnesAreSkipped) {
  RoleEntry e{42, Role::Moderator, 1700000000123, "Mina"};
  auto back = RoomRoles::decode(RoomRoles::encode(e));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->userId, 42);
  EXPECT_EQ(back->role, Role::Moderator);
  EXPECT_EQ(back->sinceMs, 1700000000123);
  EXPECT_EQ(back->name, "Mina");
  EXPECT_FALSE(RoomRoles::decode("not json"));
  EXPECT_FALSE(RoomRoles::decode(R"({"user":1,"role":"emperor"})"));
  EXPECT_FALSE(RoomRoles::decode(R"({"role":"member"})"));
}

TEST(ControlRoomRoles, SuccessorIsAModeratorElseTheLongestPresentSignedInMember) {
  std::map<std::string, RoleEntry> present{
      {"pOwner", {1, Role::Owner, 100, "Olga"}},
      {"pGuest", {0, Role::Member, 50, "guest"}},  // longest present, but a guest
      {"pOld", {2, Role::Member, 200, "Old"}},
      {"pNew", {3, Role::Member, 300, "New"}},
      {"pAdmin", {9, Role::Admin, 10, "Admin"}},
  };
  EXPECT_EQ(RoomRoles::successor(present, "pOwner"), "pOld");
  present["pMod"] = {4, Role::Moderator, 400, "Mod"};
  EXPECT_EQ(RoomRoles::successor(present, "pOwner"), "pMod");
  present["pMod2"] = {5, Role::Moderator, 350, "Mod2"};
  EXPECT_EQ(RoomRoles::successor(present, "pOwner"), "pMod2");

  std::map<std::string, RoleEntry> nobody{{"pOwner", {1, Role::Owner, 100, "Olga"}},
                                          {"pGuest", {0, Role::Member, 50, "guest"}}};
  EXPECT_FALSE(RoomRoles::successor(nobody, "pOwner"));
}
