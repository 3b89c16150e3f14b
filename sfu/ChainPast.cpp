#include "ChainPast.hpp"

#include "ElementLookup.hpp"
#include "GstPtr.hpp"

namespace carrel::sfu {

struct ChainPast::Target {
  GstPadPtr sink;
  Counter counted;
};

gulong ChainPast::install(GstPad* src, GstPad* sink, Counter counted) {
  auto* target = new Target{GstPadPtr(GST_PAD(gst_object_ref(sink))), std::move(counted)};
  return gst_pad_add_probe(src, GST_PAD_PROBE_TYPE_BUFFER, &ChainPast::onBuffer, target,
                           [](gpointer d) { delete static_cast<Target*>(d); });
}

gulong ChainPast::pastGhosts(GstPad* src, Counter counted) {
  GstPadPtr peer(gst_pad_get_peer(src));
  GstPadPtr real = ElementLookup::realPeer(src);
  if (!peer || !real || peer == real) return 0;
  return install(src, real.get(), std::move(counted));
}

GstPadProbeReturn ChainPast::onBuffer(GstPad*, GstPadProbeInfo* info, gpointer data) {
  auto* target = static_cast<Target*>(data);
  GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info);
  GST_PAD_PROBE_INFO_DATA(info) = nullptr;
  if (target->counted) target->counted->fetch_add(1, std::memory_order_relaxed);
  GST_PAD_PROBE_INFO_FLOW_RETURN(info) = gst_pad_chain(target->sink.get(), buffer);
  return GST_PAD_PROBE_HANDLED;
}

}  // namespace carrel::sfu
