#include "RedisServer.hpp"

#include <stdexcept>

#include "TestEnv.hpp"

namespace carrel::test {

RedisServer::RedisServer(const std::string& dir) : port_(freePort()) {
  proc_ = std::make_unique<Process>(
      std::vector<std::string>{"/usr/bin/redis-server", "--port", std::to_string(port_), "--bind",
                               "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir,
                               "--daemonize", "no"},
      dir + "/redis.log");
  if (!waitForTcp(port_, 10000)) throw std::runtime_error("redis-server did not start");
}

}  // namespace carrel::test
