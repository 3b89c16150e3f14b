// The receive side's shortcuts in real (network-free) pipelines: ChainPast::pastGhosts past
// nested ghost pads shaped like webrtcbin's (an element inside a bin inside a bin),
// TrackForwarder::skipGhostPads on a publisher pad that is such a ghost pad, and
// ReceiveChainShortcut::keepNoFecStorage on a real webrtcbin's rtpbin.
#include <gst/app/app.h>
#include <gst/rtp/rtp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>

#include "ChainPast.hpp"
#include "GstPtr.hpp"
#include "ReceiveChainShortcut.hpp"
#include "TrackForwarder.hpp"
#include "WebrtcbinRtpbin.hpp"

using namespace carrel;
using namespace carrel::sfu;

namespace {

GstPadProbeReturn countBuffer(GstPad*, GstPadProbeInfo*, gpointer data) {
  ++*static_cast<std::atomic<int>*>(data);
  return GST_PAD_PROBE_OK;
}

// pipeline [ outer [ inner [ identity ] ] ] with ghost src pads on inner and outer, as
// rtpbin's and webrtcbin's around the element that makes a received track's packets.
class SfuReceiveChain : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { gst_init(nullptr, nullptr); }

  void SetUp() override {
    pipeline_.reset(GST_ELEMENT(gst_object_ref_sink(gst_pipeline_new(nullptr))));
    GstElement* outer = gst_bin_new("outer");
    GstElement* inner = gst_bin_new("inner");
    identity_ = gst_element_factory_make("identity", nullptr);
    ASSERT_TRUE(identity_);
    gst_bin_add(GST_BIN(inner), identity_);
    gst_bin_add(GST_BIN(outer), inner);
    gst_bin_add(GST_BIN(pipeline_.get()), outer);
    GstPadPtr idSrc(gst_element_get_static_pad(identity_, "src"));
    GstPad* innerGhost = gst_ghost_pad_new("src", idSrc.get());
    gst_element_add_pad(inner, innerGhost);
    GstPad* outerGhost = gst_ghost_pad_new("src_0", innerGhost);
    gst_element_add_pad(outer, outerGhost);
    innerGhost_ = innerGhost;
    outerGhost_ = outerGhost;
    gst_pad_add_probe(innerGhost, GST_PAD_PROBE_TYPE_BUFFER, &countBuffer, &throughGhosts_,
                      nullptr);
    gst_pad_add_probe(outerGhost, GST_PAD_PROBE_TYPE_BUFFER, &countBuffer, &throughGhosts_,
                      nullptr);
    feed_.reset(GST_PAD(gst_object_ref_sink(gst_pad_new("feed", GST_PAD_SRC))));
    GstPadPtr idSink(gst_element_get_static_pad(identity_, "sink"));
    ASSERT_EQ(gst_pad_link(feed_.get(), idSink.get()), GST_PAD_LINK_OK);
    ASSERT_NE(gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
    gst_pad_set_active(feed_.get(), TRUE);
    gst_pad_push_event(feed_.get(), gst_event_new_stream_start("pub-video0"));
    GstCapsPtr caps(gst_caps_from_string(
        "application/x-rtp, media=(string)video, payload=(int)100, clock-rate=(int)90000, "
        "encoding-name=(string)VP8, ssrc=(uint)4242"));
    gst_pad_push_event(feed_.get(), gst_event_new_caps(caps.get()));
    GstSegment segment;
    gst_segment_init(&segment, GST_FORMAT_TIME);
    gst_pad_push_event(feed_.get(), gst_event_new_segment(&segment));
  }

  void TearDown() override {
    gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
    gst_pad_set_active(feed_.get(), FALSE);
  }

  GstElement* addAppsink() {
    GstElement* sink = gst_element_factory_make("appsink", nullptr);
    g_object_set(sink, "sync", FALSE, "emit-signals", FALSE, nullptr);
    gst_bin_add(GST_BIN(pipeline_.get()), sink);
    gst_element_sync_state_with_parent(sink);
    return sink;
  }

  GstFlowReturn pushRtp(guint16 seq) {
    GstBuffer* b = gst_rtp_buffer_new_allocate(10, 0, 0);
    GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
    gst_rtp_buffer_map(b, GST_MAP_WRITE, &rtp);
    gst_rtp_buffer_set_payload_type(&rtp, 100);
    gst_rtp_buffer_set_ssrc(&rtp, 4242);
    gst_rtp_buffer_set_seq(&rtp, seq);
    gst_rtp_buffer_unmap(&rtp);
    return gst_pad_push(feed_.get(), b);
  }

  static int pulled(GstElement* appsink) {
    int n = 0;
    while (GstSample* s = gst_app_sink_try_pull_sample(GST_APP_SINK(appsink), GST_SECOND / 2)) {
      gst_sample_unref(s);
      ++n;
    }
    return n;
  }

  GstElementPtr pipeline_;
  GstElement* identity_ = nullptr;
  GstPad* innerGhost_ = nullptr;
  GstPad* outerGhost_ = nullptr;
  GstPadPtr feed_;
  std::atomic<int> throughGhosts_{0};
};

}  // namespace

TEST_F(SfuReceiveChain, BuffersGoPastNestedGhostPadsEventsAndFlowReturnsDoNot) {
  GstElement* sink = addAppsink();
  GstPadPtr sinkPad(gst_element_get_static_pad(sink, "sink"));
  ASSERT_EQ(gst_pad_link(outerGhost_, sinkPad.get()), GST_PAD_LINK_OK);
  GstPadPtr idSrc(gst_element_get_static_pad(identity_, "src"));

  // The ghost pads' probes see what takes the linked path.
  ASSERT_EQ(pushRtp(1), GST_FLOW_OK);
  EXPECT_EQ(throughGhosts_.load(), 2);

  auto counted = std::make_shared<std::atomic<guint64>>(0);
  ASSERT_NE(ChainPast::pastGhosts(idSrc.get(), counted), 0u);
  for (guint16 seq = 2; seq <= 11; ++seq) ASSERT_EQ(pushRtp(seq), GST_FLOW_OK);
  EXPECT_EQ(throughGhosts_.load(), 2) << "a buffer went through the ghost pads";
  EXPECT_EQ(counted->load(), 10u);
  EXPECT_EQ(pulled(sink), 11);
  // Sticky events went the linked way, so the sink has the caps the feed sent.
  GstCapsPtr caps(gst_pad_get_current_caps(sinkPad.get()));
  ASSERT_TRUE(caps);
  const GstStructure* s = gst_caps_get_structure(caps.get(), 0);
  guint ssrc = 0;
  EXPECT_TRUE(gst_structure_get_uint(s, "ssrc", &ssrc) && ssrc == 4242u);
  // The sink pad's flow return comes back to the pusher.
  gst_pad_set_active(sinkPad.get(), FALSE);
  EXPECT_EQ(pushRtp(12), GST_FLOW_FLUSHING);
}

TEST_F(SfuReceiveChain, NothingToSkipWhenLinkedDirectly) {
  GstElement* sink = addAppsink();
  GstPadPtr sinkPad(gst_element_get_static_pad(sink, "sink"));
  ASSERT_EQ(gst_pad_link(outerGhost_, sinkPad.get()), GST_PAD_LINK_OK);
  // feed -> identity's sink is a direct link; an unlinked pad has nowhere to go.
  EXPECT_EQ(ChainPast::pastGhosts(feed_.get()), 0u);
  GstPadPtr loose(GST_PAD(gst_object_ref_sink(gst_pad_new("loose", GST_PAD_SRC))));
  EXPECT_EQ(ChainPast::pastGhosts(loose.get()), 0u);
}

TEST_F(SfuReceiveChain, TrackForwarderTakesPacketsPastThePublishersGhostPadsUntilTeardown) {
  auto track = TrackForwarder::create(pipeline_.get(), outerGhost_, "pub", "video0");
  ASSERT_TRUE(track);
  GstElement* sink = addAppsink();
  GstPadPtr teeSrc(gst_element_request_pad_simple(track->tee(), "src_%u"));
  GstPadPtr sinkPad(gst_element_get_static_pad(sink, "sink"));
  ASSERT_EQ(gst_pad_link(teeSrc.get(), sinkPad.get()), GST_PAD_LINK_OK);

  track->skipGhostPads();
  for (guint16 seq = 1; seq <= 10; ++seq) ASSERT_EQ(pushRtp(seq), GST_FLOW_OK);
  EXPECT_EQ(throughGhosts_.load(), 0) << "a buffer went through the ghost pads";
  EXPECT_EQ(track->packets(), 10u) << "the tee's probe must still see every packet";
  EXPECT_EQ(pulled(sink), 10);

  // After teardown the publisher's pad is unlinked and the shortcut gone with it: a packet
  // takes the ghost pads again and finds nothing linked (no tee fed after its removal).
  track->teardown();
  EXPECT_EQ(pushRtp(11), GST_FLOW_NOT_LINKED);
  EXPECT_EQ(throughGhosts_.load(), 2);
}

TEST(SfuReceiveChainShortcut, PublishConnectionsKeepNoPacketsForFecTheyNeverNegotiate) {
  gst_init(nullptr, nullptr);
  auto storageTime = [](bool withoutFecStorage) -> guint64 {
    GstElementPtr webrtc(
        GST_ELEMENT(gst_object_ref_sink(gst_element_factory_make("webrtcbin", nullptr))));
    if (!webrtc) return G_MAXUINT64;
    GstElementPtr rtpbin = webrtcbinRtpbin(webrtc.get());
    if (!rtpbin) return G_MAXUINT64;
    if (withoutFecStorage) ReceiveChainShortcut::keepNoFecStorage(rtpbin.get());
    // A session (and its storage) comes with its first pad, as when webrtcbin links a
    // transport's receive bin.
    GstPadPtr pad(gst_element_request_pad_simple(rtpbin.get(), "recv_rtp_sink_0"));
    GObject* storage = nullptr;
    g_signal_emit_by_name(rtpbin.get(), "get-storage", 0u, &storage);
    if (!storage) return G_MAXUINT64;
    guint64 sizeTime = 0;
    g_object_get(storage, "size-time", &sizeTime, nullptr);
    g_object_unref(storage);
    gst_element_release_request_pad(rtpbin.get(), pad.get());
    return sizeTime;
  };
  // webrtcbin sizes it for its jitterbuffer latency + 50 ms.
  EXPECT_GE(storageTime(false), 200 * GST_MSECOND);
  EXPECT_EQ(storageTime(true), 0u);
}
