// The "stats.room" bus event: round trip through encode/decode, and nested entries checked
// against their field tables (a bad track entry fails the whole event with bad_message).
#include <gtest/gtest.h>

#include "BusProtocol.hpp"
#include "Json.hpp"
#include "StatsReport.hpp"

using namespace carrel;

namespace {

bus::RoomStats sample() {
  bus::RoomStats r;
  r.room = "algebra";
  r.intervalMs = 1000;
  bus::PeerStats p;
  p.peer = "p1";
  bus::TrackStats t;
  t.direction = "out";
  t.track = "video0";
  t.kind = "video";
  t.source = "p2";
  t.packets = 900;
  t.bytes = 800000;
  t.lost = 3;
  t.bitrateBps = 310000;
  t.packetsPerS = 30;
  t.rttUs = 2100;
  p.tracks.push_back(t);
  r.peers.push_back(p);
  r.peers.push_back(bus::PeerStats{"p2", {}});
  return r;
}

std::string eventText(JsonObjectPtr data) {
  return bus::encode(bus::Event{bus::event::StatsRoom, "sfu-1", std::move(data)});
}

}  // namespace

TEST(StatsReport, RoundTripsThroughTheBus) {
  auto decoded = bus::decode(eventText(bus::toJson(sample())));
  ASSERT_TRUE(std::holds_alternative<bus::Message>(decoded))
      << std::get<bus::Error>(decoded).message;
  const auto& ev = std::get<bus::Event>(std::get<bus::Message>(decoded));
  bus::RoomStats r = bus::roomStatsFromJson(ev.data.get());
  EXPECT_EQ(r.room, "algebra");
  EXPECT_EQ(r.intervalMs, 1000);
  ASSERT_EQ(r.peers.size(), 2u);
  ASSERT_EQ(r.peers[0].tracks.size(), 1u);
  const auto& t = r.peers[0].tracks[0];
  EXPECT_EQ(t.direction, "out");
  EXPECT_EQ(t.source, "p2");
  EXPECT_EQ(t.bitrateBps, 310000);
  EXPECT_EQ(t.rttUs, 2100);
  EXPECT_EQ(t.jitterUs, -1) << "absent stays unknown";
  EXPECT_TRUE(r.peers[1].tracks.empty());
}

TEST(StatsReport, NestedEntriesAreValidated) {
  auto mutate = [](const char* field, JsonNode* value) {
    JsonObjectPtr d = bus::toJson(sample());
    JsonObject* peer = json_array_get_object_element(json::getArray(d.get(), "peers"), 0);
    JsonObject* track = json_array_get_object_element(json::getArray(peer, "tracks"), 0);
    json_object_set_member(track, field, value);
    return bus::decode(eventText(std::move(d)));
  };
  struct Case {
    const char* field;
    JsonNode* value;
  };
  Case cases[] = {
      {"direction", json_node_init_string(json_node_alloc(), "sideways")},
      {"kind", json_node_init_string(json_node_alloc(), "data")},
      {"packets", json_node_init_int(json_node_alloc(), -5)},
      {"bitrate_bps", json_node_init_string(json_node_alloc(), "fast")},
      {"rtt_us", json_node_init_int(json_node_alloc(), 3600LL * 1000 * 1000)},
      {"source", json_node_init_string(json_node_alloc(), "")},
  };
  for (auto& c : cases) {
    auto r = mutate(c.field, c.value);
    ASSERT_TRUE(std::holds_alternative<bus::Error>(r)) << c.field;
    EXPECT_EQ(std::get<bus::Error>(r).code, bus::error::BadMessage);
    EXPECT_NE(std::get<bus::Error>(r).message.find(c.field), std::string::npos)
        << std::get<bus::Error>(r).message;
  }
  // A peer entry that is not an object, and a missing interval.
  JsonObjectPtr d = bus::toJson(sample());
  json_array_add_int_element(json::getArray(d.get(), "peers"), 7);
  EXPECT_TRUE(std::holds_alternative<bus::Error>(bus::decode(eventText(std::move(d)))));
  d = bus::toJson(sample());
  json_object_remove_member(d.get(), "interval_ms");
  EXPECT_TRUE(std::holds_alternative<bus::Error>(bus::decode(eventText(std::move(d)))));
}
