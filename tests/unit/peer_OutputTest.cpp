#include <gtest/gtest.h>

#include "Json.hpp"
#include "Output.hpp"

using namespace carrel;
using namespace carrel::peer;

TEST(PeerOutput, JsonLinePutsEventFirst) {
  Output out(true);
  json::Object o;
  o.set("participant", "p1").set("n", 3).set("event", "ignored");
  std::string line = out.format("welcome", o.get());
  EXPECT_EQ(line.rfind("{\"event\":\"welcome\"", 0), 0u) << line;
  std::string err;
  auto parsed = json::parseObject(line, &err);
  ASSERT_TRUE(parsed) << err;
  EXPECT_EQ(json::getString(parsed.get(), "event"), "welcome");
  EXPECT_EQ(json::getString(parsed.get(), "participant"), "p1");
  EXPECT_EQ(json::getInt(parsed.get(), "n"), 3);
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST(PeerOutput, HumanLineIsReadable) {
  Output out(false);
  json::Object o;
  o.set("text", "hi there").set("ts", 5);
  EXPECT_EQ(out.format("chat", o.get()), "chat text=hi there ts=5");
  EXPECT_EQ(out.format("summary", nullptr), "summary");
}

TEST(PeerOutput, EmitWritesOneFlushedLine) {
  char* buf = nullptr;
  size_t size = 0;
  FILE* f = open_memstream(&buf, &size);
  ASSERT_TRUE(f);
  {
    Output out(true, f);
    out.emit("summary");
    out.emit("stats");
  }
  std::fclose(f);
  EXPECT_EQ(std::string(buf, size), "{\"event\":\"summary\"}\n{\"event\":\"stats\"}\n");
  free(buf);
}
