// A private redis-server for one test: its own port on 127.0.0.1, its own folder, no
// persistence; stopped by PID with the owner.
#pragma once

#include <memory>
#include <string>

#include "Process.hpp"

namespace carrel::test {

class RedisServer {
 public:
  explicit RedisServer(const std::string& dir);
  int port() const { return port_; }
  void stop() { proc_.reset(); }

 private:
  int port_;
  std::unique_ptr<Process> proc_;
};

}  // namespace carrel::test
