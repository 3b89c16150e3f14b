// Asks the SFU about itself over the real bus (Redis), as the control plane would: the
// media tests count forwarded streams from the SFU's own state (node.info), not from timing.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "Bus.hpp"
#include "GPtr.hpp"
#include "RedisConnection.hpp"

namespace carrel::test {

class SfuProbe {
 public:
  explicit SfuProbe(int redisPort);
  // Both Redis connections are up and the bus subscription has settled.
  bool ready();
  // node.info's response data, or nullptr when the SFU does not answer.
  JsonObjectPtr nodeInfo(const std::string& node);
  // node.info's "video_streams" (-1 without an answer).
  int64_t videoStreams(const std::string& node);
  // Sends any request; "" when it succeeded, else the error code ("no_answer" without one).
  std::string call(const std::string& node, const char* method, JsonObjectPtr data);

 private:
  RedisConnection pub_;
  RedisConnection sub_;
  Bus bus_;
};

}  // namespace carrel::test
