// Today's todo list through a real carrel-control (real MariaDB, Redis and SFU): items added,
// renamed, checked off and removed by their owner only, every field validated; checking an
// item off posts "<name> finished <item>" to the board of the room the user is in, once,
// and the post is room history: kept in MariaDB (REST) and sent to a late joiner.
#include <gtest/gtest.h>

#include <string>
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

struct Member {
  WsClient ws;
  bool join(int port, const std::string& token, const std::string& room) {
    if (!ws.connect(wsUrlWithToken(port, token)) || ws.hello("member").empty()) return false;
    json::Object j;
    j.set("type", "join").set("room", room);
    ws.send(j);
    return ws.waitForType("joined", Ms(10000)) != nullptr;
  }
};

bool isBoard(JsonObject* o) {
  return json::getString(o, "type").value_or("") == "board";
}

// Board frames received so far, taken or not.
int boards(WsClient& ws) {
  int n = 0;
  for (const std::string& frame : ws.received()) {
    JsonObjectPtr o = json::parseObject(frame, nullptr);
    if (o && isBoard(o.get())) ++n;
  }
  return n;
}

std::string addBody(const std::string& text) {
  json::Object o;
  o.set("text", text);
  return o.str();
}

int64_t idOf(const Rest& r) {
  return json::getInt(json::getObject(r.json.get(), "todo"), "id").value_or(0);
}

}  // namespace

TEST(ControlTodos, OwnersListValidatedAndCheckingOffPostsToTheRoomBoard) {
  std::string dir = artifactDir("ControlTodos");
  MariaDbServer db(dir + "/db");
  StackOptions o;
  o.controlArgs = {"--mysql-socket", db.socket(), "--mysql-database", "carrel_todos"};
  CarrelStack stack(dir, o);
  int port = stack.controlPort();

  std::string mina = accountToken(port, "mina", "Mina");
  std::string olga = accountToken(port, "olga", "Olga");
  ASSERT_FALSE(mina.empty());
  ASSERT_FALSE(olga.empty());
  const std::string list = "/api/v1/study/todos";

  // Empty at first, for the user's own study day.
  Rest empty = rest(port, "GET", list, "", mina);
  ASSERT_EQ(empty.status, 200) << empty.raw;
  std::string today = str(empty.json.get(), "day");
  EXPECT_EQ(today.size(), 10u);
  EXPECT_EQ(json_array_get_length(json::getArray(empty.json.get(), "todos")), 0u);

  // Validation: every refusal is typed.
  EXPECT_EQ(rest(port, "GET", list, "").status, 401);
  EXPECT_EQ(rest(port, "POST", list, addBody("x")).code(), "unauthorized");
  EXPECT_EQ(rest(port, "POST", list, "{}", mina).code(), "invalid_field");
  EXPECT_EQ(rest(port, "POST", list, R"({"text":42})", mina).code(), "invalid_field");
  EXPECT_EQ(rest(port, "POST", list, addBody(""), mina).code(), "invalid_field");
  EXPECT_EQ(rest(port, "POST", list, addBody("   "), mina).code(), "invalid_field");
  EXPECT_EQ(rest(port, "POST", list, addBody("a\nb"), mina).code(), "invalid_field");
  EXPECT_EQ(rest(port, "POST", list, addBody(std::string(201, 'x')), mina).code(), "invalid_field");
  EXPECT_EQ(rest(port, "POST", list, "[1]", mina).code(), "bad_json");
  EXPECT_EQ(rest(port, "GET", list + "?day=2026-02-30", "", mina).code(), "invalid_field");
  EXPECT_EQ(rest(port, "PATCH", list + "/abc", "{}", mina).code(), "not_found");
  EXPECT_EQ(rest(port, "PUT", list, "{}", mina).code(), "method_not_allowed");

  Rest first = rest(port, "POST", list, addBody("  chapter 3  "), mina);
  ASSERT_EQ(first.status, 201) << first.raw;
  JsonObject* t = json::getObject(first.json.get(), "todo");
  EXPECT_EQ(str(t, "text"), "chapter 3");  // trimmed
  EXPECT_EQ(str(t, "day"), today);
  EXPECT_FALSE(json::getBool(t, "done").value_or(true));
  int64_t chapter = idOf(first);
  Rest second = rest(port, "POST", list, addBody(std::string(200, 'y')), mina);
  ASSERT_EQ(second.status, 201) << second.raw;
  int64_t longOne = idOf(second);
  Rest renamed = rest(port, "PATCH", list + "/" + std::to_string(longOne),
                      R"({"text":"exercises 1-4"})", mina);
  ASSERT_EQ(renamed.status, 200) << renamed.raw;
  EXPECT_EQ(str(json::getObject(renamed.json.get(), "todo"), "text"), "exercises 1-4");
  EXPECT_EQ(
      rest(port, "PATCH", list + "/" + std::to_string(longOne), R"({"done":"yes"})", mina).code(),
      "invalid_field");

  // Someone else's item does not exist for them.
  std::string path = list + "/" + std::to_string(chapter);
  EXPECT_EQ(rest(port, "PATCH", path, R"({"done":true})", olga).code(), "not_found");
  EXPECT_EQ(rest(port, "DELETE", path, "", olga).code(), "not_found");
  Rest olgas = rest(port, "GET", list, "", olga);
  EXPECT_EQ(json_array_get_length(json::getArray(olgas.json.get(), "todos")), 0u);

  // Checked off while in no room: done, but no board to post to.
  Rest outside =
      rest(port, "PATCH", list + "/" + std::to_string(longOne), R"({"done":true})", mina);
  ASSERT_EQ(outside.status, 200) << outside.raw;
  EXPECT_TRUE(json_object_get_null_member(outside.json.get(), "posted_to"));
  EXPECT_TRUE(json::getBool(json::getObject(outside.json.get(), "todo"), "done").value_or(false));

  // In a room: the room's board hears of it, once.
  Rest made = rest(port, "POST", "/api/v1/rooms", R"({"id":"desk","title":"Desk"})", mina);
  ASSERT_EQ(made.status, 201) << made.raw;
  Member a, b;
  ASSERT_TRUE(a.join(port, mina, "desk"));
  ASSERT_TRUE(b.join(port, olga, "desk"));
  Rest done = rest(port, "PATCH", path, R"({"done":true})", mina);
  ASSERT_EQ(done.status, 200) << done.raw;
  EXPECT_EQ(str(done.json.get(), "posted_to"), "desk");
  JsonObject* doneTodo = json::getObject(done.json.get(), "todo");
  EXPECT_GT(json::getInt(doneTodo, "done_ms").value_or(0), 0);
  JsonObjectPtr post = b.ws.waitFor(isBoard, Ms(10000));
  ASSERT_TRUE(post);
  EXPECT_EQ(str(post.get(), "kind"), "todo");
  EXPECT_EQ(str(post.get(), "text"), "Mina finished chapter 3");
  EXPECT_EQ(str(post.get(), "room"), "desk");
  EXPECT_TRUE(a.ws.waitFor(isBoard, Ms(10000)));
  Rest again = rest(port, "PATCH", path, R"({"done":true})", mina);
  ASSERT_EQ(again.status, 200) << again.raw;
  EXPECT_TRUE(json_object_get_null_member(again.json.get(), "posted_to"));
  std::this_thread::sleep_for(Ms(1000));
  EXPECT_EQ(boards(b.ws), 1);
  // Unchecked, it may be checked off (and posted) again.
  ASSERT_EQ(rest(port, "PATCH", path, R"({"done":false})", mina).status, 200);
  EXPECT_EQ(str(rest(port, "PATCH", path, R"({"done":true})", mina).json.get(), "posted_to"),
            "desk");
  EXPECT_TRUE(b.ws.waitFor(isBoard, Ms(10000)));

  // The list in order, with what is done.
  Rest all = rest(port, "GET", list, "", mina);
  JsonArray* items = json::getArray(all.json.get(), "todos");
  ASSERT_TRUE(items);
  ASSERT_EQ(json_array_get_length(items), 2u);
  EXPECT_EQ(str(json_array_get_object_element(items, 0), "text"), "chapter 3");
  EXPECT_EQ(str(json_array_get_object_element(items, 1), "text"), "exercises 1-4");
  Rest otherDay = rest(port, "GET", list + "?day=2020-01-01", "", mina);
  ASSERT_EQ(otherDay.status, 200) << otherDay.raw;
  EXPECT_EQ(json_array_get_length(json::getArray(otherDay.json.get(), "todos")), 0u);

  // The board is room history: in MariaDB, and sent to whoever enters later.
  Rest board = rest(port, "GET", "/api/v1/study/board?room=desk", "", mina);
  ASSERT_EQ(board.status, 200) << board.raw;
  JsonArray* posts = json::getArray(board.json.get(), "posts");
  ASSERT_TRUE(posts);
  ASSERT_EQ(json_array_get_length(posts), 2u);
  EXPECT_EQ(str(json_array_get_object_element(posts, 0), "text"), "Mina finished chapter 3");
  Member late;
  ASSERT_TRUE(late.join(port, accountToken(port, "kim", "Kim"), "desk"));
  JsonObjectPtr history = late.ws.waitForType("board_history", Ms(10000));
  ASSERT_TRUE(history);
  JsonArray* seen = json::getArray(history.get(), "posts");
  ASSERT_TRUE(seen);
  ASSERT_EQ(json_array_get_length(seen), 2u);
  JsonObject* firstSeen = json_array_get_object_element(seen, 0);
  EXPECT_EQ(str(firstSeen, "kind"), "todo");
  EXPECT_EQ(str(firstSeen, "text"), "Mina finished chapter 3");
  EXPECT_GT(json::getInt(firstSeen, "id").value_or(0), 0);

  // Removal, and the size limit of a day's list.
  EXPECT_EQ(rest(port, "DELETE", path, "", mina).status, 204);
  EXPECT_EQ(rest(port, "DELETE", path, "", mina).code(), "not_found");
  for (int i = 1; i < 50; ++i) {
    ASSERT_EQ(rest(port, "POST", list, addBody("item " + std::to_string(i)), mina).status, 201)
        << i;
  }
  Rest full = rest(port, "POST", list, addBody("one too many"), mina);
  EXPECT_EQ(full.status, 409) << full.raw;
  EXPECT_EQ(full.code(), "too_many_todos");
}
