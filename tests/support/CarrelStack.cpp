#include "CarrelStack.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "TestEnv.hpp"

namespace carrel::test {

static bool isReady(const std::string& line) {
  return line.find("\"event\":\"ready\"") != std::string::npos ||
         line.find("\"event\": \"ready\"") != std::string::npos;
}

CarrelStack::CarrelStack(std::string dir, StackOptions o) : dir_(std::move(dir)) {
  redis_ = std::make_unique<RedisServer>(dir_);
  const std::string redisPort = std::to_string(redis_->port());
  for (int i = 0; i < o.sfuNodes; ++i) {
    std::string id = "sfu-test-" + std::to_string(i);
    std::vector<std::string> argv{binary("carrel-sfu"),
                                  "--redis-host",
                                  "127.0.0.1",
                                  "--redis-port",
                                  redisPort,
                                  "--node-id",
                                  id};
    if (o.membersWithoutMedia) argv.insert(argv.end(), {"--connect-timeout-ms", "600000"});
    argv.insert(argv.end(), o.sfuArgs.begin(), o.sfuArgs.end());
    // CARREL_TEST_SFU_GST_DEBUG: a GST_DEBUG for the SFUs when a failure needs more.
    const char* debug = std::getenv("CARREL_TEST_SFU_GST_DEBUG");
    auto p = std::make_unique<Process>(
        argv, dir_ + "/" + id + ".log",
        std::vector<std::string>{std::string("GST_DEBUG=") +
                                 (debug && *debug ? debug : "carrel*:4,WARNING")});
    if (p->waitForLine(isReady, std::chrono::seconds(20)).empty()) {
      throw std::runtime_error("carrel-sfu did not get ready, see " + p->logPath());
    }
    sfus_.push_back(std::move(p));
    sfuIds_.push_back(id);
  }
  for (int i = 0; i < o.controlNodes; ++i) {
    int port = freePort();
    std::string id = "ctl-test-" + std::to_string(i);
    std::vector<std::string> argv{binary("carrel-control"),
                                  "--host",
                                  "127.0.0.1",
                                  "--port",
                                  std::to_string(port),
                                  "--web-root",
                                  sourceDir() + "/web",
                                  "--redis-host",
                                  "127.0.0.1",
                                  "--redis-port",
                                  redisPort,
                                  "--node-id",
                                  id};
    argv.insert(argv.end(), o.controlArgs.begin(), o.controlArgs.end());
    auto p = std::make_unique<Process>(argv, dir_ + "/" + id + ".log");
    if (p->waitForLine(isReady, std::chrono::seconds(20)).empty()) {
      throw std::runtime_error("carrel-control did not get ready, see " + p->logPath());
    }
    controls_.push_back(std::move(p));
    controlPorts_.push_back(port);
  }
}

CarrelStack::~CarrelStack() {
  // Clients first would be the caller's job; servers in reverse order of start.
  controls_.clear();
  std::vector<std::string> sfuLogs;
  for (const auto& p : sfus_) sfuLogs.push_back(p->logPath());
  sfus_.clear();
  redis_.reset();
  // A GLib critical is a programming error in the SFU (a reference given back twice, a broken
  // precondition) even when the test saw nothing wrong, so the test that ran it fails. One is
  // let through: GStreamer 1.22.0's rtpsession (Debian 12's) drops its lock inside the RTCP
  // timer's walk over its sources to ask a newly sending SSRC's clock rate; another thread's
  // first packet of another new SSRC, added meanwhile, changes the table and GLib stops the walk
  // with this message (that round's reports for the remaining sources are skipped; nothing is
  // freed). Fixed upstream in 1.22.3 (b9f7ab60); seen in the 25-person room test about one run
  // in two. The same message from a get-stats walk during a teardown is what
  // WebrtcConnection::stop prevents (tested in unit/sfu_WebrtcConnectionTest.cpp).
  for (const auto& path : sfuLogs) {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
      if (line.find("-CRITICAL **") != std::string::npos &&
          line.find("g_hash_table_foreach: assertion 'version == hash_table->version'") ==
              std::string::npos) {
        ADD_FAILURE() << "carrel-sfu logged a critical: " << line << " (" << path << ")";
        break;
      }
    }
  }
}

std::string CarrelStack::httpUrl(size_t i) const {
  return "http://127.0.0.1:" + std::to_string(controlPorts_.at(i)) + "/";
}

std::string CarrelStack::wsUrl(size_t i) const {
  return "ws://127.0.0.1:" + std::to_string(controlPorts_.at(i)) + "/ws";
}

std::unique_ptr<Process> CarrelStack::startPeer(const std::string& name,
                                                std::vector<std::string> args, size_t controlNode) {
  std::vector<std::string> argv{binary("carrel-peer"), "--url", wsUrl(controlNode), "--name", name};
  argv.insert(argv.end(), args.begin(), args.end());
  return std::make_unique<Process>(argv, dir_ + "/peer-" + name + ".log");
}

}  // namespace carrel::test
