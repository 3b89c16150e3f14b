#include "TestEnv.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <thread>

namespace fs = std::filesystem;

namespace carrel::test {

static bool bindable(int type, int port) {
  int fd = socket(AF_INET, type, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return ok;
}

int freePort() {
  for (int attempt = 0; attempt < 50; ++attempt) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = 0;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      close(fd);
      continue;
    }
    int port = ntohs(a.sin_port);
    close(fd);
    if (bindable(SOCK_DGRAM, port)) return port;
  }
  throw std::runtime_error("no free port");
}

std::string buildDir() {
  return CARREL_BUILD_DIR;
}
std::string sourceDir() {
  return CARREL_SOURCE_DIR;
}

std::string binary(const std::string& name) {
  for (const char* sub : {"sfu", "control", "tests/peer", "recorder", "bench", "."}) {
    fs::path p = fs::path(buildDir()) / sub / name;
    if (fs::exists(p)) return p.string();
  }
  throw std::runtime_error("binary not built: " + name);
}

std::string artifactDir(const std::string& testName) {
  fs::path p = fs::path(buildDir()) / "test-artifacts" / testName;
  // ctest runs each test of an executable as its own process, two at a time: a folder named
  // for a whole suite gets one subfolder per test, so that parallel runs never share one.
  std::string filter = GTEST_FLAG_GET(filter);
  if (!filter.empty() && filter != "*" && filter != testName &&
      filter.find_first_of("*?:") == std::string::npos) {
    p /= filter;
  }
  fs::remove_all(p);
  fs::create_directories(p);
  return p.string();
}

bool waitForTcp(int port, int timeoutMs) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
  while (std::chrono::steady_clock::now() < deadline) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    close(fd);
    if (ok) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

}  // namespace carrel::test
