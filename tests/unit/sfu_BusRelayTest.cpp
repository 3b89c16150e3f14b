// BusRelay: a room pipeline's bus never queues a message (GStreamer 1.22's bus queue can leave
// every poster spinning when many post at once); the kept types reach the main context.
#include <gst/gst.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "BusRelay.hpp"
#include "GstPtr.hpp"

using carrel::sfu::BusRelay;

namespace {

class SfuBusRelay : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { gst_init(nullptr, nullptr); }

  template <typename F>
  static bool runMainUntil(F done) {
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!done() && std::chrono::steady_clock::now() < until) {
      if (!g_main_context_iteration(nullptr, FALSE)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
    return done();
  }
};

GstMessage* warning(GstObject* src) {
  GError* err = g_error_new_literal(GST_CORE_ERROR, GST_CORE_ERROR_FAILED, "test warning");
  GstMessage* m = gst_message_new_warning(src, err, "test");
  g_error_free(err);
  return m;
}

}  // namespace

TEST_F(SfuBusRelay, KeptTypesReachTheMainContextAndNothingIsQueued) {
  carrel::GstElementPtr pipeline(GST_ELEMENT(gst_object_ref_sink(gst_pipeline_new("relay"))));
  carrel::GstBusPtr bus(gst_element_get_bus(pipeline.get()));
  std::atomic<int> warnings{0};
  std::atomic<int> others{0};
  std::thread::id mainThread = std::this_thread::get_id();
  std::atomic<bool> offMain{false};
  BusRelay::install(bus.get(), static_cast<GstMessageType>(GST_MESSAGE_WARNING | GST_MESSAGE_ERROR),
                    [&](GstMessage* m) {
                      if (std::this_thread::get_id() != mainThread) offMain = true;
                      (GST_MESSAGE_TYPE(m) == GST_MESSAGE_WARNING ? warnings : others)++;
                    });
  // Many threads at once, as a room joining: application messages (dropped) and one
  // warning each.
  constexpr int kThreads = 16;
  std::vector<std::thread> posters;
  for (int t = 0; t < kThreads; ++t) {
    posters.emplace_back([&pipeline] {
      for (int i = 0; i < 200; ++i) {
        gst_element_post_message(pipeline.get(),
                                 gst_message_new_application(GST_OBJECT(pipeline.get()),
                                                             gst_structure_new_empty("noise")));
      }
      gst_element_post_message(pipeline.get(), warning(GST_OBJECT(pipeline.get())));
    });
  }
  for (auto& p : posters) p.join();
  EXPECT_FALSE(gst_bus_have_pending(bus.get())) << "a message went into the bus's queue";
  EXPECT_TRUE(runMainUntil([&] { return warnings.load() == kThreads; })) << warnings.load();
  // Anything else that was (wrongly) relayed would have come with the warnings.
  for (int i = 0; i < 50; ++i) g_main_context_iteration(nullptr, FALSE);
  EXPECT_EQ(others.load(), 0);
  EXPECT_EQ(warnings.load(), kThreads);
  EXPECT_FALSE(offMain.load()) << "the handler ran on a posting thread";
}

TEST_F(SfuBusRelay, EveryMessageIsReleasedDroppedOrRelayed) {
  carrel::GstElementPtr pipeline(GST_ELEMENT(gst_object_ref_sink(gst_pipeline_new("relay3"))));
  carrel::GstBusPtr bus(gst_element_get_bus(pipeline.get()));
  int relayed = 0;
  BusRelay::install(bus.get(), GST_MESSAGE_WARNING, [&](GstMessage*) { ++relayed; });
  // Our own reference on each: the bus and the relay must give theirs back.
  GstMessage* dropped =
      gst_message_new_application(GST_OBJECT(pipeline.get()), gst_structure_new_empty("noise"));
  gst_message_ref(dropped);
  gst_element_post_message(pipeline.get(), dropped);
  EXPECT_EQ(GST_MINI_OBJECT_REFCOUNT_VALUE(dropped), 1) << "a dropped message leaked";
  gst_message_unref(dropped);
  GstMessage* kept = warning(GST_OBJECT(pipeline.get()));
  gst_message_ref(kept);
  gst_element_post_message(pipeline.get(), kept);
  EXPECT_TRUE(runMainUntil([&] { return relayed == 1; }));
  EXPECT_EQ(GST_MINI_OBJECT_REFCOUNT_VALUE(kept), 1) << "a relayed message leaked";
  gst_message_unref(kept);
}

TEST_F(SfuBusRelay, ANestedElementsErrorArrivesWithItsSource) {
  carrel::GstElementPtr pipeline(GST_ELEMENT(gst_object_ref_sink(gst_pipeline_new("relay2"))));
  GstElement* inner = gst_bin_new("inner");
  GstElement* element = gst_element_factory_make("fakesink", "failing");
  ASSERT_NE(element, nullptr);
  gst_bin_add(GST_BIN(inner), element);
  gst_bin_add(GST_BIN(pipeline.get()), inner);
  carrel::GstBusPtr bus(gst_element_get_bus(pipeline.get()));
  std::string source;
  BusRelay::install(bus.get(), GST_MESSAGE_ERROR,
                    [&](GstMessage* m) { source = GST_MESSAGE_SRC_NAME(m); });
  GError* err = g_error_new_literal(GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED, "broken");
  gst_element_post_message(element, gst_message_new_error(GST_OBJECT(element), err, "test"));
  g_error_free(err);
  EXPECT_FALSE(gst_bus_have_pending(bus.get()));
  EXPECT_TRUE(runMainUntil([&] { return !source.empty(); }));
  EXPECT_EQ(source, "failing");
}
