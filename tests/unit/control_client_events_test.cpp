// SFU bus events become client messages: "peer" is renamed "participant" in a subscribe
// offer's tracks, and the media fields pass through unchanged.
#include <gtest/gtest.h>

#include "ClientEvents.hpp"
#include "Json.hpp"

using namespace carrel;
using namespace carrel::control;

namespace {
JsonObjectPtr parse(const std::string& s) {
  JsonObjectPtr o = json::parseObject(s, nullptr);
  EXPECT_TRUE(o) << s;
  return o;
}
}  // namespace

TEST(ControlClientEvents, SubscribeOfferRenamesPeerToParticipant) {
  auto bus = parse(R"({"room":"r","peer":"p2","sdp":"v=0\r\n","tracks":[
      {"mid":"0","peer":"p1","track":"v0","kind":"video"},
      {"mid":"1","peer":"p3","track":"a0","kind":"audio"}, 5]})");
  auto out = parse(ClientEvents::subscribeOffer(bus.get()));
  EXPECT_EQ(json::getString(out.get(), "type"), "subscribe_offer");
  EXPECT_EQ(json::getString(out.get(), "sdp"), "v=0\r\n");
  EXPECT_FALSE(json_object_has_member(out.get(), "room"));
  EXPECT_FALSE(json_object_has_member(out.get(), "peer"));
  JsonArray* t = json::getArray(out.get(), "tracks");
  ASSERT_TRUE(t);
  ASSERT_EQ(json_array_get_length(t), 2u);  // the non-object item is dropped
  JsonObject* first = json_array_get_object_element(t, 0);
  EXPECT_EQ(json::getString(first, "mid"), "0");
  EXPECT_EQ(json::getString(first, "participant"), "p1");
  EXPECT_EQ(json::getString(first, "track"), "v0");
  EXPECT_EQ(json::getString(first, "kind"), "video");
  EXPECT_FALSE(json_object_has_member(first, "peer"));
  EXPECT_EQ(json::getString(json_array_get_object_element(t, 1), "participant"), "p3");
}

TEST(ControlClientEvents, CandidateAndConnectionState) {
  auto c = parse(ClientEvents::candidate(
      parse(
          R"({"room":"r","peer":"p","conn":"subscribe","candidate":"candidate:1 1 UDP 1 127.0.0.1 9 typ host","sdp_mline_index":2})")
          .get()));
  EXPECT_EQ(json::getString(c.get(), "type"), "candidate");
  EXPECT_EQ(json::getString(c.get(), "conn"), "subscribe");
  EXPECT_EQ(json::getString(c.get(), "candidate"), "candidate:1 1 UDP 1 127.0.0.1 9 typ host");
  EXPECT_EQ(json::getInt(c.get(), "sdp_mline_index"), 2);
  EXPECT_FALSE(json_object_has_member(c.get(), "peer"));
  auto s = parse(ClientEvents::connectionState(
      parse(R"({"room":"r","peer":"p","conn":"publish","state":"connected"})").get()));
  EXPECT_EQ(json::getString(s.get(), "type"), "connection_state");
  EXPECT_EQ(json::getString(s.get(), "conn"), "publish");
  EXPECT_EQ(json::getString(s.get(), "state"), "connected");
}

TEST(ControlClientEvents, Tracks) {
  auto bus = parse(R"({"room":"r","peer":"p9","track":"v0","kind":"video"})");
  auto pub = parse(ClientEvents::track(bus.get(), "p9", true));
  EXPECT_EQ(json::getString(pub.get(), "type"), "track_published");
  EXPECT_EQ(json::getString(pub.get(), "participant"), "p9");
  EXPECT_EQ(json::getString(pub.get(), "track"), "v0");
  EXPECT_EQ(json::getString(pub.get(), "kind"), "video");
  auto end = parse(ClientEvents::track(bus.get(), "p9", false));
  EXPECT_EQ(json::getString(end.get(), "type"), "track_ended");
}
