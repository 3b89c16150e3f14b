#include "MediaTestUtil.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "Json.hpp"
#include "PeerOutput.hpp"

namespace carrel::test {

std::string currentTestName() {
  auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return std::string(info->test_suite_name()) + "." + info->name();
}

bool eventually(const std::function<bool()>& cond, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return cond();
}

std::string waitForWelcome(Process& p, std::chrono::milliseconds timeout) {
  std::string id;
  eventually([&] { return !(id = readPeer(p).participant).empty(); }, timeout);
  return id;
}

long rssKiB(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

std::vector<JsonObjectPtr> peerEvents(Process& p, const std::string& event) {
  std::vector<JsonObjectPtr> out;
  for (const std::string& line : p.lines()) {
    if (line.find(event) == std::string::npos) continue;
    std::string err;
    auto o = json::parseObject(line, &err);
    if (o && json::getString(o.get(), "event").value_or("") == event) out.push_back(std::move(o));
  }
  return out;
}

void saveOutput(Process& p, const std::string& path) {
  std::ofstream out(path);
  for (const std::string& line : p.lines()) out << line << "\n";
}

}  // namespace carrel::test
