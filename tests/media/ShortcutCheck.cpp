#include "ShortcutCheck.hpp"

#include <gtest/gtest.h>

#include "CarrelStack.hpp"
#include "Json.hpp"
#include "MediaTestUtil.hpp"
#include "PeerOutput.hpp"
#include "SfuProbe.hpp"
#include "TestEnv.hpp"

using namespace std::chrono_literals;

namespace carrel::test {

namespace {

// Video frames the viewer decoded from who (-1 before it has the track).
int64_t frames(Process& viewer, const std::string& who) {
  PeerView v = readPeer(viewer);
  const RemoteTrack* t = v.find(who, "video");
  return t ? t->frames : -1;
}

int64_t counter(SfuProbe& sfu, const std::string& node, const std::string& field) {
  JsonObjectPtr info = sfu.nodeInfo(node);
  return info ? json::getInt(info.get(), field.c_str()).value_or(-1) : -1;
}

}  // namespace

void countWhilePicturesFlow(const std::vector<std::string>& sfuArgs, const std::string& room,
                            const std::string& counterField, CounterReads* reads) {
  StackOptions options;
  options.sfuArgs = sfuArgs;
  CarrelStack stack(artifactDir(currentTestName()), options);
  std::vector<std::string> args{"--room", room, "--json", "--stats-interval-ms", "200"};
  auto a = stack.startPeer("ana", args);
  auto b = stack.startPeer("ben", args);
  std::string ida = waitForWelcome(*a, 20s), idb = waitForWelcome(*b, 20s);
  ASSERT_FALSE(ida.empty() || idb.empty());
  ASSERT_TRUE(eventually([&] { return frames(*a, idb) > 30 && frames(*b, ida) > 30; }, 30s))
      << stack.dir();
  SfuProbe sfu(stack.redisPort());
  ASSERT_TRUE(sfu.ready());

  reads->first = counter(sfu, stack.sfuNodeId(), counterField);
  int64_t seenByA = frames(*a, idb), seenByB = frames(*b, ida);
  EXPECT_TRUE(eventually(
      [&] { return frames(*a, idb) > seenByA + 30 && frames(*b, ida) > seenByB + 30; }, 30s))
      << "pictures stopped; " << stack.dir();
  reads->second = counter(sfu, stack.sfuNodeId(), counterField);
}

}  // namespace carrel::test
