// Two control nodes, one room (issue 5 item 6): two carrel-control processes on one Redis and
// one MariaDB, one SFU; signed-in carrel-peers connected to different nodes join the same
// room and decode each other's video and audio, whichever node their signalling goes
// through. A late joiner on the second node gets everyone; a leave on one node ends the
// tracks on the other. The admin API (on either node) shows the peers on both nodes.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "../integration/control_rest_client.hpp"
#include "CarrelStack.hpp"
#include "MariaDbServer.hpp"
#include "MediaTestUtil.hpp"
#include "PeerOutput.hpp"
#include "TestEnv.hpp"

using namespace carrel;
using namespace carrel::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* kRoom = "two-nodes";

bool receivesFrom(Process& viewer, const std::string& who, int64_t minFrames) {
  PeerView v = readPeer(viewer);
  const RemoteTrack* video = v.find(who, "video");
  const RemoteTrack* audio = v.find(who, "audio");
  return video && audio && video->frames >= minFrames && audio->frames > 0 && !video->ended;
}

bool sawEnd(Process& viewer, const std::string& who) {
  PeerView v = readPeer(viewer);
  bool video = false, audio = false;
  for (auto& t : v.tracks) {
    if (t.participant == who && t.ended) (t.kind == "video" ? video : audio) = true;
  }
  return video && audio;
}

std::string describe(Process& p) {
  PeerView v = readPeer(p);
  std::string s = "peer " + v.participant + ":";
  for (auto& t : v.tracks) {
    s += " [" + t.participant + " " + t.kind + " pkts=" + std::to_string(t.packets) +
         " frames=" + std::to_string(t.frames) + (t.ended ? " ended" : "") + "]";
  }
  for (auto& e : v.errors) s += " error(" + e + ")";
  return s + " (log " + p.logPath() + ")";
}

std::string token(int port, const std::string& login, const std::string& name,
                  const std::string& password = "password-123") {
  json::Object up;
  up.set("login", login).set("password", password).set("display_name", name);
  rest(port, "POST", "/api/v1/auth/signup", up.str());
  json::Object in;
  in.set("login", login).set("password", password);
  Rest r = rest(port, "POST", "/api/v1/auth/login", in.str());
  std::string t = json::getString(r.json.get(), "token").value_or("");
  EXPECT_FALSE(t.empty()) << r.raw;
  return t;
}

// participant id -> control node, from the admin API of one node.
std::map<std::string, std::string> seats(int port, const std::string& adminToken) {
  std::map<std::string, std::string> out;
  Rest r = rest(port, "GET", std::string("/api/v1/admin/rooms?room=") + kRoom, "", adminToken);
  JsonArray* rooms = json::getArray(r.json.get(), "rooms");
  for (guint i = 0; rooms && i < json_array_get_length(rooms); ++i) {
    JsonArray* ps = json::getArray(json_array_get_object_element(rooms, i), "participants");
    for (guint j = 0; ps && j < json_array_get_length(ps); ++j) {
      JsonObject* p = json_array_get_object_element(ps, j);
      out[json::getString(p, "participant").value_or("")] = json::getString(p, "node").value_or("");
    }
  }
  return out;
}

}  // namespace

TEST(TwoNodeMedia, PeersOnDifferentControlNodesSeeAndHearEachOther) {
  std::string dir = artifactDir(currentTestName());
  MariaDbServer db(dir + "/db");
  std::ofstream(dir + "/admin.pw") << "admin-password-1\n";
  StackOptions o;
  o.controlNodes = 2;
  o.controlArgs = {"--mysql-socket", db.socket(),  "--mysql-database",      "carrel_twonode",
                   "--admin-login",  "root_admin", "--admin-password-file", dir + "/admin.pw"};
  CarrelStack stack(dir, o);
  const int port0 = stack.controlPort(0), port1 = stack.controlPort(1);

  // Accounts and the room made through node 0; the tokens work on node 1 (one MariaDB).
  std::string ana = token(port0, "ana", "Ana"), ben = token(port1, "ben", "Ben"),
              cleo = token(port1, "cleo", "Cleo"),
              admin = token(port0, "root_admin", "x", "admin-password-1");
  Rest room = rest(port0, "POST", "/api/v1/rooms",
                   std::string(R"({"id":")") + kRoom + R"(","title":"Two nodes"})", ana);
  ASSERT_EQ(room.status, 201) << room.raw;

  auto args = [](const std::string& tok) {
    return std::vector<std::string>{
        "--room", kRoom, "--json", "--duration", "0", "--stats-interval-ms", "250", "--token", tok};
  };
  auto a = stack.startPeer("ana", args(ana), 0);
  auto b = stack.startPeer("ben", args(ben), 1);
  std::string ida = waitForWelcome(*a, 20s), idb = waitForWelcome(*b, 20s);
  ASSERT_FALSE(ida.empty() || idb.empty()) << "a peer got no welcome";

  EXPECT_TRUE(
      eventually([&] { return receivesFrom(*a, idb, 30) && receivesFrom(*b, ida, 30); }, 30s))
      << describe(*a) << "\n"
      << describe(*b);

  // The peers really are on different nodes; both nodes see the whole room.
  std::map<std::string, std::string> s0, s1;
  EXPECT_TRUE(eventually(
      [&] {
        s0 = seats(port0, admin);
        s1 = seats(port1, admin);
        return s0.size() == 2 && s0 == s1;
      },
      10s));
  ASSERT_EQ(s0.count(ida), 1u);
  ASSERT_EQ(s0.count(idb), 1u);
  EXPECT_NE(s0[ida], s0[idb]) << "both peers on node " << s0[ida];

  // A late joiner on node 1 gets both, and both get it.
  auto c = stack.startPeer("cleo", args(cleo), 1);
  std::string idc = waitForWelcome(*c, 20s);
  ASSERT_FALSE(idc.empty());
  EXPECT_TRUE(eventually(
      [&] {
        return receivesFrom(*c, ida, 30) && receivesFrom(*c, idb, 30) &&
               receivesFrom(*a, idc, 30) && receivesFrom(*b, idc, 30);
      },
      30s))
      << describe(*a) << "\n"
      << describe(*b) << "\n"
      << describe(*c);

  // Ana (node 0) leaves: the peers on node 1 see her tracks end and keep receiving each other.
  ASSERT_EQ(a->stop(10s), 0) << "carrel-peer did not exit cleanly, see " << a->logPath();
  EXPECT_TRUE(eventually([&] { return sawEnd(*b, ida) && sawEnd(*c, ida); }, 15s))
      << describe(*b) << "\n"
      << describe(*c);
  int64_t before = readPeer(*b).find(idc, "video")->frames;
  EXPECT_TRUE(
      eventually([&] { return readPeer(*b).find(idc, "video")->frames > before + 15; }, 10s))
      << describe(*b);

  for (auto* p : {b.get(), c.get()}) {
    EXPECT_EQ(p->stop(10s), 0) << p->logPath();
    saveOutput(*p, p->logPath() + ".stdout");
  }
  saveOutput(*a, a->logPath() + ".stdout");
}
