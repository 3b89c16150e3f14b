#include <gtest/gtest.h>

#include "Json.hpp"
#include "TrackTable.hpp"

using namespace carrel;
using namespace carrel::peer;
using namespace std::chrono_literals;

namespace {
using Clock = TrackTable::Clock;
const Clock::time_point t0 = Clock::now();

std::vector<TrackInfo> annaAndBen() {
  return {{"video0", "anna", "v0", "video"},
          {"audio1", "anna", "a0", "audio"},
          {"video2", "ben", "v0", "video"}};
}
const TrackSnapshot* find(const std::vector<TrackSnapshot>& all, const std::string& mid,
                          bool ended = false) {
  for (const auto& s : all) {
    if (s.info.mid == mid && s.ended == ended) return &s;
  }
  return nullptr;
}
}  // namespace

TEST(PeerTrackTable, CountsPacketsAndFramesPerMid) {
  TrackTable t(t0);
  t.setJoined(t0 + 100ms);
  EXPECT_TRUE(t.applyOffer(annaAndBen(), {}, t0 + 200ms).empty());
  auto first = t.onPacket("video0", 1000, t0 + 300ms);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->info.participant, "anna");
  EXPECT_EQ(first->firstPacketMs, 300);
  EXPECT_FALSE(t.onPacket("video0", 500, t0 + 310ms));
  EXPECT_TRUE(t.onFrame("video0", t0 + 350ms));
  EXPECT_FALSE(t.onFrame("video0", t0 + 380ms));
  EXPECT_FALSE(t.onPacket("nope", 10, t0 + 400ms));
  EXPECT_EQ(t.unattributedPackets(), 1u);

  auto all = t.snapshot();
  ASSERT_EQ(all.size(), 3u);
  const TrackSnapshot* v = find(all, "video0");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->packets, 2u);
  EXPECT_EQ(v->bytes, 1500u);
  EXPECT_EQ(v->frames, 2u);
  EXPECT_EQ(v->appearedMs, 200);
  EXPECT_EQ(v->firstFrameMs, 350);
  EXPECT_EQ(v->firstFrameSinceJoinMs, 250);
  const TrackSnapshot* b = find(all, "video2");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->packets, 0u);
  EXPECT_FALSE(b->firstPacketMs);
}

TEST(PeerTrackTable, RenegotiationKeepsLiveTracksAndEndsTheRest) {
  TrackTable t(t0);
  t.applyOffer(annaAndBen(), {}, t0);
  t.onPacket("video0", 100, t0 + 1ms);
  // The same tracks again plus a new one: nothing ends, counters stay.
  auto tracks = annaAndBen();
  tracks.push_back({"audio3", "ben", "a0", "audio"});
  EXPECT_TRUE(t.applyOffer(tracks, {}, t0 + 10ms).empty());
  EXPECT_EQ(find(t.snapshot(), "video0")->packets, 1u);
  EXPECT_EQ(t.snapshot().size(), 4u);

  // Ben's m-lines go inactive: his tracks end, Anna's go on.
  auto ended = t.applyOffer(tracks, {"video2", "audio3"}, t0 + 20ms);
  ASSERT_EQ(ended.size(), 2u);
  for (const auto& s : ended) {
    EXPECT_EQ(s.info.participant, "ben");
    EXPECT_TRUE(s.ended);
  }
  EXPECT_FALSE(t.onPacket("video2", 10, t0 + 30ms));
  EXPECT_EQ(find(t.snapshot(), "video2", true)->packets, 0u);

  // A track no longer listed ends too.
  ended = t.applyOffer({{"video0", "anna", "v0", "video"}}, {}, t0 + 40ms);
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].info.mid, "audio1");
}

TEST(PeerTrackTable, ReusedMidStartsANewEntry) {
  TrackTable t(t0);
  t.applyOffer(annaAndBen(), {}, t0);
  t.onPacket("video2", 100, t0 + 1ms);
  auto ended = t.applyOffer({{"video0", "anna", "v0", "video"},
                             {"audio1", "anna", "a0", "audio"},
                             {"video2", "cleo", "v0", "video"}},
                            {}, t0 + 50ms);
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].info.participant, "ben");
  auto first = t.onPacket("video2", 200, t0 + 60ms);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->info.participant, "cleo");
  EXPECT_EQ(first->firstPacketMs, 60);
  EXPECT_EQ(find(t.snapshot(), "video2", true)->bytes, 100u);
  EXPECT_EQ(find(t.snapshot(), "video2", false)->bytes, 200u);
}

TEST(PeerTrackTable, ServerEventsEndTracks) {
  TrackTable t(t0);
  t.applyOffer(annaAndBen(), {}, t0);
  auto ended = t.endTrack("anna", "a0");
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].info.mid, "audio1");
  EXPECT_TRUE(t.endTrack("anna", "a0").empty());
  ended = t.endParticipant("anna");
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].info.mid, "video0");
  EXPECT_TRUE(t.endParticipant("nobody").empty());
  EXPECT_FALSE(t.current("video0"));
  EXPECT_TRUE(t.current("video2"));
}

TEST(PeerTrackTable, JsonCarriesEveryField) {
  TrackTable t(t0);
  t.applyOffer(annaAndBen(), {}, t0 + 5ms);
  t.onPacket("video0", 42, t0 + 7ms);
  JsonArrayPtr all = TrackTable::toJson(t.snapshot());
  ASSERT_EQ(json_array_get_length(all.get()), 3u);
  JsonObject* v = nullptr;
  for (guint i = 0; i < 3; ++i) {
    JsonObject* o = json_array_get_object_element(all.get(), i);
    if (json::getString(o, "mid") == "video0") v = o;
  }
  ASSERT_TRUE(v);
  EXPECT_EQ(json::getString(v, "participant"), "anna");
  EXPECT_EQ(json::getString(v, "track"), "v0");
  EXPECT_EQ(json::getString(v, "kind"), "video");
  EXPECT_EQ(json::getString(v, "mid"), "video0");
  EXPECT_EQ(json::getInt(v, "packets"), 1);
  EXPECT_EQ(json::getInt(v, "bytes"), 42);
  EXPECT_EQ(json::getInt(v, "frames"), 0);
  EXPECT_EQ(json::getInt(v, "first_packet_ms"), 7);
  EXPECT_TRUE(json_object_has_member(v, "first_frame_ms"));
  EXPECT_TRUE(json_object_get_null_member(v, "first_frame_ms"));
  EXPECT_EQ(json::getBool(v, "ended"), false);
}
