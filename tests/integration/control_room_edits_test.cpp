// Two edits of one room at the same time, each on its own control node (each node's database
// worker runs its jobs one at a time, so on one node they could not overlap): both changes are
// kept. An edit reads the room's row, changes the fields it names and writes the row back, so
// without the row lock the later write put back, as it had read it, the field the other
// changed.
#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "CarrelStack.hpp"
#include "MariaDbServer.hpp"
#include "TestEnv.hpp"
#include "control_account_helpers.hpp"
#include "control_rest_client.hpp"

using namespace carrel;
using namespace carrel::test;

TEST(ControlRoomEdits, SimultaneousEditsOnTwoNodesKeepBothChanges) {
  std::string dir = artifactDir("ControlRoomEdits");
  MariaDbServer db(dir + "/db");
  StackOptions o;
  o.controlNodes = 2;
  o.controlArgs = {"--mysql-socket", db.socket(), "--mysql-database", "carrel_edits"};
  CarrelStack stack(dir, o);
  int a = stack.controlPort(0);
  int b = stack.controlPort(1);
  std::string owner = accountToken(a, "edith", "Edith");
  ASSERT_FALSE(owner.empty());
  Rest made = rest(a, "POST", "/api/v1/rooms", R"({"id":"edits","title":"Edits"})", owner);
  ASSERT_EQ(made.status, 201) << made.raw;

  // Each round: node A sets the capacity while node B sets the description.
  constexpr int kRounds = 25;
  int lost = 0;
  for (int i = 0; i < kRounds; ++i) {
    int capacity = 10 + i;
    std::string description = "round " + std::to_string(i);
    Rest byA, byB;
    std::thread ta([&] {
      byA = rest(a, "PATCH", "/api/v1/rooms/edits",
                 R"({"capacity":)" + std::to_string(capacity) + "}", owner);
    });
    std::thread tb([&] {
      byB = rest(b, "PATCH", "/api/v1/rooms/edits", R"({"description":")" + description + "\"}",
                 owner);
    });
    ta.join();
    tb.join();
    ASSERT_EQ(byA.status, 200) << byA.raw;
    ASSERT_EQ(byB.status, 200) << byB.raw;
    Rest now = rest(a, "GET", "/api/v1/rooms/edits", "", owner);
    ASSERT_EQ(now.status, 200) << now.raw;
    JsonObject* room = json::getObject(now.json.get(), "room");
    ASSERT_NE(room, nullptr) << now.raw;
    bool kept = json::getInt(room, "capacity").value_or(-1) == capacity &&
                json::getString(room, "description").value_or("") == description;
    if (!kept) {
      ++lost;
      ADD_FAILURE() << "round " << i << ": " << now.raw;
    }
  }
  EXPECT_EQ(lost, 0) << "rounds where one of the two edits was undone, of " << kRounds;
}
