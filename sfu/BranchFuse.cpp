#include "BranchFuse.hpp"

#include "GstPtr.hpp"
#include "SendChainShortcut.hpp"

GST_DEBUG_CATEGORY_STATIC(carrel_sfu_fuse);
#define GST_CAT_DEFAULT carrel_sfu_fuse

namespace carrel::sfu {

void BranchFuse::attach(GstPad* pad, BlownFn onBlown, std::shared_ptr<SendCombiner> combiner) {
  static gsize once = 0;
  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(carrel_sfu_fuse, "carrel-sfu-fuse", 0,
                            "Carrel SFU subscriber branch fuses");
    g_once_init_leave(&once, 1);
  }
  gst_pad_add_probe(
      pad, static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST),
      &BranchFuse::onProbe, new BranchFuse(pad, std::move(onBlown), std::move(combiner)),
      [](gpointer d) { delete static_cast<BranchFuse*>(d); });
}

BranchFuse::BranchFuse(GstPad* pad, BlownFn onBlown, std::shared_ptr<SendCombiner> combiner)
    : state_(std::make_shared<State>(std::move(onBlown))), combiner_(std::move(combiner)) {
  if (!combiner_) return;
  // The pad is only logged; a weak reference would cost more per packet than it saves.
  settle_ = std::make_shared<const SendCombiner::Settle>(
      [state = state_, pad](GstFlowReturn ret) { state->settle(pad, ret); });
}

BranchFuse::~BranchFuse() {
  if (GstPad* p = bypass_.load()) gst_object_unref(p);
}

GstPad* BranchFuse::target(GstPad* peer) {
  if (combiner_->mixedSegments()) return nullptr;
  if (GstPad* p = bypass_.load(std::memory_order_acquire)) return p;
  // Found at the branch's first packets or never (a chain with FEC): then stop looking.
  if (bypassTries_.fetch_add(1, std::memory_order_relaxed) >= 64) return nullptr;
  bool otherSegment = false;
  GstPadPtr found = SendChainShortcut::funnelBypass(peer, &otherSegment);
  if (otherSegment) {
    GST_INFO("branch %p: segments differ on this connection: its packets take the funnel",
             static_cast<void*>(peer));
    combiner_->markMixedSegments();
  }
  if (!found) return nullptr;
  GstPad* expected = nullptr;
  GstPad* raw = found.release();
  if (!bypass_.compare_exchange_strong(expected, raw)) {
    gst_object_unref(raw);
    return expected;
  }
  return raw;
}

GstFlowReturn BranchFuse::State::settle(GstPad* pad, GstFlowReturn ret) {
  // Flushing, EOS and not-linked are states the branch passes through (a stop, an unlink,
  // an m-line gone inactive): only this branch's packet is lost. Anything below EOS means the
  // element behind the pad is broken.
  if (ret == GST_FLOW_EOS || ret == GST_FLOW_FLUSHING || ret == GST_FLOW_NOT_LINKED) {
    GST_LOG("branch %p: subscriber side returned %s: kept to the branch", static_cast<void*>(pad),
            gst_flow_get_name(ret));
    return GST_FLOW_OK;
  }
  if (ret < GST_FLOW_EOS) {
    if (!blown.exchange(true)) {
      GST_WARNING("branch %p: subscriber side failed (%s): branch cut off from the tee",
                  static_cast<void*>(pad), gst_flow_get_name(ret));
      if (onBlown) onBlown(ret);
    }
    return GST_FLOW_OK;
  }
  return ret;
}

GstPadProbeReturn BranchFuse::onProbe(GstPad* pad, GstPadProbeInfo* info, gpointer data) {
  auto* self = static_cast<BranchFuse*>(data);
  if (self->state_->blown.load(std::memory_order_relaxed)) return GST_PAD_PROBE_DROP;
  GstPadPtr peer(gst_pad_get_peer(pad));
  // Unlinked (being re-pointed): dropping returns OK, not not-linked, to the tee.
  if (!peer) return GST_PAD_PROBE_DROP;
  // A probe cannot see what the push returns, so the fuse does the push's last step itself
  // (sticky events have already gone out before buffer probes run).
  GstFlowReturn ret;
  if (self->combiner_) {
    // Past the funnel: the combiner sends one packet of the connection at a time already.
    if (GstPad* past = self->target(peer.get())) peer.reset(GST_PAD(gst_object_ref(past)));
    self->combiner_->chain(std::move(peer), GST_MINI_OBJECT_CAST(GST_PAD_PROBE_INFO_DATA(info)),
                           self->settle_);
    ret = GST_FLOW_OK;
  } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    ret = self->state_->settle(pad, gst_pad_chain(peer.get(), GST_PAD_PROBE_INFO_BUFFER(info)));
  } else {
    ret = self->state_->settle(
        pad, gst_pad_chain_list(peer.get(), GST_PAD_PROBE_INFO_BUFFER_LIST(info)));
  }
  GST_PAD_PROBE_INFO_DATA(info) = nullptr;
  GST_PAD_PROBE_INFO_FLOW_RETURN(info) = ret;
  return GST_PAD_PROBE_HANDLED;
}

}  // namespace carrel::sfu
