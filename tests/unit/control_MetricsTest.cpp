// /metrics text: the Prometheus writer (escaping, numbers, grouping), the strict parser the
// media test relies on (it must refuse broken text), and ClusterMetrics' totals.
#include <gtest/gtest.h>

#include <cmath>

#include "ClusterMetrics.hpp"
#include "PrometheusScrape.hpp"
#include "PrometheusText.hpp"

using namespace carrel;
using namespace carrel::control;
using namespace carrel::test;

TEST(PrometheusText, EscapesLabelValuesAndHelp) {
  EXPECT_EQ(PrometheusText::escapeLabel("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  EXPECT_EQ(PrometheusText::escapeHelp("x\\y\nz \"q\""), "x\\\\y\\nz \"q\"");
  PrometheusText t;
  t.family("x_total", "Odd \"help\"\nline", "counter");
  t.sample("x_total", {{"room", "r\"1\\\n"}}, 3);
  std::string text = t.str();
  EXPECT_EQ(text,
            "# HELP x_total Odd \"help\"\\nline\n# TYPE x_total counter\n"
            "x_total{room=\"r\\\"1\\\\\\n\"} 3\n");
  std::string err;
  auto parsed = parsePrometheus(text, &err);
  ASSERT_TRUE(parsed) << err;
  EXPECT_EQ(parsed->select("x_total")[0].labels.at("room"), "r\"1\\\n");
}

TEST(PrometheusText, NumbersAndFamilyOrder) {
  EXPECT_EQ(PrometheusText::formatValue(0), "0");
  EXPECT_EQ(PrometheusText::formatValue(307377), "307377");
  EXPECT_EQ(PrometheusText::formatValue(0.002151), "0.002151");
  EXPECT_EQ(PrometheusText::formatValue(1e20), "1e+20");
  EXPECT_EQ(PrometheusText::formatValue(NAN), "NaN");
  EXPECT_EQ(PrometheusText::formatValue(-INFINITY), "-Inf");
  PrometheusText t;
  t.family("b", "B", "gauge");
  t.family("a", "A", "gauge");
  t.sample("a", {}, 1);
  t.sample("b", {{"k", "1"}}, 2);
  t.sample("a", {{"k", "2"}}, 3);
  t.sample("undeclared", {}, 4);
  EXPECT_EQ(t.str(),
            "# HELP b B\n# TYPE b gauge\nb{k=\"1\"} 2\n# HELP a A\n# TYPE a gauge\na 1\n"
            "a{k=\"2\"} 3\n");
}

TEST(PrometheusParser, RefusesBrokenText) {
  std::string err;
  const char* bad[] = {
      "x 1\n",                                            // no TYPE
      "# TYPE x gauge\nx 1",                              // no final newline
      "# TYPE x gauge\nx{a=\"1\"} 1\nx{a=\"1\"} 2\n",     // duplicate series
      "# TYPE x gauge\n# TYPE y gauge\nx 1\n",            // x's samples not after TYPE
      "# TYPE x gauge\nx 1\n# TYPE y gauge\ny 1\nx 2\n",  // x split in two
      "# TYPE x gauge\nx{a=\"\\q\"} 1\n",                 // bad escape
      "# TYPE x gauge\nx{a=1} 1\n",                       // unquoted value
      "# TYPE x gauge\nx one\n",                          // bad number
      "# TYPE x counter\nx 1\n",                          // counter not *_total
      "# TYPE x_total counter\nx_total -1\n",             // negative counter
      "# TYPE x gauge\n\nx 1\n",                          // empty line
      "# TYPE 1x gauge\n",                                // bad name
      "# TYPE x gauge\n# TYPE x gauge\n",                 // second TYPE
      "# TYPE x gauge\nx{a=\"1\",a=\"2\"} 1\n",           // label twice
      "# TYPE x gauge\nx{a=\"1\" 1\n",                    // unterminated labels
  };
  for (const char* text : bad) {
    EXPECT_FALSE(parsePrometheus(text, &err)) << "accepted: " << text;
  }
  auto ok = parsePrometheus(
      "# HELP x_total X\n# TYPE x_total counter\nx_total{a=\"1\"} 2 1700000000000\n"
      "# TYPE y gauge\ny +Inf\n",
      &err);
  ASSERT_TRUE(ok) << err;
  EXPECT_EQ(ok->value("x_total", {{"a", "1"}}), 2);
  EXPECT_TRUE(std::isinf(*ok->value("y")));
}

namespace {

bus::TrackStats track(const char* dir, const char* kind, const char* source, int64_t bps,
                      int64_t pps, int64_t lost, int64_t jitterUs, int64_t rttUs) {
  bus::TrackStats t;
  t.direction = dir;
  t.track = std::string(kind) + "0";
  t.kind = kind;
  t.source = source;
  t.packets = pps * 10;
  t.bytes = bps * 10 / 8;
  t.lost = lost;
  t.bitrateBps = bps;
  t.packetsPerS = pps;
  t.jitterUs = jitterUs;
  t.rttUs = rttUs;
  return t;
}

}  // namespace

TEST(ClusterMetrics, TotalsPerPeerRoomAndNodeFromReportsOfSeveralControlNodes) {
  // One room on sfu-1 whose two peers are on two control nodes (two reports), another room
  // on sfu-2 with one peer, and sfu-3 alive with nothing.
  StoredStats r1{"sfu-1", "ctl-a", {"algebra", 1000, {}}};
  bus::PeerStats ana{"ana",
                     {track("in", "video", "ana", 300000, 30, 2, 1500, -1),
                      track("in", "audio", "ana", 40000, 50, 0, 2500, -1),
                      track("out", "video", "ben", 250000, 28, 1, -1, 2000)}};
  r1.stats.peers.push_back(ana);
  StoredStats r2{"sfu-1", "ctl-b", {"algebra", 1000, {}}};
  bus::PeerStats ben{"ben\"x",
                     {track("in", "video", "ben\"x", 250000, 28, 0, 1000, -1),
                      track("out", "video", "ana", 300000, 30, 0, -1, 4000),
                      track("out", "audio", "ana", 40000, 50, 0, -1, 3000)}};
  r2.stats.peers.push_back(ben);
  StoredStats r3{"sfu-2", "ctl-a", {"physics", 1000, {bus::PeerStats{"cleo", {}}}}};
  std::vector<SfuNodeStatus> nodes{{"sfu-3", 0, 0, 0}, {"sfu-2", 1, 1, 1}, {"sfu-1", 5, 1, 2}};

  std::string text = ClusterMetrics::render(nodes, {r2, r3, r1});
  std::string err;
  auto t = parsePrometheus(text, &err);
  ASSERT_TRUE(t) << err << "\n" << text;
  EXPECT_EQ(text, ClusterMetrics::render(nodes, {r1, r2, r3})) << "order must not matter";

  EXPECT_EQ(t->value("carrel_room_participants", {{"room", "algebra"}}), 2);
  EXPECT_EQ(t->value("carrel_room_participants", {{"room", "physics"}}), 1);
  EXPECT_EQ(t->value("carrel_room_forwarded_streams", {{"room", "algebra"}}), 3);
  EXPECT_EQ(t->value("carrel_room_packets_per_second", {{"room", "algebra"}, {"direction", "in"}}),
            108);
  EXPECT_EQ(
      t->value("carrel_room_bitrate_bits_per_second", {{"room", "algebra"}, {"direction", "out"}}),
      590000);
  EXPECT_EQ(t->value("carrel_sfu_forwarded_streams", {{"sfu_node", "sfu-1"}}), 3);
  EXPECT_EQ(t->value("carrel_sfu_forwarded_streams", {{"sfu_node", "sfu-3"}}), 0);
  EXPECT_EQ(t->value("carrel_sfu_participants", {{"sfu_node", "sfu-1"}}), 2);
  EXPECT_EQ(t->value("carrel_sfu_load", {{"sfu_node", "sfu-1"}}), 5);
  EXPECT_EQ(t->select("carrel_sfu_up").size(), 3u);

  EXPECT_EQ(t->value("carrel_peer_bitrate_bits_per_second", {{"peer", "ana"}, {"direction", "in"}}),
            340000);
  EXPECT_EQ(t->value("carrel_peer_packets_lost_total", {{"peer", "ana"}, {"direction", "in"}}), 2);
  EXPECT_EQ(t->value("carrel_peer_jitter_seconds", {{"peer", "ana"}, {"direction", "in"}}), 0.0025);
  EXPECT_EQ(t->value("carrel_peer_round_trip_time_seconds", {{"peer", "ana"}}), 0.002);
  EXPECT_EQ(t->value("carrel_peer_round_trip_time_seconds", {{"peer", "ben\"x"}}), 0.004);
  EXPECT_FALSE(t->value("carrel_peer_round_trip_time_seconds", {{"peer", "cleo"}}));
  EXPECT_EQ(
      t->value("carrel_track_packets_total",
               {{"peer", "ben\"x"}, {"direction", "out"}, {"source", "ana"}, {"kind", "audio"}}),
      500);
  EXPECT_TRUE(t->select("carrel_track_jitter_seconds", {{"direction", "out"}}).empty());
  EXPECT_NE(text.find("peer=\"ben\\\"x\""), std::string::npos);
}
