// PassThroughJitterbuffer in a real (network-free) pipeline: a bare pad stands in for rtpbin's
// ssrcdemux, appsink for the publisher's webrtcbin src pad.
#include <gst/app/app.h>
#include <gst/rtp/rtp.h>
#include <gtest/gtest.h>

#include <mutex>
#include <vector>

#include "GstPtr.hpp"
#include "PassThroughJitterbuffer.hpp"

using namespace carrel;
using namespace carrel::sfu;

namespace {

class SfuPassThroughJitterbuffer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { gst_init(nullptr, nullptr); }

  void SetUp() override {
    pipeline_.reset(GST_ELEMENT(gst_object_ref_sink(gst_pipeline_new(nullptr))));
    jb_ = PassThroughJitterbuffer::create();
    sink_ = gst_element_factory_make("appsink", nullptr);
    ASSERT_TRUE(jb_ && sink_);
    g_object_set(sink_, "sync", FALSE, "async", FALSE, "max-buffers", 0u, nullptr);
    gst_bin_add_many(GST_BIN(pipeline_.get()), jb_, sink_, nullptr);
    ASSERT_TRUE(gst_element_link(jb_, sink_));
    src_.reset(GST_PAD(gst_object_ref_sink(gst_pad_new("demux", GST_PAD_SRC))));
    gst_pad_set_event_function(src_.get(), &SfuPassThroughJitterbuffer::onUpstream);
    gst_pad_set_element_private(src_.get(), this);
    GstPadPtr sinkPad(gst_element_get_static_pad(jb_, "sink"));
    ASSERT_EQ(gst_pad_link(src_.get(), sinkPad.get()), GST_PAD_LINK_OK);
    ASSERT_NE(gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
    gst_pad_set_active(src_.get(), TRUE);
    gst_pad_push_event(src_.get(), gst_event_new_stream_start("pub"));
    GstCapsPtr caps(gst_caps_from_string(
        "application/x-rtp, media=(string)video, payload=(int)96, clock-rate=(int)90000, "
        "encoding-name=(string)VP8"));
    gst_pad_push_event(src_.get(), gst_event_new_caps(caps.get()));
    GstSegment seg;
    gst_segment_init(&seg, GST_FORMAT_TIME);
    gst_pad_push_event(src_.get(), gst_event_new_segment(&seg));
  }

  void TearDown() override {
    if (pipeline_) gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
  }

  static gboolean onUpstream(GstPad* pad, GstObject*, GstEvent* event) {
    auto* self = static_cast<SfuPassThroughJitterbuffer*>(gst_pad_get_element_private(pad));
    const GstStructure* s = gst_event_get_structure(event);
    guint seq = 0, ssrc = 0;
    if (GST_EVENT_TYPE(event) == GST_EVENT_CUSTOM_UPSTREAM && s &&
        gst_structure_has_name(s, "GstRTPRetransmissionRequest") &&
        gst_structure_get_uint(s, "seqnum", &seq) && gst_structure_get_uint(s, "ssrc", &ssrc)) {
      std::lock_guard lock(self->mu_);
      self->requests_.push_back(seq);
      self->requestSsrc_ = ssrc;
    }
    gst_event_unref(event);
    return TRUE;
  }

  GstFlowReturn push(uint16_t seq, GstClockTime dts) {
    GstBuffer* b = gst_rtp_buffer_new_allocate(10, 0, 0);
    GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
    gst_rtp_buffer_map(b, GST_MAP_WRITE, &rtp);
    gst_rtp_buffer_set_seq(&rtp, seq);
    gst_rtp_buffer_set_ssrc(&rtp, 0x1234abcd);
    gst_rtp_buffer_set_payload_type(&rtp, 96);
    gst_rtp_buffer_unmap(&rtp);
    GST_BUFFER_DTS(b) = dts;
    return gst_pad_push(src_.get(), b);
  }

  // Sequence numbers (and PTS) of what came out.
  std::vector<std::pair<uint16_t, GstClockTime>> pulled() {
    std::vector<std::pair<uint16_t, GstClockTime>> out;
    while (GstSample* s = gst_app_sink_try_pull_sample(GST_APP_SINK(sink_), 0)) {
      GstBuffer* b = gst_sample_get_buffer(s);
      GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
      if (gst_rtp_buffer_map(b, GST_MAP_READ, &rtp)) {
        out.emplace_back(gst_rtp_buffer_get_seq(&rtp), GST_BUFFER_PTS(b));
        gst_rtp_buffer_unmap(&rtp);
      }
      gst_sample_unref(s);
    }
    return out;
  }

  GstElementPtr pipeline_;
  GstElement* jb_ = nullptr;
  GstElement* sink_ = nullptr;
  GstPadPtr src_;
  std::mutex mu_;
  std::vector<guint> requests_;
  guint requestSsrc_ = 0;
};

}  // namespace

TEST_F(SfuPassThroughJitterbuffer, ForwardsAtOnceInArrivalOrderWithAPts) {
  ASSERT_EQ(push(10, 1 * GST_MSECOND), GST_FLOW_OK);
  ASSERT_EQ(push(12, 2 * GST_MSECOND), GST_FLOW_OK);
  ASSERT_EQ(push(11, 3 * GST_MSECOND), GST_FLOW_OK);  // late: forwarded, not held for order
  auto out = pulled();
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].first, 10);
  EXPECT_EQ(out[1].first, 12);
  EXPECT_EQ(out[2].first, 11);
  EXPECT_EQ(out[2].second, 3 * GST_MSECOND);  // the arrival time (DTS) as PTS
}

TEST_F(SfuPassThroughJitterbuffer, DropsDuplicates) {
  push(10, 0);
  push(10, 0);
  push(11, 0);
  EXPECT_EQ(pulled().size(), 2u);
  GstStructure* stats = nullptr;
  g_object_get(jb_, "stats", &stats, nullptr);
  ASSERT_TRUE(stats);
  guint64 dup = 0, pushed = 0;
  EXPECT_TRUE(gst_structure_get_uint64(stats, "num-duplicates", &dup));
  EXPECT_TRUE(gst_structure_get_uint64(stats, "num-pushed", &pushed));
  gst_structure_free(stats);
  EXPECT_EQ(dup, 1u);
  EXPECT_EQ(pushed, 2u);
}

TEST_F(SfuPassThroughJitterbuffer, AsksUpstreamForAGapOnlyWithRetransmission) {
  push(1, 0);
  push(3, 0);
  {
    std::lock_guard lock(mu_);
    EXPECT_TRUE(requests_.empty());  // do-retransmission is off by default, as in rtpjitterbuffer
  }
  g_object_set(jb_, "do-retransmission", TRUE, nullptr);
  push(6, 0);
  std::lock_guard lock(mu_);
  EXPECT_EQ(requests_, (std::vector<guint>{4, 5}));
  EXPECT_EQ(requestSsrc_, 0x1234abcdu);
}

TEST_F(SfuPassThroughJitterbuffer, HasWhatRtpbinAndWebrtcbinSetAndRead) {
  g_object_set(jb_, "latency", 20u, "do-retransmission", TRUE, nullptr);
  guint latency = 0;
  g_object_get(jb_, "latency", &latency, nullptr);
  EXPECT_EQ(latency, 20u);
  GstPadPtr rtcp(gst_element_request_pad_simple(jb_, "sink_rtcp"));
  ASSERT_TRUE(rtcp);
  // RTCP (sender reports) ends here, accepted.
  GstPadPtr feeder(GST_PAD(gst_object_ref_sink(gst_pad_new("rtcp", GST_PAD_SRC))));
  ASSERT_EQ(gst_pad_link(feeder.get(), rtcp.get()), GST_PAD_LINK_OK);
  gst_pad_set_active(feeder.get(), TRUE);
  gst_pad_push_event(feeder.get(), gst_event_new_stream_start("rtcp"));
  EXPECT_EQ(gst_pad_push(feeder.get(), gst_buffer_new_allocate(nullptr, 8, nullptr)), GST_FLOW_OK);
  gst_element_release_request_pad(jb_, rtcp.get());
}

TEST_F(SfuPassThroughJitterbuffer, AnEndedTrackDoesNotEndTheBundleUpstream) {
  ASSERT_EQ(push(1, 0), GST_FLOW_OK);
  EXPECT_EQ(pulled().size(), 1u);  // appsink holds EOS back until what it queued is taken
  // The track's m-line was made inactive: downstream of the jitterbuffer it is EOS from now
  // on (webrtcbin sends EOS out of the publisher's src pad; upstream knows nothing of it).
  GstPadPtr sinkIn(gst_element_get_static_pad(sink_, "sink"));
  ASSERT_TRUE(gst_pad_send_event(sinkIn.get(), gst_event_new_eos()));
  // A packet still in flight: dropped, and upstream (the bundle's receive path) carries on.
  EXPECT_EQ(push(2, 0), GST_FLOW_OK);
  GstPadPtr out(gst_element_get_static_pad(jb_, "src"));
  EXPECT_EQ(gst_pad_get_last_flow_return(out.get()), GST_FLOW_EOS);
}
