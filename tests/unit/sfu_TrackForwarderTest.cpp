// TrackForwarder in a real (network-free) pipeline: a bare pad stands in for the publisher's
// webrtcbin pad, appsink for a subscriber branch.
#include <gst/app/app.h>
#include <gst/rtp/rtp.h>
#include <gst/video/video.h>
#include <gtest/gtest.h>

#include <atomic>

#include "CodecCaps.hpp"
#include "TrackForwarder.hpp"

using namespace carrel;
using namespace carrel::sfu;

namespace {

class SfuTrackForwarder : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { gst_init(nullptr, nullptr); }

  void SetUp() override {
    pipeline_.reset(GST_ELEMENT(gst_object_ref_sink(gst_pipeline_new(nullptr))));
    // A bare pad with sticky caps, as webrtcbin's src pad has when pad-added fires.
    srcPad_.reset(GST_PAD(gst_object_ref_sink(gst_pad_new("pubsrc", GST_PAD_SRC))));
    gst_pad_set_active(srcPad_.get(), TRUE);
    gst_pad_push_event(srcPad_.get(), gst_event_new_stream_start("pub-video0"));
    GstCapsPtr caps(gst_caps_from_string(
        "application/x-rtp, media=(string)video, payload=(int)100, clock-rate=(int)90000, "
        "encoding-name=(string)VP8, ssrc=(uint)4242, "
        "extmap-3=(string)urn:ietf:params:rtp-hdrext:sdes:mid"));
    gst_pad_push_event(srcPad_.get(), gst_event_new_caps(caps.get()));
    GstSegment segment;
    gst_segment_init(&segment, GST_FORMAT_TIME);
    gst_pad_push_event(srcPad_.get(), gst_event_new_segment(&segment));
    gst_pad_add_probe(srcPad_.get(), GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
                      &SfuTrackForwarder::countKeyUnits, &keyUnits_, nullptr);
    ASSERT_NE(gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
    track_ = TrackForwarder::create(pipeline_.get(), srcPad_.get(), "pub", "video0");
    ASSERT_TRUE(track_);
    sink_ = gst_element_factory_make("appsink", nullptr);
    g_object_set(sink_, "sync", FALSE, "emit-signals", FALSE, nullptr);
    gst_bin_add(GST_BIN(pipeline_.get()), sink_);
    gst_element_sync_state_with_parent(sink_);
    teeSrc_.reset(gst_element_request_pad_simple(track_->tee(), "src_%u"));
    sinkPad_.reset(gst_element_get_static_pad(sink_, "sink"));
    ASSERT_EQ(gst_pad_link(teeSrc_.get(), sinkPad_.get()), GST_PAD_LINK_OK);
  }

  void TearDown() override {
    if (track_) track_->teardown();
    gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
    gst_pad_set_active(srcPad_.get(), FALSE);
  }

  static GstPadProbeReturn countKeyUnits(GstPad*, GstPadProbeInfo* info, gpointer data) {
    GstEvent* e = GST_PAD_PROBE_INFO_EVENT(info);
    if (e && gst_video_event_is_force_key_unit(e)) {
      const GstStructure* s = gst_event_get_structure(e);
      guint ssrc = 0, payload = 0;
      // The publisher's rtpsession acts only on its own ssrc and payload.
      if (gst_structure_get_uint(s, "ssrc", &ssrc) && ssrc == 4242 &&
          gst_structure_get_uint(s, "payload", &payload) && payload == 100) {
        ++*static_cast<std::atomic<int>*>(data);
      }
    }
    return GST_PAD_PROBE_OK;
  }

  void pushRtp(guint8 pt) {
    GstBuffer* b = gst_rtp_buffer_new_allocate(10, 0, 0);
    GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
    gst_rtp_buffer_map(b, GST_MAP_WRITE, &rtp);
    gst_rtp_buffer_set_payload_type(&rtp, pt);
    gst_rtp_buffer_set_ssrc(&rtp, 4242);
    gst_rtp_buffer_unmap(&rtp);
    ASSERT_EQ(gst_pad_push(srcPad_.get(), b), GST_FLOW_OK);
  }

  void iterateFor(int ms) {
    gint64 end = g_get_monotonic_time() + ms * 1000;
    while (g_get_monotonic_time() < end) {
      g_main_context_iteration(nullptr, FALSE);
      g_usleep(2000);
    }
  }

  GstElementPtr pipeline_;
  GstElement* sink_ = nullptr;
  GstPadPtr srcPad_, teeSrc_, sinkPad_;
  std::shared_ptr<TrackForwarder> track_;
  std::atomic<int> keyUnits_{0};
};

}  // namespace

TEST_F(SfuTrackForwarder, RewritesPayloadTypeAndCaps) {
  EXPECT_EQ(track_->kind(), "video");
  EXPECT_EQ(track_->trackId(), "video0");
  pushRtp(100);
  GstSample* raw = gst_app_sink_try_pull_sample(GST_APP_SINK(sink_), 5 * GST_SECOND);
  ASSERT_NE(raw, nullptr);
  std::unique_ptr<GstSample, decltype(&gst_sample_unref)> sample(raw, gst_sample_unref);
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  ASSERT_TRUE(gst_rtp_buffer_map(gst_sample_get_buffer(raw), GST_MAP_READ, &rtp));
  EXPECT_EQ(gst_rtp_buffer_get_payload_type(&rtp), kVp8Payload);
  EXPECT_EQ(gst_rtp_buffer_get_ssrc(&rtp), 4242u);
  gst_rtp_buffer_unmap(&rtp);
  const GstStructure* s = gst_caps_get_structure(gst_sample_get_caps(raw), 0);
  gint pt = 0;
  ASSERT_TRUE(gst_structure_get_int(s, "payload", &pt));
  EXPECT_EQ(pt, kVp8Payload);
  EXPECT_FALSE(gst_structure_has_field(s, "extmap-3"));
  guint ssrc = 0;
  EXPECT_TRUE(gst_structure_get_uint(s, "ssrc", &ssrc) && ssrc == 4242);
}

TEST_F(SfuTrackForwarder, ThrottlesKeyframeRequestsButKeepsTheLast) {
  pushRtp(100);  // let the pads negotiate and the stream start
  GstSample* raw = gst_app_sink_try_pull_sample(GST_APP_SINK(sink_), 5 * GST_SECOND);
  ASSERT_NE(raw, nullptr);
  gst_sample_unref(raw);
  // A subscriber's PLI travels upstream from its branch; three in a burst.
  for (int i = 0; i < 3; ++i) {
    gst_pad_push_event(sinkPad_.get(),
                       gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, TRUE, 0));
  }
  EXPECT_EQ(keyUnits_.load(), 1) << "the burst must reach the publisher once at first";
  iterateFor(200);
  EXPECT_EQ(keyUnits_.load(), 1) << "nothing more inside the 500 ms window";
  iterateFor(600);
  EXPECT_EQ(keyUnits_.load(), 2) << "one deferred request at the end of the window";
  EXPECT_EQ(track_->keyframeRequests(), 2u);
  track_->requestKeyframe();  // the SFU's own request (late subscriber) after the window
  iterateFor(700);
  EXPECT_EQ(keyUnits_.load(), 3);
  iterateFor(600);
  EXPECT_EQ(keyUnits_.load(), 3) << "no request invented when nobody asked";
}
