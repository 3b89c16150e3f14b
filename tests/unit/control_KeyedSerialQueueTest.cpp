// KeyedSerialQueue: a key's jobs run one at a time in order; other keys do not wait.
#include <glib.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "KeyedSerialQueue.hpp"

using carrel::control::KeyedSerialQueue;

namespace {

// A finished turn hands over from the main loop.
void settle() {
  while (g_main_context_iteration(nullptr, FALSE)) {
  }
}

}  // namespace

TEST(KeyedSerialQueue, AKeysJobsRunOneAtATimeInOrder) {
  KeyedSerialQueue q;
  std::vector<std::string> ran;
  std::vector<KeyedSerialQueue::TurnPtr> held;
  for (const char* name : {"set", "start", "pause"}) {
    q.push("room", [&, name](KeyedSerialQueue::TurnPtr turn) {
      ran.push_back(name);
      held.push_back(std::move(turn));  // its work goes on asynchronously
    });
  }
  ASSERT_EQ(ran, std::vector<std::string>{"set"});
  EXPECT_EQ(q.waiting("room"), 3u);
  held.erase(held.begin());  // "set" is done
  settle();
  ASSERT_EQ(ran, (std::vector<std::string>{"set", "start"}));
  held.clear();  // "start" is done
  settle();
  EXPECT_EQ(ran, (std::vector<std::string>{"set", "start", "pause"}));
  held.clear();
  settle();
  EXPECT_EQ(q.waiting("room"), 0u);
}

TEST(KeyedSerialQueue, OtherKeysDoNotWaitAndSynchronousJobsChain) {
  KeyedSerialQueue q;
  std::vector<std::string> ran;
  KeyedSerialQueue::TurnPtr a;
  q.push("a", [&](KeyedSerialQueue::TurnPtr t) {
    ran.push_back("a1");
    a = std::move(t);
  });
  q.push("a", [&](KeyedSerialQueue::TurnPtr) { ran.push_back("a2"); });
  // Done before returning (the turn is dropped at once): the next of that key follows.
  q.push("b", [&](KeyedSerialQueue::TurnPtr) { ran.push_back("b1"); });
  q.push("b", [&](KeyedSerialQueue::TurnPtr) { ran.push_back("b2"); });
  settle();
  EXPECT_EQ(ran, (std::vector<std::string>{"a1", "b1", "b2"}));
  a.reset();
  settle();
  EXPECT_EQ(ran, (std::vector<std::string>{"a1", "b1", "b2", "a2"}));
}

TEST(KeyedSerialQueue, ATurnOutlivingItsQueueIsHarmless) {
  KeyedSerialQueue::TurnPtr kept;
  {
    KeyedSerialQueue q;
    q.push("room", [&](KeyedSerialQueue::TurnPtr t) { kept = std::move(t); });
    q.push("room", [](KeyedSerialQueue::TurnPtr) { FAIL() << "ran after its queue was gone"; });
  }
  kept.reset();
  settle();
}
