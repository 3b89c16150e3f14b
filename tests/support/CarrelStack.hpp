// The whole server side for one test: a private Redis, one or more carrel-sfu and
// carrel-control processes on free loopback ports, each started and waited for until it
// prints its ready line, each stopped by PID with the stack.
//
// Ready-line contract (stdout, one JSON object per line; logs go to stderr):
//   carrel-sfu     {"event":"ready","node":"<node-id>"}
//   carrel-control {"event":"ready","node":"<node-id>","url":"http://127.0.0.1:<port>/"}
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "Process.hpp"
#include "RedisServer.hpp"

namespace carrel::test {

struct StackOptions {
  int sfuNodes = 1;
  int controlNodes = 1;
  std::vector<std::string> sfuArgs;      // extra arguments for every carrel-sfu
  std::vector<std::string> controlArgs;  // extra arguments for every carrel-control
  // The test's WebSocket-only clients (WsClient) join rooms where carrel-peers publish, so
  // they get subscribe offers they never answer. The SFU removes such a member after its
  // connect timeout (20 s); on a slow machine that fell mid-test. The longest timeout then.
  bool membersWithoutMedia = false;
};

class CarrelStack {
 public:
  explicit CarrelStack(std::string dir, StackOptions options = {});
  ~CarrelStack();

  const std::string& dir() const { return dir_; }
  int redisPort() const { return redis_->port(); }
  int controlPort(size_t i = 0) const { return controlPorts_.at(i); }
  std::string httpUrl(size_t i = 0) const;
  std::string wsUrl(size_t i = 0) const;
  Process& sfu(size_t i = 0) { return *sfus_.at(i); }
  Process& control(size_t i = 0) { return *controls_.at(i); }
  const std::string& sfuNodeId(size_t i = 0) const { return sfuIds_.at(i); }

  // Starts a carrel-peer with these extra arguments (after --url of control node i).
  std::unique_ptr<Process> startPeer(const std::string& name, std::vector<std::string> args,
                                     size_t controlNode = 0);

 private:
  std::string dir_;
  std::unique_ptr<RedisServer> redis_;
  std::vector<std::unique_ptr<Process>> sfus_;
  std::vector<std::string> sfuIds_;
  std::vector<std::unique_ptr<Process>> controls_;
  std::vector<int> controlPorts_;
};

}  // namespace carrel::test
