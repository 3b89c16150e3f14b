// A real srtpenc answers a packet older than its replay window (128 by default) with
// GST_FLOW_ERROR and an element error, which tears an SFU's subscriber down; with
// SrtpReplayWindow the same late packet (a publisher's retransmission forwarded late) is sent.
#include <gst/gst.h>
#include <gtest/gtest.h>

#include "GstPtr.hpp"
#include "SequenceGaps.hpp"
#include "SrtpReplayWindow.hpp"

using namespace carrel;
using namespace carrel::sfu;

namespace {

class SfuSrtpReplayWindow : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { gst_init(nullptr, nullptr); }

  // pipeline: [our src pad] -> srtpenc (rtp_sink_0/rtp_src_0) -> fakesink
  void build(bool widened) {
    pipeline_.reset(gst_pipeline_new(nullptr));
    if (widened) SrtpReplayWindow::widen(pipeline_.get());
    GstElement* enc = gst_element_factory_make("srtpenc", nullptr);
    GstElement* sink = gst_element_factory_make("fakesink", nullptr);
    ASSERT_TRUE(enc && sink);
    guint8 key[30];
    for (guint8& k : key) k = 0x42;
    GstBuffer* keyBuffer = gst_buffer_new_memdup(key, sizeof key);
    g_object_set(enc, "key", keyBuffer, nullptr);
    gst_buffer_unref(keyBuffer);
    gst_bin_add_many(GST_BIN(pipeline_.get()), enc, sink, nullptr);
    g_object_get(enc, "replay-window-size", &window_, nullptr);
    GstPadPtr encSink(gst_element_request_pad_simple(enc, "rtp_sink_0"));
    GstPadPtr encSrc(gst_element_get_static_pad(enc, "rtp_src_0"));
    GstPadPtr sinkPad(gst_element_get_static_pad(sink, "sink"));
    ASSERT_EQ(gst_pad_link(encSrc.get(), sinkPad.get()), GST_PAD_LINK_OK);
    src_.reset(GST_PAD(gst_object_ref_sink(gst_pad_new("src", GST_PAD_SRC))));
    gst_pad_set_active(src_.get(), TRUE);
    ASSERT_EQ(gst_pad_link(src_.get(), encSink.get()), GST_PAD_LINK_OK);
    ASSERT_NE(gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
    gst_pad_push_event(src_.get(), gst_event_new_stream_start("srtp-window"));
    gst_pad_push_event(
        src_.get(), gst_event_new_caps(gst_caps_from_string("application/x-rtp,ssrc=(uint)4660")));
    GstSegment segment;
    gst_segment_init(&segment, GST_FORMAT_TIME);
    gst_pad_push_event(src_.get(), gst_event_new_segment(&segment));
  }

  void TearDown() override {
    if (pipeline_) gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
  }

  GstFlowReturn send(uint16_t seq) {
    guint8 p[112] = {0x80, 96};
    p[2] = static_cast<guint8>(seq >> 8);
    p[3] = static_cast<guint8>(seq);
    p[7] = static_cast<guint8>(seq);
    p[10] = 0x12;
    p[11] = 0x34;
    return gst_pad_push(src_.get(), gst_buffer_new_memdup(p, sizeof p));
  }

  // 1001..1000+late, then 1000 held back: late packets late.
  GstFlowReturn sendWithOneLate(int late) {
    for (int s = 1001; s <= 1000 + late; ++s) {
      GstFlowReturn r = send(static_cast<uint16_t>(s));
      if (r != GST_FLOW_OK) return r;
    }
    return send(1000);
  }

  GstElementPtr pipeline_;
  GstPadPtr src_;
  guint window_ = 0;
};

}  // namespace

TEST_F(SfuSrtpReplayWindow, DefaultWindowFailsALatePacket) {
  build(false);
  EXPECT_EQ(window_, 128u);
  EXPECT_EQ(sendWithOneLate(199), GST_FLOW_ERROR);
}

TEST_F(SfuSrtpReplayWindow, WidenedWindowSendsIt) {
  build(true);
  EXPECT_EQ(window_, SrtpReplayWindow::kPackets);
  EXPECT_EQ(sendWithOneLate(199), GST_FLOW_OK);
  EXPECT_EQ(send(1200), GST_FLOW_OK);
}

// SequenceGaps forwards a packet up to its window (1024) late.
TEST_F(SfuSrtpReplayWindow, WidenedWindowSendsWhateverThePublishSideForwardsLate) {
  build(true);
  EXPECT_EQ(sendWithOneLate(SequenceGaps::kWindow), GST_FLOW_OK);
}
