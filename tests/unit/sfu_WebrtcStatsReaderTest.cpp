// Reading get-stats replies: built here the way webrtcbin 1.22 builds them (one structure
// per stats id, typed with GstWebRTCStatsType), including the integer types it mixes.
#include <gst/gst.h>
#include <gst/webrtc/webrtc.h>
#include <gtest/gtest.h>

#include "GstPtr.hpp"
#include "WebrtcStatsReader.hpp"

using namespace carrel;
using namespace carrel::sfu;

namespace {

void add(GstStructure* reply, const char* id, GstWebRTCStatsType type, guint ssrc,
         GstStructure* fields) {
  gst_structure_set(fields, "type", GST_TYPE_WEBRTC_STATS_TYPE, type, "ssrc", G_TYPE_UINT, ssrc,
                    "id", G_TYPE_STRING, id, nullptr);
  gst_structure_set(reply, id, GST_TYPE_STRUCTURE, fields, nullptr);
  gst_structure_free(fields);
}

}  // namespace

TEST(WebrtcStatsReader, InboundAndOutboundWithRemoteReports) {
  gst_init(nullptr, nullptr);
  GstStructurePtr reply(gst_structure_new_empty("application/x-webrtc-stats"));
  add(reply.get(), "rtp-inbound-stream-stats_11", GST_WEBRTC_STATS_INBOUND_RTP, 11,
      gst_structure_new("x", "packets-received", G_TYPE_UINT64, G_GUINT64_CONSTANT(500),
                        "bytes-received", G_TYPE_UINT64, G_GUINT64_CONSTANT(400000), "packets-lost",
                        G_TYPE_INT, 4, "jitter", G_TYPE_DOUBLE, 0.003, nullptr));
  add(reply.get(), "rtp-outbound-stream-stats_22", GST_WEBRTC_STATS_OUTBOUND_RTP, 22,
      gst_structure_new("x", "packets-sent", G_TYPE_UINT64, G_GUINT64_CONSTANT(480), "bytes-sent",
                        G_TYPE_UINT64, G_GUINT64_CONSTANT(390000), nullptr));
  add(reply.get(), "rtp-remote-inbound-stream-stats_22", GST_WEBRTC_STATS_REMOTE_INBOUND_RTP, 22,
      gst_structure_new("x", "packets-lost", G_TYPE_INT, 2, "jitter", G_TYPE_DOUBLE, 0.004,
                        "round-trip-time", G_TYPE_DOUBLE, 0.0125, nullptr));
  add(reply.get(), "rtp-outbound-stream-stats_33", GST_WEBRTC_STATS_OUTBOUND_RTP, 33,
      gst_structure_new("x", "packets-sent", G_TYPE_UINT64, G_GUINT64_CONSTANT(7), nullptr));
  // Not RTP at all: skipped.
  gst_structure_set(reply.get(), "peer-connection-stats", G_TYPE_STRING, "x", nullptr);

  auto in = WebrtcStatsReader::read(reply.get(), true);
  ASSERT_EQ(in.size(), 1u);
  EXPECT_EQ(in[11].packets, 500u);
  EXPECT_EQ(in[11].bytes, 400000u);
  EXPECT_EQ(in[11].lost, 4);
  EXPECT_DOUBLE_EQ(in[11].jitterS, 0.003);
  EXPECT_EQ(in[11].rttS, -1);

  auto out = WebrtcStatsReader::read(reply.get(), false);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[22].packets, 480u);
  EXPECT_EQ(out[22].lost, 2);
  EXPECT_DOUBLE_EQ(out[22].rttS, 0.0125);
  EXPECT_DOUBLE_EQ(out[22].jitterS, 0.004);
  EXPECT_EQ(out[33].packets, 7u);
  EXPECT_EQ(out[33].rttS, -1) << "no receiver report for this SSRC yet";
  EXPECT_TRUE(WebrtcStatsReader::read(nullptr, true).empty());
}

namespace {

// One entry of rtpsession's "source-stats", with the fields sessionRtt reads.
void addSource(GValueArray* list, bool internal, bool haveRb, guint rtt16) {
  GstStructure* s = gst_structure_new("application/x-rtp-source-stats", "internal", G_TYPE_BOOLEAN,
                                      internal, "have-rb", G_TYPE_BOOLEAN, haveRb, "rb-round-trip",
                                      G_TYPE_UINT, rtt16, nullptr);
  GValue v = G_VALUE_INIT;
  g_value_init(&v, GST_TYPE_STRUCTURE);
  g_value_take_boxed(&v, s);
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  g_value_array_append(list, &v);
  G_GNUC_END_IGNORE_DEPRECATIONS
  g_value_unset(&v);
}

GstStructurePtr sessionStats(GValueArray* list) {
  GstStructurePtr s(gst_structure_new_empty("application/x-rtp-session-stats"));
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gst_structure_set(s.get(), "source-stats", g_value_array_get_type(), list, nullptr);
  g_value_array_free(list);
  G_GNUC_END_IGNORE_DEPRECATIONS
  return s;
}

}  // namespace

TEST(WebrtcStatsReader, SessionRttFromTheRemoteSourcesReport) {
  gst_init(nullptr, nullptr);
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  GValueArray* list = g_value_array_new(4);
  G_GNUC_END_IGNORE_DEPRECATIONS
  addSource(list, true, true, 0x8000);   // our own sender: never the figure
  addSource(list, false, false, 0x100);  // a receiver with no report yet
  addSource(list, false, true, 0);       // a report without LSR: rtpsource stores 0
  addSource(list, false, true, 0x0333);  // 0x333 / 65536 s = 12.5 ms
  auto stats = sessionStats(list);
  EXPECT_NEAR(WebrtcStatsReader::sessionRtt(stats.get()), 0.0125, 0.0001);

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  GValueArray* none = g_value_array_new(1);
  G_GNUC_END_IGNORE_DEPRECATIONS
  addSource(none, false, false, 0);
  auto empty = sessionStats(none);
  EXPECT_EQ(WebrtcStatsReader::sessionRtt(empty.get()), -1);
  EXPECT_EQ(WebrtcStatsReader::sessionRtt(nullptr), -1);
  EXPECT_EQ(WebrtcStatsReader::connectionRtt(nullptr), -1);
}
