// The rooms REST API of a real carrel-control (with SFU and Redis) on a real MariaDB.
#include <gtest/gtest.h>

#include "CarrelStack.hpp"
#include "MariaDbServer.hpp"
#include "TestEnv.hpp"
#include "WsClient.hpp"
#include "control_account_helpers.hpp"
#include "control_rest_client.hpp"

using namespace carrel;
using namespace carrel::test;

namespace {

class ControlRooms : public ::testing::Test {
 protected:
  // Made by the first test of the process (see control_ws_test.cpp for why not earlier).
  void SetUp() override {
    if (stack) return;
    dir = new std::string(artifactDir("ControlRooms"));
    db = new MariaDbServer(*dir + "/db");
    StackOptions o;
    o.controlArgs = {"--mysql-socket", db->socket(), "--mysql-database", "carrel_rooms"};
    stack = new CarrelStack(*dir, o);
    port = stack->controlPort();
    owner = token("owner1", "Olga Owner");
    other = token("other1", "Oscar Other");
  }
  static void TearDownTestSuite() {
    delete stack;
    delete db;
    delete dir;
  }
  static std::string token(const std::string& login, const std::string& name) {
    rest(
        port, "POST", "/api/v1/auth/signup",
        R"({"login":")" + login + R"(","password":"password-123","display_name":")" + name + "\"}");
    Rest in = rest(port, "POST", "/api/v1/auth/login",
                   R"({"login":")" + login + R"(","password":"password-123"})");
    return json::getString(in.json.get(), "token").value_or("");
  }
  static std::vector<std::string> ids(const Rest& r) {
    std::vector<std::string> out;
    JsonArray* a = json::getArray(r.json.get(), "rooms");
    for (guint i = 0; a && i < json_array_get_length(a); ++i) {
      out.push_back(json::getString(json_array_get_object_element(a, i), "id").value_or(""));
    }
    return out;
  }
  static std::string* dir;
  static MariaDbServer* db;
  static CarrelStack* stack;
  static int port;
  static std::string owner, other;
};
std::string* ControlRooms::dir = nullptr;
MariaDbServer* ControlRooms::db = nullptr;
CarrelStack* ControlRooms::stack = nullptr;
int ControlRooms::port = 0;
std::string ControlRooms::owner, ControlRooms::other;

JsonObject* room(const Rest& r) {
  return json::getObject(r.json.get(), "room");
}

}  // namespace

TEST_F(ControlRooms, CreateSearchByTitleTagAndCategory) {
  ASSERT_FALSE(owner.empty());
  Rest c = rest(
      port, "POST", "/api/v1/rooms",
      R"({"id":"calc-1","title":"Calculus #exam prep","category":"math","tags":["Derivatives"],"capacity":20})",
      owner);
  ASSERT_EQ(c.status, 201) << c.raw;
  EXPECT_EQ(json::getString(json::getObject(room(c), "owner"), "display_name").value_or(""),
            "Olga Owner");
  EXPECT_EQ(json::getInt(room(c), "capacity").value_or(0), 20);
  rest(port, "POST", "/api/v1/rooms", R"({"id":"bio-1","title":"Biology","category":"science"})",
       other);

  EXPECT_EQ(rest(port, "POST", "/api/v1/rooms", R"({"id":"calc-1","title":"again"})", other).code(),
            "room_exists");
  EXPECT_EQ(rest(port, "POST", "/api/v1/rooms", R"({"title":"no token"})").code(), "unauthorized");

  auto byTitle = ids(rest(port, "GET", "/api/v1/rooms?q=calcul", ""));
  EXPECT_EQ(byTitle, std::vector<std::string>{"calc-1"});
  auto byTag = ids(rest(port, "GET", "/api/v1/rooms?tag=exam", ""));
  EXPECT_EQ(byTag, std::vector<std::string>{"calc-1"});
  auto byExplicitTag = ids(rest(port, "GET", "/api/v1/rooms?tag=derivatives", ""));
  EXPECT_EQ(byExplicitTag, std::vector<std::string>{"calc-1"});
  auto byCategory = ids(rest(port, "GET", "/api/v1/rooms?category=science", ""));
  EXPECT_EQ(byCategory, std::vector<std::string>{"bio-1"});
  // LIKE wildcards in the search are plain characters.
  EXPECT_TRUE(ids(rest(port, "GET", "/api/v1/rooms?q=%25", "")).empty());
}

TEST_F(ControlRooms, PrivateRoomsOnlyForTheirOwnerOrTheInviteLink) {
  Rest c = rest(
      port, "POST", "/api/v1/rooms",
      R"({"id":"secret-1","title":"Thesis group","private":true,"password":"letmein-99"})", owner);
  ASSERT_EQ(c.status, 201) << c.raw;
  std::string invite = json::getString(room(c), "invite_code").value_or("");
  ASSERT_EQ(invite.size(), 32u);
  EXPECT_TRUE(json::getBool(room(c), "password").value_or(false));
  EXPECT_EQ(
      db->query(
          "SELECT password_hash LIKE '$argon2id$%' FROM carrel_rooms.rooms WHERE id='secret-1'"),
      "1\n");

  auto anon = ids(rest(port, "GET", "/api/v1/rooms?limit=50", ""));
  EXPECT_EQ(std::count(anon.begin(), anon.end(), "secret-1"), 0);
  auto mine = ids(rest(port, "GET", "/api/v1/rooms?limit=50", "", owner));
  EXPECT_EQ(std::count(mine.begin(), mine.end(), "secret-1"), 1);

  EXPECT_EQ(rest(port, "GET", "/api/v1/rooms/secret-1", "", other).status, 404);
  Rest viaLink = rest(port, "GET", "/api/v1/rooms/secret-1?invite=" + invite, "", other);
  EXPECT_EQ(viaLink.status, 200) << viaLink.raw;
  EXPECT_FALSE(json::getString(room(viaLink), "invite_code")) << "only the owner sees the code";
}

TEST_F(ControlRooms, APrivateRoomsBoardIsReadOnlyByThoseItLetIn) {
  Rest c = rest(port, "POST", "/api/v1/rooms",
                R"({"id":"secret-b","title":"Closed circle","private":true})", owner);
  ASSERT_EQ(c.status, 201) << c.raw;
  std::string invite = json::getString(room(c), "invite_code").value_or("");
  ASSERT_FALSE(invite.empty());
  const std::string board = "/api/v1/study/board?room=secret-b";
  EXPECT_EQ(rest(port, "GET", board, "", owner).status, 200);
  Rest outsider = rest(port, "GET", board, "", other);
  EXPECT_EQ(outsider.status, 404) << outsider.raw;
  EXPECT_EQ(outsider.code(), "not_found");

  // Let in by the invite, Oscar may read it from then on.
  WsClient ws;
  ASSERT_TRUE(ws.connect(wsUrlWithToken(port, other)));
  ASSERT_FALSE(ws.hello("Oscar").empty());
  ws.send(R"({"type":"join","room":"secret-b","invite":")" + invite + "\"}");
  ASSERT_TRUE(ws.waitForType("joined", WsClient::Ms(10000)));
  int status = 0;
  for (int i = 0; i < 100 && status != 200; ++i) {  // the visit is written after the join
    status = rest(port, "GET", board, "", other).status;
    if (status != 200) g_usleep(100 * 1000);
  }
  EXPECT_EQ(status, 200);

  // A public room's board stays readable by any signed-in user.
  ASSERT_EQ(
      rest(port, "POST", "/api/v1/rooms", R"({"id":"open-b","title":"Open hall"})", owner).status,
      201);
  EXPECT_EQ(rest(port, "GET", "/api/v1/study/board?room=open-b", "", other).status, 200);
}

TEST_F(ControlRooms, OnlyTheOwnerChangesOrDeletes) {
  rest(port, "POST", "/api/v1/rooms", R"({"id":"chem-1","title":"Chemistry"})", owner);
  Rest denied = rest(port, "PATCH", "/api/v1/rooms/chem-1", R"({"title":"Mine now"})", other);
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.code(), "forbidden");
  Rest ok =
      rest(port, "PATCH", "/api/v1/rooms/chem-1", R"({"title":"Organic chemistry #orgo"})", owner);
  ASSERT_EQ(ok.status, 200) << ok.raw;
  EXPECT_EQ(json::getString(room(ok), "title").value_or(""), "Organic chemistry #orgo");
  EXPECT_EQ(ids(rest(port, "GET", "/api/v1/rooms?tag=orgo", "")),
            std::vector<std::string>{"chem-1"});
  EXPECT_EQ(rest(port, "DELETE", "/api/v1/rooms/chem-1", "", other).code(), "forbidden");
  EXPECT_EQ(rest(port, "DELETE", "/api/v1/rooms/chem-1", "", owner).status, 204);
  EXPECT_EQ(rest(port, "GET", "/api/v1/rooms/chem-1", "").status, 404);
  EXPECT_EQ(db->query("SELECT COUNT(*) FROM carrel_rooms.room_tags WHERE room_id='chem-1'"), "0\n");
}

TEST_F(ControlRooms, ListShowsWhoIsInTheRoomNow) {
  rest(port, "POST", "/api/v1/rooms", R"({"id":"live-1","title":"Live room"})", owner);
  // With accounts the WebSocket needs a token; the participant shows the account's name.
  std::string lena = token("lena1", "Lena");
  auto peer = stack->startPeer(
      "Lena", {"--room", "live-1", "--json", "--duration", "0", "--no-publish", "--token", lena});
  ASSERT_FALSE(peer->waitForLine(
                       [](const std::string& l) {
                         return l.find("\"event\":\"joined\"") != std::string::npos;
                       },
                       std::chrono::seconds(20))
                   .empty())
      << peer->logPath();
  Rest list = rest(port, "GET", "/api/v1/rooms?q=Live", "");
  JsonArray* rooms = json::getArray(list.json.get(), "rooms");
  ASSERT_TRUE(rooms && json_array_get_length(rooms) == 1) << list.raw;
  JsonArray* now = json::getArray(json_array_get_object_element(rooms, 0), "participants");
  ASSERT_TRUE(now && json_array_get_length(now) == 1) << list.raw;
  EXPECT_EQ(json::getString(json_array_get_object_element(now, 0), "name").value_or(""), "Lena");
  peer->stop();
}

TEST_F(ControlRooms, BadInputGetsTypedErrors) {
  struct Case {
    const char* method;
    std::string path, body;
    int status;
    const char* code;
  } cases[] = {
      {"POST", "/api/v1/rooms", R"({"id":"bad id!","title":"x"})", 400, "invalid_field"},
      {"POST", "/api/v1/rooms", R"({"title":""})", 400, "invalid_field"},
      {"POST", "/api/v1/rooms", R"({"title":"x","capacity":0})", 400, "invalid_field"},
      {"POST", "/api/v1/rooms", R"({"title":"x","tags":[1]})", 400, "invalid_field"},
      {"POST", "/api/v1/rooms",
       R"({"title":"x","tags":["a","b","c","d","e","f","g","h","i","j","k"]})", 400,
       "invalid_field"},
      {"POST", "/api/v1/rooms", "{oops", 400, "bad_json"},
      {"GET", "/api/v1/rooms?limit=500", "", 400, "invalid_field"},
      {"GET", "/api/v1/rooms?offset=-1", "", 400, "invalid_field"},
      {"GET", "/api/v1/rooms/bad%20id", "", 404, "not_found"},
      {"PUT", "/api/v1/rooms/x", "", 405, "method_not_allowed"},
  };
  for (const auto& c : cases) {
    Rest r = rest(port, c.method, c.path, c.body, owner);
    EXPECT_EQ(r.status, c.status) << c.path << " " << c.body << "\n" << r.raw;
    EXPECT_EQ(r.code(), c.code) << c.path << " " << c.body;
  }
  // Encoded dot segments never reach a room (libsoup refuses them itself).
  EXPECT_GE(rest(port, "GET", "/api/v1/rooms/..%2F..%2Fetc", "").status, 400);
  // Hostile strings are stored verbatim and come back as JSON strings.
  std::string hostile = R"(<img src=x onerror=alert(1)> '; DROP TABLE rooms; --)";
  Rest c =
      rest(port, "POST", "/api/v1/rooms",
           R"({"id":"hostile-1","title":"<img src=x onerror=alert(1)> '; DROP TABLE rooms; --"})",
           owner);
  ASSERT_EQ(c.status, 201) << c.raw;
  EXPECT_EQ(
      json::getString(room(rest(port, "GET", "/api/v1/rooms/hostile-1", "")), "title").value_or(""),
      hostile);
}
