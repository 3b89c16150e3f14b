// Deployment settings with real peers: carrel-sfu given a UDP port range and a NAT 1:1
// public address. Every candidate it sends names the public address and a port inside the
// range, every UDP socket it holds is bound inside the range, and media still flows on
// loopback (the public address is not reachable here; ICE finds the peer-reflexive path,
// as it does behind a real NAT when the outside address is unknown to the inside).
#include <gtest/gtest.h>

#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "CarrelStack.hpp"
#include "Json.hpp"
#include "MediaTestUtil.hpp"
#include "PeerOutput.hpp"
#include "TestEnv.hpp"

using namespace carrel;
using namespace carrel::test;
using namespace std::chrono_literals;

namespace {

// Local ports of the UDP (IPv4) sockets the process holds, from /proc.
std::vector<int> udpPortsOf(pid_t pid) {
  std::set<std::string> inodes;
  std::string fdDir = "/proc/" + std::to_string(pid) + "/fd";
  if (DIR* d = opendir(fdDir.c_str())) {
    while (dirent* e = readdir(d)) {
      char target[256] = {0};
      std::string path = fdDir + "/" + e->d_name;
      ssize_t n = readlink(path.c_str(), target, sizeof target - 1);
      std::string t(target, n > 0 ? static_cast<size_t>(n) : 0);
      if (t.rfind("socket:[", 0) == 0) inodes.insert(t.substr(8, t.size() - 9));
    }
    closedir(d);
  }
  std::vector<int> ports;
  std::ifstream udp("/proc/net/udp");
  std::string line;
  std::getline(udp, line);  // header
  while (std::getline(udp, line)) {
    std::istringstream in(line);
    std::string sl, local, remote, st, queues, tr, retr, uid, timeout, inode;
    in >> sl >> local >> remote >> st >> queues >> tr >> retr >> uid >> timeout >> inode;
    if (!inodes.count(inode)) continue;
    ports.push_back(static_cast<int>(std::stoul(local.substr(local.find(':') + 1), nullptr, 16)));
  }
  return ports;
}

// (address, port) of a candidate attribute.
std::pair<std::string, int> addressOf(const std::string& candidate) {
  std::istringstream in(candidate);
  std::vector<std::string> f;
  for (std::string w; in >> w;) f.push_back(w);
  if (f.size() < 6) return {"", 0};
  return {f[4], std::atoi(f[5].c_str())};
}

}  // namespace

TEST(DeploymentMedia, PortRangeAndPublicAddressInCandidatesWhileMediaFlows) {
  // A range of 40 ports somewhere high, away from the ephemeral range tests bind in.
  std::mt19937 rng(static_cast<unsigned>(getpid()));
  const int lo = 20000 + static_cast<int>(rng() % 8000), hi = lo + 39;
  StackOptions o;
  o.sfuArgs = {"--ice-port-min",   std::to_string(lo), "--ice-port-max",
               std::to_string(hi), "--public-address", "127.0.0.2"};
  CarrelStack stack(artifactDir(currentTestName()), o);
  std::vector<std::string> args{
      "--room", "natroom", "--json", "--no-decode", "--print-candidates", "--stats-interval-ms",
      "300"};
  auto a = stack.startPeer("ana", args);
  auto b = stack.startPeer("ben", args);
  std::string ida = waitForWelcome(*a, 20s), idb = waitForWelcome(*b, 20s);
  ASSERT_FALSE(ida.empty() || idb.empty());
  auto receives = [](Process& viewer, const std::string& who) {
    const RemoteTrack* t = readPeer(viewer).find(who, "video");
    return t && t->packets > 100;
  };
  EXPECT_TRUE(eventually([&] { return receives(*a, idb) && receives(*b, ida); }, 30s))
      << a->logPath();

  for (Process* p : {a.get(), b.get()}) {
    auto cands = peerEvents(*p, "remote_candidate");
    std::set<std::string> conns;
    ASSERT_FALSE(cands.empty()) << p->logPath();
    for (auto& c : cands) {
      std::string text = json::getString(c.get(), "candidate").value_or("");
      auto [addr, port] = addressOf(text);
      EXPECT_EQ(addr, "127.0.0.2") << text;
      EXPECT_GE(port, lo) << text;
      EXPECT_LE(port, hi) << text;
      conns.insert(json::getString(c.get(), "conn").value_or(""));
    }
    EXPECT_EQ(conns, (std::set<std::string>{"publish", "subscribe"}));
  }
  auto ports = udpPortsOf(stack.sfu().pid());
  EXPECT_GE(ports.size(), 4u) << "two peers, two connections each";
  for (int port : ports) {
    EXPECT_GE(port, lo);
    EXPECT_LE(port, hi);
  }
  EXPECT_EQ(a->stop(10s), 0) << a->logPath();
  EXPECT_EQ(b->stop(10s), 0) << b->logPath();
}
