// SendChainShortcut::funnelBypass and BranchFuse with a SendCombiner, in a real pipeline
// shaped like a subscribe webrtcbin's send side: a bin whose ghost sink pad targets an
// rtpfunnel sink pad (as after the shortcut), the funnel feeding an appsink (standing in for
// rtpbin's send_rtp_sink). A bare src pad stands in for a tee src pad.
#include <gst/app/app.h>
#include <gst/rtp/rtp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>

#include "BranchFuse.hpp"
#include "GstPtr.hpp"
#include "SendChainShortcut.hpp"
#include "SendCombiner.hpp"

using namespace carrel;
using namespace carrel::sfu;

namespace {

class SfuFunnelBypass : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { gst_init(nullptr, nullptr); }

  void SetUp() override {
    pipeline_.reset(GST_ELEMENT(gst_object_ref_sink(gst_pipeline_new(nullptr))));
    GstElement* bin = gst_bin_new("webrtc");
    funnel_ = gst_element_factory_make("rtpfunnel", nullptr);
    sink_ = gst_element_factory_make("appsink", nullptr);
    ASSERT_TRUE(funnel_ && sink_);
    g_object_set(sink_, "sync", FALSE, "async", FALSE, nullptr);
    gst_bin_add_many(GST_BIN(bin), funnel_, sink_, nullptr);
    ASSERT_TRUE(gst_element_link(funnel_, sink_));
    gst_bin_add(GST_BIN(pipeline_.get()), bin);
    bin_ = bin;
    GstPadPtr funnelSrc(gst_element_get_static_pad(funnel_, "src"));
    gst_pad_add_probe(
        funnelSrc.get(), GST_PAD_PROBE_TYPE_BUFFER,
        [](GstPad*, GstPadProbeInfo*, gpointer d) {
          ++*static_cast<std::atomic<int>*>(d);
          return GST_PAD_PROBE_OK;
        },
        &throughFunnel_, nullptr);
    ASSERT_NE(gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
  }

  void TearDown() override {
    for (auto& p : srcs_) gst_pad_set_active(p.get(), FALSE);
    gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
  }

  // A webrtcbin-like ghost sink pad on the bin targeting a new funnel sink pad, fed by a
  // bare src pad through a fuse (with combiner_).
  GstPad* addBranch(const char* name, guint ssrc, guint64 segmentStart = 0) {
    GstPadPtr funnelSink(gst_element_request_pad_simple(funnel_, "sink_%u"));
    GstPad* ghost = gst_ghost_pad_new(name, funnelSink.get());
    gst_pad_set_active(ghost, TRUE);
    gst_element_add_pad(bin_, ghost);
    GstPadPtr src(GST_PAD(gst_object_ref_sink(gst_pad_new(nullptr, GST_PAD_SRC))));
    EXPECT_EQ(gst_pad_link(src.get(), ghost), GST_PAD_LINK_OK);
    BranchFuse::attach(src.get(), nullptr, combiner_);
    gst_pad_set_active(src.get(), TRUE);
    gst_pad_push_event(src.get(), gst_event_new_stream_start(name));
    gchar* desc = g_strdup_printf(
        "application/x-rtp, media=(string)video, payload=(int)96, clock-rate=(int)90000, "
        "encoding-name=(string)VP8, ssrc=(uint)%u",
        ssrc);
    GstCapsPtr caps(gst_caps_from_string(desc));
    g_free(desc);
    gst_pad_push_event(src.get(), gst_event_new_caps(caps.get()));
    GstSegment seg;
    gst_segment_init(&seg, GST_FORMAT_TIME);
    seg.start = segmentStart;
    seg.time = segmentStart;
    gst_pad_push_event(src.get(), gst_event_new_segment(&seg));
    srcs_.push_back(std::move(src));
    return srcs_.back().get();
  }

  static GstBuffer* rtp(guint ssrc, guint16 seq) {
    GstBuffer* b = gst_rtp_buffer_new_allocate(10, 0, 0);
    GstRTPBuffer r = GST_RTP_BUFFER_INIT;
    gst_rtp_buffer_map(b, GST_MAP_WRITE, &r);
    gst_rtp_buffer_set_payload_type(&r, 96);
    gst_rtp_buffer_set_ssrc(&r, ssrc);
    gst_rtp_buffer_set_seq(&r, seq);
    gst_rtp_buffer_unmap(&r);
    return b;
  }

  int received() {
    int n = 0;
    while (GstSample* s = gst_app_sink_try_pull_sample(GST_APP_SINK(sink_), 0)) {
      gst_sample_unref(s);
      ++n;
    }
    return n;
  }

  GstElementPtr pipeline_;
  GstElement* bin_ = nullptr;
  GstElement* funnel_ = nullptr;
  GstElement* sink_ = nullptr;
  std::vector<GstPadPtr> srcs_;
  std::shared_ptr<SendCombiner> combiner_ = std::make_shared<SendCombiner>();
  std::atomic<int> throughFunnel_{0};
};

}  // namespace

TEST_F(SfuFunnelBypass, PacketsSkipTheFunnelOnceItHasSentCapsAndTheSameSegment) {
  GstPad* video = addBranch("sink_0", 1111);
  GstPad* audio = addBranch("sink_1", 2222);
  GstPad* ghost = gst_element_get_static_pad(bin_, "sink_0");
  // Nothing went down yet: the funnel has sent no caps, no bypass.
  EXPECT_EQ(SendChainShortcut::funnelBypass(ghost), nullptr);
  ASSERT_EQ(gst_pad_push(video, rtp(1111, 1)), GST_FLOW_OK);
  EXPECT_EQ(throughFunnel_.load(), 1);
  GstPadPtr past = SendChainShortcut::funnelBypass(ghost);
  GstPadPtr appsinkPad(gst_element_get_static_pad(sink_, "sink"));
  EXPECT_EQ(past.get(), appsinkPad.get());
  gst_object_unref(ghost);
  // Alternating pads, as audio and video do: every packet arrives, none through the funnel.
  for (guint16 i = 2; i < 12; ++i) {
    ASSERT_EQ(gst_pad_push(i % 2 ? audio : video, rtp(i % 2 ? 2222 : 1111, i)), GST_FLOW_OK);
  }
  EXPECT_EQ(received(), 11);
  EXPECT_EQ(throughFunnel_.load(), 1);
  EXPECT_EQ(combiner_->counters().sent, 11u);
}

TEST_F(SfuFunnelBypass, ABranchWithASegmentOfItsOwnKeepsTheFunnel) {
  GstPad* video = addBranch("sink_0", 1111);
  GstPad* other = addBranch("sink_1", 3333, 5 * GST_SECOND);
  ASSERT_EQ(gst_pad_push(video, rtp(1111, 1)), GST_FLOW_OK);
  GstPad* ghost = gst_element_get_static_pad(bin_, "sink_1");
  EXPECT_EQ(SendChainShortcut::funnelBypass(ghost), nullptr);
  gst_object_unref(ghost);
  // The first packet of the other branch finds the video's segment downstream: the
  // connection is mixed, and every packet of both branches takes the funnel from then on.
  for (guint16 i = 0; i < 5; ++i) {
    ASSERT_EQ(gst_pad_push(other, rtp(3333, i)), GST_FLOW_OK);
    ASSERT_EQ(gst_pad_push(video, rtp(1111, i + 2)), GST_FLOW_OK);
  }
  EXPECT_TRUE(combiner_->mixedSegments());
  EXPECT_EQ(received(), 11);
  EXPECT_EQ(throughFunnel_.load(), 11) << "the funnel re-sends each branch's segment: kept";
}

TEST_F(SfuFunnelBypass, NoBypassWhenTheSinkPadDoesNotFeedAFunnel) {
  // A ghost pad targeting the appsink directly (like webrtcbin's pad before the shortcut,
  // whose target is clocksync).
  GstElement* bin = gst_bin_new(nullptr);
  GstElement* sink = gst_element_factory_make("appsink", nullptr);
  gst_bin_add(GST_BIN(bin), sink);
  GstPadPtr sinkPad(gst_element_get_static_pad(sink, "sink"));
  GstPad* ghost = gst_ghost_pad_new("sink", sinkPad.get());
  gst_element_add_pad(bin, ghost);
  EXPECT_EQ(SendChainShortcut::funnelBypass(ghost), nullptr);
  gst_object_unref(gst_object_ref_sink(bin));
}
