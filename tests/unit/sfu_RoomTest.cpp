// A room's failure isolation with real webrtcbins (no network: nothing is negotiated).
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "Json.hpp"
#include "Room.hpp"

using namespace carrel;
using namespace carrel::sfu;

namespace {

struct Emitted {
  std::string owner;
  std::string event;
  std::string peer;
  std::string reason;
};

class SfuRoom : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { gst_init(nullptr, nullptr); }

  void SetUp() override {
    room_ = std::make_shared<Room>(
        "r1", IceSettings({"127.0.0.1"}, "", ""),
        [this](const std::string& owner, const char* event, JsonObjectPtr data) {
          emitted_.push_back({owner, event, json::getString(data.get(), "peer").value_or(""),
                              json::getString(data.get(), "reason").value_or("")});
        });
    std::string err;
    ASSERT_TRUE(room_->start(&err)) << err;
  }

  void TearDown() override { room_.reset(); }

  bool iterateUntil(const std::function<bool()>& done, int ms) {
    gint64 end = g_get_monotonic_time() + ms * 1000;
    while (!done() && g_get_monotonic_time() < end) {
      g_main_context_iteration(nullptr, FALSE);
      g_usleep(1000);
    }
    return done();
  }

  std::shared_ptr<Room> room_;
  std::vector<Emitted> emitted_;
};

}  // namespace

TEST_F(SfuRoom, AddFindRemove) {
  std::string err;
  ASSERT_TRUE(room_->addPeer("a", "ctl-1", &err)) << err;
  ASSERT_TRUE(room_->addPeer("b", "ctl-2", &err)) << err;
  EXPECT_EQ(room_->peerCount(), 2u);
  ASSERT_NE(room_->find("a"), nullptr);
  EXPECT_EQ(room_->find("a")->owner(), "ctl-1");
  EXPECT_NE(room_->find("a")->connection("publish"), nullptr);
  EXPECT_NE(room_->find("a")->connection("subscribe"), nullptr);
  EXPECT_EQ(room_->find("a")->connection("sideways"), nullptr);
  EXPECT_EQ(room_->owners(), (std::set<std::string>{"ctl-1", "ctl-2"}));
  EXPECT_EQ(room_->peersOwnedBy("ctl-2"), std::vector<std::string>{"b"});
  EXPECT_TRUE(room_->peersOwnedBy("ctl-9").empty());
  EXPECT_FALSE(room_->find("a")->connection("publish")->readyForCandidates());
  EXPECT_FALSE(room_->find("a")->connection("subscribe")->readyForCandidates());
  EXPECT_TRUE(room_->removePeer("a"));
  EXPECT_FALSE(room_->removePeer("a"));
  EXPECT_EQ(room_->find("a"), nullptr);
  EXPECT_EQ(room_->peerCount(), 1u);
}

TEST_F(SfuRoom, AnElementErrorTearsDownThatPeerAlone) {
  std::string err;
  ASSERT_TRUE(room_->addPeer("a", "ctl-1", &err)) << err;
  ASSERT_TRUE(room_->addPeer("b", "ctl-2", &err)) << err;
  // An error deep inside a's subscribe webrtcbin, as a failing transport element would post.
  GstElement* webrtc = room_->find("a")->subscribe().webrtc();
  ASSERT_NE(webrtc, nullptr);
  GstIterator* it = gst_bin_iterate_recurse(GST_BIN(webrtc));
  GValue item = G_VALUE_INIT;
  GstElement* inner = nullptr;
  if (gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
    inner = GST_ELEMENT(gst_object_ref(g_value_get_object(&item)));
    g_value_reset(&item);
  }
  g_value_unset(&item);
  gst_iterator_free(it);
  ASSERT_NE(inner, nullptr) << "webrtcbin has no child element";
  GError* e = g_error_new_literal(GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED, "boom");
  gst_element_post_message(inner, gst_message_new_error(GST_OBJECT(inner), e, "test"));
  g_error_free(e);
  gst_object_unref(inner);

  ASSERT_TRUE(iterateUntil([&] { return room_->find("a") == nullptr; }, 5000))
      << "the failing peer was not torn down";
  EXPECT_NE(room_->find("b"), nullptr) << "the other peer must stay";
  bool failed = false;
  for (const auto& m : emitted_) {
    if (m.event == "peer.failed") {
      EXPECT_EQ(m.peer, "a");
      EXPECT_EQ(m.owner, "ctl-1") << "events about a peer go to its control node";
      EXPECT_NE(m.reason.find("boom"), std::string::npos) << m.reason;
      failed = true;
    }
  }
  EXPECT_TRUE(failed) << "no peer.failed event";
  // The pipeline goes on: a new peer can still join.
  EXPECT_TRUE(room_->addPeer("c", "ctl-1", &err)) << err;
  EXPECT_EQ(GST_STATE(room_->pipeline()), GST_STATE_PLAYING);
}
