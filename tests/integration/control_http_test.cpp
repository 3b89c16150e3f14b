// carrel-control over HTTP with a real Redis: /healthz (ok, then degraded when Redis goes
// away), static files with their types and headers, and traversal attempts refused.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "RedisServer.hpp"
#include "control_helpers.hpp"

using namespace carrel;
using namespace carrel::test;
namespace fs = std::filesystem;

TEST(ControlHttp, ReadyLineAndHealthz) {
  std::string dir = artifactDir("ControlHttp.Healthz");
  auto redis = std::make_unique<RedisServer>(dir);
  auto ctl = startControl(dir, redis->port(), "ctl-health");
  JsonObjectPtr ready = json::parseObject(ctl.readyLine, nullptr);
  ASSERT_TRUE(ready) << ctl.readyLine;
  EXPECT_EQ(str(ready.get(), "node"), "ctl-health");
  EXPECT_EQ(str(ready.get(), "url"), "http://127.0.0.1:" + std::to_string(ctl.port) + "/");
  EXPECT_EQ(ctl.proc->lines().size(), 1u) << "stdout is for the ready line only";

  auto r = httpRequest(ctl.port, "GET", "/healthz");
  ASSERT_EQ(r.status, 200) << r.body;
  JsonObjectPtr h = json::parseObject(r.body, nullptr);
  ASSERT_TRUE(h) << r.body;
  EXPECT_EQ(str(h.get(), "status"), "ok");
  EXPECT_EQ(str(h.get(), "node"), "ctl-health");
  EXPECT_EQ(json::getBool(h.get(), "redis"), true);
  EXPECT_EQ(json::getInt(h.get(), "sfu_nodes"), 0);

  // A fake live SFU node registered the way carrel-sfu does it is counted; a stale one is not.
  redisCli(redis->port(), "SADD carrel:sfu:nodes sfu-a sfu-dead");
  redisCli(redis->port(), "SET carrel:sfu:node:sfu-a '{\"node\":\"sfu-a\",\"load\":0}' PX 5000");
  r = httpRequest(ctl.port, "GET", "/healthz");
  h = json::parseObject(r.body, nullptr);
  ASSERT_TRUE(h) << r.body;
  EXPECT_EQ(json::getInt(h.get(), "sfu_nodes"), 1);

  redis->stop();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  r = httpRequest(ctl.port, "GET", "/healthz");
  EXPECT_EQ(r.status, 503) << r.body;
  h = json::parseObject(r.body, nullptr);
  ASSERT_TRUE(h) << r.body;
  EXPECT_EQ(str(h.get(), "status"), "degraded");
  EXPECT_EQ(json::getBool(h.get(), "redis"), false);
  EXPECT_EQ(ctl.proc->stop(), 0);
}

TEST(ControlHttp, StaticFilesAndTraversal) {
  std::string dir = artifactDir("ControlHttp.Static");
  fs::create_directories(dir + "/web/js");
  std::ofstream(dir + "/web/index.html") << "<!doctype html><title>carrel</title>";
  std::ofstream(dir + "/web/js/app.js") << "export const x = 1;";
  std::ofstream(dir + "/web/style.css") << "body{}";
  std::ofstream(dir + "/web/icon.svg") << "<svg/>";
  std::ofstream(dir + "/web/data.json") << "{}";
  std::ofstream(dir + "/web/pic.png") << "\x89PNG";
  std::ofstream(dir + "/secret.txt") << "top secret";
  fs::create_symlink(dir + "/secret.txt", dir + "/web/link.txt");
  auto redis = std::make_unique<RedisServer>(dir);
  auto ctl = startControl(dir, redis->port(), "ctl-static", {"--web-root", dir + "/web"});

  auto r = httpRequest(ctl.port, "GET", "/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "<!doctype html><title>carrel</title>");
  EXPECT_EQ(r.headers["content-type"].rfind("text/html", 0), 0u) << r.headers["content-type"];
  EXPECT_EQ(r.headers["cache-control"], "no-cache");

  struct Case {
    const char* path;
    const char* type;
  };
  for (Case c : {Case{"/index.html", "text/html"}, Case{"/js/app.js", "text/javascript"},
                 Case{"/style.css", "text/css"}, Case{"/icon.svg", "image/svg+xml"},
                 Case{"/data.json", "application/json"}, Case{"/pic.png", "image/png"}}) {
    r = httpRequest(ctl.port, "GET", c.path);
    EXPECT_EQ(r.status, 200) << c.path;
    EXPECT_EQ(r.headers["content-type"].rfind(c.type, 0), 0u)
        << c.path << ": " << r.headers["content-type"];
    EXPECT_EQ(r.headers["cache-control"], "no-cache") << c.path;
  }
  for (const char* bad :
       {"/../secret.txt", "/js/../../secret.txt", "/%2e%2e/secret.txt",
        "/js/%2e%2e/%2e%2e/secret.txt", "/..%2fsecret.txt", "/link.txt", "/nothing.html"}) {
    r = httpRequest(ctl.port, "GET", bad);
    // libsoup itself refuses some of these (400); the rest must find no file (404).
    EXPECT_TRUE(r.status == 404 || r.status == 400) << bad << ": " << r.status;
    EXPECT_EQ(r.body.find("top secret"), std::string::npos) << bad;
  }
  // Dot segments that stay inside the root are resolved (RFC 3986) before the lookup.
  r = httpRequest(ctl.port, "GET", "/js/../index.html");
  EXPECT_EQ(r.status, 200);
  r = httpRequest(ctl.port, "POST", "/index.html");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(ctl.proc->stop(), 0);
}

TEST(ControlHttp, AnyFreePortAndDefaultNodeId) {
  std::string dir = artifactDir("ControlHttp.Port0");
  RedisServer redis(dir);
  Process ctl(
      {binary("carrel-control"), "--port", "0", "--redis-port", std::to_string(redis.port())},
      dir + "/ctl.log");
  std::string line = ctl.waitForLine(isReadyLine, std::chrono::seconds(20));
  JsonObjectPtr ready = json::parseObject(line, nullptr);
  ASSERT_TRUE(ready) << line;
  std::string node = str(ready.get(), "node");
  EXPECT_EQ(node.rfind("ctl-", 0), 0u) << node;
  std::string pidSuffix = std::to_string(ctl.pid());
  pidSuffix.insert(pidSuffix.begin(), '-');
  EXPECT_EQ(node.substr(node.size() - pidSuffix.size()), pidSuffix) << node;
  std::string url = str(ready.get(), "url");
  ASSERT_EQ(url.rfind("http://127.0.0.1:", 0), 0u) << url;
  int port = std::atoi(url.c_str() + std::strlen("http://127.0.0.1:"));
  ASSERT_GT(port, 0);
  auto r = httpRequest(port, "GET", "/healthz");
  EXPECT_EQ(r.status, 200);
  JsonObjectPtr h = json::parseObject(r.body, nullptr);
  ASSERT_TRUE(h) << r.body;
  EXPECT_EQ(str(h.get(), "node"), node);
  EXPECT_EQ(ctl.stop(), 0);
}

TEST(ControlHttp, BadCommandLineIsRefused) {
  std::string dir = artifactDir("ControlHttp.BadArgs");
  Process ctl({binary("carrel-control"), "--port", "70000"}, dir + "/ctl.log");
  int status = 0;
  ASSERT_TRUE(ctl.waitExit(std::chrono::seconds(10), &status));
  EXPECT_NE(status, 0);
  EXPECT_TRUE(ctl.lines().empty());
}
