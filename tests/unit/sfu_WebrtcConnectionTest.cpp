// WebrtcConnection::stop with a real webrtcbin: every task queued on webrtcbin's own thread
// before the stop (the stats collector's get-stats) has run before the element starts going
// down. In GStreamer 1.22.0 a get-stats running during PAUSED->READY walks rtpsession's source
// table while the state change empties it without the session's lock.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "Room.hpp"

using namespace carrel;
using namespace carrel::sfu;

namespace {

struct Answer {
  GstElement* webrtc = nullptr;
  std::atomic<bool> replied{false};
  std::atomic<bool> withStats{false};
  std::atomic<bool> beforeTeardown{false};
};

void onReply(GstPromise* promise, gpointer data) {
  auto* a = static_cast<Answer*>(data);
  const GstStructure* reply = gst_promise_get_reply(promise);
  a->withStats = reply && !gst_structure_has_field(reply, "error");
  // A stop in progress has set the pending state before any child changes state.
  GST_OBJECT_LOCK(a->webrtc);
  a->beforeTeardown = GST_STATE(a->webrtc) == GST_STATE_PLAYING &&
                      GST_STATE_PENDING(a->webrtc) == GST_STATE_VOID_PENDING;
  GST_OBJECT_UNLOCK(a->webrtc);
  a->replied = true;
}

}  // namespace

TEST(SfuWebrtcConnection, StopLetsQueuedStatsRequestsFinishBeforeTheElementGoesDown) {
  gst_init(nullptr, nullptr);
  auto room = std::make_shared<Room>("r1", IceSettings({"127.0.0.1"}, "", ""),
                                     [](const std::string&, const char*, JsonObjectPtr) {});
  std::string err;
  ASSERT_TRUE(room->start(&err)) << err;
  ASSERT_TRUE(room->addPeer("a", "ctl-1", &err)) << err;
  WebrtcConnection* conn = room->find("a")->connection("subscribe");
  ASSERT_NE(conn, nullptr);
  GstElement* webrtc = conn->webrtc();
  ASSERT_NE(webrtc, nullptr);
  gst_object_ref(webrtc);
  GstState state = GST_STATE_VOID_PENDING;
  ASSERT_NE(gst_element_get_state(webrtc, &state, nullptr, 5 * GST_SECOND),
            GST_STATE_CHANGE_FAILURE);
  ASSERT_EQ(state, GST_STATE_PLAYING);

  // Enough that webrtcbin's thread, woken by the first, is still working through them when
  // the main thread reaches the stop.
  constexpr int kRequests = 50;
  std::vector<std::unique_ptr<Answer>> answers;
  for (int i = 0; i < kRequests; ++i) {
    auto a = std::make_unique<Answer>();
    a->webrtc = webrtc;
    GstPromise* p = gst_promise_new_with_change_func(onReply, a.get(), nullptr);
    g_signal_emit_by_name(webrtc, "get-stats", nullptr, p);
    gst_promise_unref(p);
    answers.push_back(std::move(a));
  }
  ASSERT_TRUE(room->removePeer("a"));

  int replied = 0, withStats = 0, before = 0;
  for (const auto& a : answers) {
    replied += a->replied ? 1 : 0;
    withStats += a->withStats ? 1 : 0;
    before += a->beforeTeardown ? 1 : 0;
  }
  EXPECT_EQ(replied, kRequests);
  EXPECT_EQ(withStats, kRequests);
  EXPECT_EQ(before, kRequests);
  GST_OBJECT_LOCK(webrtc);
  GstState after = GST_STATE(webrtc);
  GST_OBJECT_UNLOCK(webrtc);
  EXPECT_EQ(after, GST_STATE_NULL);
  gst_object_unref(webrtc);
}
