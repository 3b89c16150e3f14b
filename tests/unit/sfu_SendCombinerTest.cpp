// SendCombiner with real pads and real threads: bare sink pads whose chain function records
// what arrives (and can be held, standing in for a send that takes long).
#include <gst/gst.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "BranchFuse.hpp"
#include "GstPtr.hpp"
#include "SendCombiner.hpp"

using namespace carrel;
using namespace carrel::sfu;

namespace {

constexpr auto kLong = std::chrono::seconds(10);

// A sink pad recording (pad, offset) of each buffer; it can hold the thread chaining into it
// until released, and return a chosen flow.
class Receiver {
 public:
  Receiver() {
    for (auto& p : pads_) {
      p.reset(GST_PAD(gst_object_ref_sink(gst_pad_new(nullptr, GST_PAD_SINK))));
      gst_pad_set_chain_function(p.get(), &Receiver::onChain);
      gst_pad_set_element_private(p.get(), this);
      gst_pad_set_active(p.get(), TRUE);
    }
  }
  ~Receiver() {
    for (auto& p : pads_) gst_pad_set_active(p.get(), FALSE);
  }
  GstPad* pad(int i) { return pads_[i].get(); }

  void holdNext() {
    std::lock_guard lock(mu_);
    hold_ = true;
  }
  bool waitHeld() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kLong, [&] { return held_; });
  }
  void release() {
    std::lock_guard lock(mu_);
    hold_ = false;
    held_ = false;
    cv_.notify_all();
  }
  void setFlow(GstFlowReturn f) { flow_ = f; }
  bool waitCount(size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kLong, [&] { return got_.size() >= n; });
  }
  std::vector<std::pair<int, guint64>> got() {
    std::lock_guard lock(mu_);
    return got_;
  }
  std::vector<std::thread::id> threads() {
    std::lock_guard lock(mu_);
    return threads_;
  }

 private:
  static GstFlowReturn onChain(GstPad* pad, GstObject*, GstBuffer* buffer) {
    auto* self = static_cast<Receiver*>(gst_pad_get_element_private(pad));
    std::unique_lock lock(self->mu_);
    int which = pad == self->pads_[0].get() ? 0 : 1;
    self->got_.emplace_back(which, GST_BUFFER_OFFSET(buffer));
    self->threads_.push_back(std::this_thread::get_id());
    gst_buffer_unref(buffer);
    if (self->hold_) {
      self->held_ = true;
      self->cv_.notify_all();
      self->cv_.wait_for(lock, kLong, [&] { return !self->hold_; });
    }
    self->cv_.notify_all();
    return self->flow_.load();
  }

  GstPadPtr pads_[2];
  std::mutex mu_;
  std::condition_variable cv_;
  bool hold_ = false;
  bool held_ = false;
  std::atomic<GstFlowReturn> flow_{GST_FLOW_OK};
  std::vector<std::pair<int, guint64>> got_;
  std::vector<std::thread::id> threads_;
};

GstPadPtr ref(GstPad* pad) {
  return GstPadPtr(GST_PAD(gst_object_ref(pad)));
}

GstMiniObject* packet(guint64 n) {
  GstBuffer* b = gst_buffer_new_allocate(nullptr, 16, nullptr);
  GST_BUFFER_OFFSET(b) = n;
  return GST_MINI_OBJECT_CAST(b);
}

class SfuSendCombiner : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { gst_init(nullptr, nullptr); }
};

}  // namespace

TEST_F(SfuSendCombiner, AnIdleConnectionSendsOnTheCallersThreadAndReportsTheFlow) {
  Receiver rx;
  SendCombiner c;
  rx.setFlow(GST_FLOW_NOT_NEGOTIATED);
  std::vector<GstFlowReturn> flows;
  auto settle =
      std::make_shared<const SendCombiner::Settle>([&](GstFlowReturn f) { flows.push_back(f); });
  ASSERT_TRUE(c.chain(ref(rx.pad(0)), packet(1), settle));
  ASSERT_EQ(rx.got().size(), 1u);
  EXPECT_EQ(rx.threads()[0], std::this_thread::get_id());
  ASSERT_EQ(flows.size(), 1u);
  EXPECT_EQ(flows[0], GST_FLOW_NOT_NEGOTIATED);
  EXPECT_EQ(c.counters().sent, 1u);
  EXPECT_EQ(c.counters().sentByOthers, 0u);
}

TEST_F(SfuSendCombiner, ABusyConnectionTakesThePacketAndTheSendingThreadSendsItInOrder) {
  Receiver rx;
  SendCombiner c;
  rx.holdNext();
  std::thread sender([&] { c.chain(ref(rx.pad(0)), packet(1), nullptr); });
  ASSERT_TRUE(rx.waitHeld());
  // The connection is busy on the other thread: these return at once, not after its send.
  std::atomic<int> settled{0};
  auto settle = std::make_shared<const SendCombiner::Settle>([&](GstFlowReturn f) {
    if (f == GST_FLOW_OK) ++settled;
  });
  std::thread other([&] {
    for (guint64 n = 2; n <= 4; ++n) c.chain(ref(rx.pad(1)), packet(n), settle);
  });
  other.join();  // would hang (until the hold times out) if the queueing thread waited
  EXPECT_EQ(rx.got().size(), 1u);
  EXPECT_EQ(settled.load(), 0);
  rx.release();
  sender.join();
  ASSERT_TRUE(rx.waitCount(4));
  auto got = rx.got();
  std::vector<std::pair<int, guint64>> want{{0, 1}, {1, 2}, {1, 3}, {1, 4}};
  EXPECT_EQ(got, want);
  // All four were sent by the thread that was sending when they came.
  for (auto id : rx.threads()) EXPECT_EQ(id, rx.threads()[0]);
  EXPECT_EQ(settled.load(), 3);
  auto n = c.counters();
  EXPECT_EQ(n.sent, 4u);
  EXPECT_EQ(n.sentByOthers, 3u);
  EXPECT_EQ(n.maxDepth, 3u);
  EXPECT_EQ(n.dropped, 0u);
}

TEST_F(SfuSendCombiner, AStuckConnectionDropsBeyondItsQueueAndFreesWhatItDrops) {
  Receiver rx;
  SendCombiner c(2);
  rx.holdNext();
  std::thread sender([&] { c.chain(ref(rx.pad(0)), packet(1), nullptr); });
  ASSERT_TRUE(rx.waitHeld());
  EXPECT_TRUE(c.chain(ref(rx.pad(0)), packet(2), nullptr));
  EXPECT_TRUE(c.chain(ref(rx.pad(0)), packet(3), nullptr));
  GstMiniObject* dropped = packet(4);
  bool freed = false;
  gst_mini_object_weak_ref(
      dropped, [](gpointer data, GstMiniObject*) { *static_cast<bool*>(data) = true; }, &freed);
  EXPECT_FALSE(c.chain(ref(rx.pad(0)), dropped, nullptr));
  EXPECT_TRUE(freed);
  rx.release();
  sender.join();
  ASSERT_TRUE(rx.waitCount(3));
  EXPECT_EQ(rx.got().size(), 3u);
  EXPECT_EQ(c.counters().dropped, 1u);
}

TEST_F(SfuSendCombiner, AFuseLearnsAFailureOfAPacketAnotherThreadSent) {
  // tee-like source pad -> fuse -> receiver pad 1, while pad 0's send holds the connection.
  Receiver rx;
  auto c = std::make_shared<SendCombiner>();
  GstPadPtr src(GST_PAD(gst_object_ref_sink(gst_pad_new("src", GST_PAD_SRC))));
  ASSERT_EQ(gst_pad_link_full(src.get(), rx.pad(1), GST_PAD_LINK_CHECK_NOTHING), GST_PAD_LINK_OK);
  std::atomic<int> blown{0};
  std::atomic<GstFlowReturn> blownWith{GST_FLOW_OK};
  BranchFuse::attach(
      src.get(),
      [&](GstFlowReturn f) {
        blownWith = f;
        ++blown;
      },
      c);
  gst_pad_set_active(src.get(), TRUE);
  gst_pad_push_event(src.get(), gst_event_new_stream_start("s"));
  GstCapsPtr caps(gst_caps_new_empty_simple("application/x-rtp"));
  gst_pad_push_event(src.get(), gst_event_new_caps(caps.get()));
  GstSegment seg;
  gst_segment_init(&seg, GST_FORMAT_TIME);
  gst_pad_push_event(src.get(), gst_event_new_segment(&seg));

  rx.holdNext();
  std::thread sender([&] { c->chain(ref(rx.pad(0)), packet(1), nullptr); });
  ASSERT_TRUE(rx.waitHeld());
  rx.setFlow(GST_FLOW_ERROR);
  // Queued: the tee is answered OK whatever happens later.
  EXPECT_EQ(gst_pad_push(src.get(), GST_BUFFER_CAST(packet(2))), GST_FLOW_OK);
  EXPECT_EQ(blown.load(), 0);
  rx.release();
  sender.join();
  ASSERT_TRUE(rx.waitCount(2));
  EXPECT_EQ(blown.load(), 1);
  EXPECT_EQ(blownWith.load(), GST_FLOW_ERROR);
  // Blown: later buffers never reach the receiver.
  EXPECT_EQ(gst_pad_push(src.get(), GST_BUFFER_CAST(packet(3))), GST_FLOW_OK);
  EXPECT_EQ(rx.got().size(), 2u);
  EXPECT_EQ(blown.load(), 1);
  gst_pad_set_active(src.get(), FALSE);
}
