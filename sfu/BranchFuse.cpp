#include "BranchFuse.hpp"

#include "GstPtr.hpp"

GST_DEBUG_CATEGORY_STATIC(carrel_sfu_fuse);
#define GST_CAT_DEFAULT carrel_sfu_fuse

namespace carrel::sfu {

void BranchFuse::attach(GstPad* pad, BlownFn onBlown) {
  static gsize once = 0;
  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(carrel_sfu_fuse, "carrel-sfu-fuse", 0,
                            "Carrel SFU subscriber branch fuses");
    g_once_init_leave(&once, 1);
  }
  gst_pad_add_probe(
      pad, static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST),
      &BranchFuse::onProbe, new BranchFuse(std::move(onBlown)),
      [](gpointer d) { delete static_cast<BranchFuse*>(d); });
}

GstPadProbeReturn BranchFuse::onProbe(GstPad* pad, GstPadProbeInfo* info, gpointer data) {
  auto* self = static_cast<BranchFuse*>(data);
  if (self->blown_.load(std::memory_order_relaxed)) return GST_PAD_PROBE_DROP;
  GstPadPtr peer(gst_pad_get_peer(pad));
  // Unlinked (being re-pointed): dropping returns OK, not not-linked, to the tee.
  if (!peer) return GST_PAD_PROBE_DROP;
  // A probe cannot see what the push returns, so the fuse does the push's last step itself
  // (sticky events have already gone out before buffer probes run).
  GstFlowReturn ret;
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    ret = gst_pad_chain(peer.get(), GST_PAD_PROBE_INFO_BUFFER(info));
  } else {
    ret = gst_pad_chain_list(peer.get(), GST_PAD_PROBE_INFO_BUFFER_LIST(info));
  }
  GST_PAD_PROBE_INFO_DATA(info) = nullptr;
  // Flushing, EOS and not-linked are states the branch passes through (a stop, an unlink,
  // an m-line gone inactive): only this branch's packet is lost. Anything below EOS means the
  // element behind the pad is broken.
  if (ret == GST_FLOW_EOS || ret == GST_FLOW_FLUSHING || ret == GST_FLOW_NOT_LINKED) {
    GST_LOG_OBJECT(pad, "subscriber side returned %s: kept to the branch", gst_flow_get_name(ret));
    ret = GST_FLOW_OK;
  } else if (ret < GST_FLOW_EOS) {
    if (!self->blown_.exchange(true)) {
      GST_WARNING_OBJECT(pad, "subscriber side failed (%s): branch cut off from the tee",
                         gst_flow_get_name(ret));
      if (self->onBlown_) self->onBlown_(ret);
    }
    ret = GST_FLOW_OK;
  }
  GST_PAD_PROBE_INFO_FLOW_RETURN(info) = ret;
  return GST_PAD_PROBE_HANDLED;
}

}  // namespace carrel::sfu
