// A test's own node on the control <-> SFU bus: sends requests to an SFU the way carrel-control
// does, through the real Redis, and waits for the answer while pumping the main context.
#pragma once

#include <string>

#include "Bus.hpp"
#include "GPtr.hpp"
#include "RedisConnection.hpp"

namespace carrel::test {

class TestBusClient {
 public:
  TestBusClient(int redisPort, const std::string& nodeId);
  // Connected and subscribed (false after 5 s).
  bool ready();
  struct Answer {
    std::string result;  // "ok", "code: message", or "no answer"
    JsonObjectPtr data;  // when ok
  };
  Answer call(const std::string& node, const char* method, JsonObjectPtr data);
  // "ok" or "code: message".
  std::string request(const std::string& node, const char* method, JsonObjectPtr data) {
    return call(node, method, std::move(data)).result;
  }

 private:
  RedisConnection pub_;
  RedisConnection sub_;
  Bus bus_;
};

}  // namespace carrel::test
