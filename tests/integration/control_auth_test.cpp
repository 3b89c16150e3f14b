// The accounts REST API of a real carrel-control on a real MariaDB and Redis.
#include <gtest/gtest.h>

#include <fstream>

#include "Json.hpp"
#include "MariaDbServer.hpp"
#include "RedisServer.hpp"
#include "control_helpers.hpp"
#include "control_rest_client.hpp"

using namespace carrel;
using namespace carrel::test;

namespace {

class ControlAuth : public ::testing::Test {
 protected:
  // Made by the first test of the process (see control_ws_test.cpp for why not earlier).
  void SetUp() override {
    if (ctl) return;
    dir = new std::string(artifactDir("ControlAuth"));
    db = new MariaDbServer(*dir + "/db");
    redis = new RedisServer(*dir);
    std::ofstream(*dir + "/admin.pw") << "admin-password-1\n";
    ctl = new ControlProcess(
        startControl(*dir, redis->port(), "ctl-auth",
                     {"--mysql-socket", db->socket(), "--mysql-database", "carrel_auth",
                      "--admin-login", "root_admin", "--admin-password-file", *dir + "/admin.pw"}));
  }
  static void TearDownTestSuite() {
    delete ctl;
    delete redis;
    delete db;
    delete dir;
  }
  static std::string* dir;
  static MariaDbServer* db;
  static RedisServer* redis;
  static ControlProcess* ctl;
};
std::string* ControlAuth::dir = nullptr;
MariaDbServer* ControlAuth::db = nullptr;
RedisServer* ControlAuth::redis = nullptr;
ControlProcess* ControlAuth::ctl = nullptr;

}  // namespace

TEST_F(ControlAuth, SignUpLogInSeeMeLogOut) {
  int port = ctl->port;
  Rest s = rest(
      port, "POST", "/api/v1/auth/signup",
      R"({"login":"mina","password":"study-hard-42","display_name":"Mina Park","time_zone":"Asia/Seoul"})");
  ASSERT_EQ(s.status, 201) << s.raw;
  JsonObject* user = json::getObject(s.json.get(), "user");
  EXPECT_EQ(json::getString(user, "display_name").value_or(""), "Mina Park");
  EXPECT_EQ(json::getString(user, "time_zone").value_or(""), "Asia/Seoul");
  EXPECT_FALSE(json::getBool(user, "admin").value_or(true));
  // The stored hash is argon2id, never the password.
  std::string stored = db->query("SELECT password_hash FROM carrel_auth.users WHERE login='mina'");
  EXPECT_EQ(stored.rfind("$argon2id$", 0), 0u) << stored;
  EXPECT_EQ(stored.find("study-hard-42"), std::string::npos);

  Rest again = rest(port, "POST", "/api/v1/auth/signup",
                    R"({"login":"mina","password":"another-pass","display_name":"M2"})");
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.code(), "login_taken");

  Rest wrong =
      rest(port, "POST", "/api/v1/auth/login", R"({"login":"mina","password":"nope-nope"})");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.code(), "bad_credentials");
  Rest nobody =
      rest(port, "POST", "/api/v1/auth/login", R"({"login":"ghost","password":"whatever1"})");
  EXPECT_EQ(nobody.code(), "bad_credentials");

  Rest in =
      rest(port, "POST", "/api/v1/auth/login", R"({"login":"mina","password":"study-hard-42"})");
  ASSERT_EQ(in.status, 200) << in.raw;
  std::string token = json::getString(in.json.get(), "token").value_or("");
  ASSERT_FALSE(token.empty());
  EXPECT_GT(json::getInt(in.json.get(), "expires_at").value_or(0), 0);

  Rest me = rest(port, "GET", "/api/v1/me", "", token);
  ASSERT_EQ(me.status, 200) << me.raw;
  EXPECT_EQ(json::getString(json::getObject(me.json.get(), "user"), "login").value_or(""), "mina");

  Rest out = rest(port, "POST", "/api/v1/auth/logout", "", token);
  EXPECT_EQ(out.status, 204) << out.raw;
  // Revoked at log out: the same, still unexpired token no longer works.
  Rest after = rest(port, "GET", "/api/v1/me", "", token);
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(after.code(), "unauthorized");
}

TEST_F(ControlAuth, TokensAreCheckedOnEveryCall) {
  int port = ctl->port;
  EXPECT_EQ(rest(port, "GET", "/api/v1/me", "").code(), "unauthorized");
  EXPECT_EQ(rest(port, "GET", "/api/v1/me", "", "garbage").code(), "unauthorized");
  rest(port, "POST", "/api/v1/auth/signup",
       R"({"login":"ana","password":"ana-password","display_name":"Ana"})");
  Rest in =
      rest(port, "POST", "/api/v1/auth/login", R"({"login":"ana","password":"ana-password"})");
  std::string token = json::getString(in.json.get(), "token").value_or("");
  ASSERT_FALSE(token.empty()) << in.raw;
  // Flip one character of the signature.
  std::string forged = token;
  forged.back() = forged.back() == '0' ? '1' : '0';
  EXPECT_EQ(rest(port, "GET", "/api/v1/me", "", forged).code(), "unauthorized");
}

TEST_F(ControlAuth, AdminIsBootstrappedFromTheCommandLine) {
  Rest in = rest(ctl->port, "POST", "/api/v1/auth/login",
                 R"({"login":"root_admin","password":"admin-password-1"})");
  ASSERT_EQ(in.status, 200) << in.raw;
  EXPECT_TRUE(json::getBool(json::getObject(in.json.get(), "user"), "admin").value_or(false));
}

TEST_F(ControlAuth, BadInputGetsTypedErrors) {
  int port = ctl->port;
  struct Case {
    const char* method;
    const char* path;
    std::string body;
    int status;
    const char* code;
  } cases[] = {
      {"POST", "/api/v1/auth/signup", "{not json", 400, "bad_json"},
      {"POST", "/api/v1/auth/signup", "[1]", 400, "bad_json"},
      {"POST", "/api/v1/auth/signup", std::string("{\"login\":\"\xff\"}"), 400, "bad_json"},
      {"POST", "/api/v1/auth/signup", R"({"login":"ab","password":"12345678","display_name":"x"})",
       400, "invalid_field"},
      {"POST", "/api/v1/auth/signup",
       R"({"login":"UPPER","password":"12345678","display_name":"x"})", 400, "invalid_field"},
      {"POST", "/api/v1/auth/signup",
       R"({"login":"x' OR 1=1 --","password":"12345678","display_name":"x"})", 400,
       "invalid_field"},
      {"POST", "/api/v1/auth/signup",
       R"({"login":"shorty","password":"1234567","display_name":"x"})", 400, "invalid_field"},
      {"POST", "/api/v1/auth/signup",
       R"({"login":"tzuser","password":"12345678","display_name":"x","time_zone":"Mars/Olympus"})",
       400, "invalid_field"},
      {"POST", "/api/v1/auth/signup",
       R"({"login":"bigname","password":"12345678","display_name":")" + std::string(65, 'n') +
           "\"}",
       400, "invalid_field"},
      {"POST", "/api/v1/auth/login", R"({"login":5,"password":"x"})", 400, "invalid_field"},
      {"POST", "/api/v1/auth/login",
       "{\"login\":\"a\",\"password\":\"" + std::string(20000, 'p') + "\"}", 413, "too_large"},
      {"GET", "/api/v1/auth/login", "", 405, "method_not_allowed"},
      {"GET", "/api/v1/me/extra", "", 404, "not_found"},
  };
  for (const auto& c : cases) {
    Rest r = rest(port, c.method, c.path, c.body);
    EXPECT_EQ(r.status, c.status) << c.path << " " << c.body.substr(0, 80) << "\n" << r.raw;
    EXPECT_EQ(r.code(), c.code) << c.path << " " << c.body.substr(0, 80);
  }
  // A body declared over the limit is refused before it is read.
  Rest huge = rest(port, "POST", "/api/v1/auth/signup", std::string(4 * 1024 * 1024, ' '));
  EXPECT_EQ(huge.status, 413) << huge.raw.substr(0, 200);
  EXPECT_EQ(huge.code(), "too_large");
  // Nothing of that was stored, and the server still answers.
  EXPECT_EQ(db->query("SELECT COUNT(*) FROM carrel_auth.users WHERE login IN "
                      "('ab','shorty','tzuser','bigname')"),
            "0\n");
  EXPECT_EQ(rest(port, "GET", "/api/v1/me", "").status, 401);
}
