#include "SendCombiner.hpp"

#include <algorithm>
#include <utility>

GST_DEBUG_CATEGORY_STATIC(carrel_sfu_combiner);
#define GST_CAT_DEFAULT carrel_sfu_combiner

namespace carrel::sfu {

SendCombiner::SendCombiner(size_t maxQueued) : maxQueued_(maxQueued) {
  static gsize once = 0;
  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(carrel_sfu_combiner, "carrel-sfu-combiner", 0,
                            "Carrel SFU subscriber send combining");
    g_once_init_leave(&once, 1);
  }
}

SendCombiner::~SendCombiner() {
  for (auto& item : queue_) {
    gst_mini_object_unref(item.buffer);
    gst_object_unref(item.pad);
  }
}

void SendCombiner::lock() const {
  // The section under the mutex is a push or a pop: spin briefly before sleeping on it.
  for (int i = 0; i < 64; ++i) {
    if (mu_.try_lock()) return;
  }
  mu_.lock();
}

GstFlowReturn SendCombiner::send(const Item& item) {
  if (GST_IS_BUFFER_LIST(item.buffer)) {
    return gst_pad_chain_list(item.pad, GST_BUFFER_LIST_CAST(item.buffer));
  }
  return gst_pad_chain(item.pad, GST_BUFFER_CAST(item.buffer));
}

bool SendCombiner::chain(GstPadPtr sinkPad, GstMiniObject* buffer,
                         std::shared_ptr<const Settle> settle) {
  Item item{sinkPad.release(), buffer, std::move(settle)};
  lock();
  if (sending_) {
    if (queue_.size() >= maxQueued_) {
      uint64_t dropped = ++counters_.dropped;
      mu_.unlock();
      // The first and then every 1000th: a stuck connection must show in the log, once.
      if (dropped % 1000 == 1) {
        GST_WARNING_OBJECT(item.pad,
                           "subscriber connection busy: %" G_GUINT64_FORMAT
                           " packets dropped, %zu waiting",
                           dropped, maxQueued_);
      }
      gst_mini_object_unref(item.buffer);
      gst_object_unref(item.pad);
      return false;
    }
    queue_.push_back(std::move(item));
    counters_.maxDepth = std::max(counters_.maxDepth, queue_.size());
    mu_.unlock();
    return true;
  }
  sending_ = true;
  mu_.unlock();

  bool own = true;
  for (;;) {
    // chain takes the buffer; the pad reference is ours to drop.
    GstFlowReturn ret = send(item);
    gst_object_unref(item.pad);
    if (item.settle && *item.settle) (*item.settle)(ret);
    item.settle.reset();
    lock();
    ++counters_.sent;
    if (!own) ++counters_.sentByOthers;
    if (queue_.empty()) {
      sending_ = false;
      mu_.unlock();
      return true;
    }
    item = std::move(queue_.front());
    queue_.pop_front();
    mu_.unlock();
    own = false;
  }
}

SendCombiner::Counters SendCombiner::counters() const {
  lock();
  Counters c = counters_;
  mu_.unlock();
  return c;
}

}  // namespace carrel::sfu
