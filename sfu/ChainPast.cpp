#include "ChainPast.hpp"

namespace carrel::sfu {

void ChainPast::install(GstPad* src, GstPad* sink) {
  gst_pad_add_probe(src, GST_PAD_PROBE_TYPE_BUFFER, &ChainPast::onBuffer, gst_object_ref(sink),
                    [](gpointer d) { gst_object_unref(d); });
}

GstPadProbeReturn ChainPast::onBuffer(GstPad*, GstPadProbeInfo* info, gpointer data) {
  GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info);
  GST_PAD_PROBE_INFO_DATA(info) = nullptr;
  GST_PAD_PROBE_INFO_FLOW_RETURN(info) = gst_pad_chain(static_cast<GstPad*>(data), buffer);
  return GST_PAD_PROBE_HANDLED;
}

}  // namespace carrel::sfu
