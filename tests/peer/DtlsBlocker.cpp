#include "DtlsBlocker.hpp"

namespace carrel::peer {

void DtlsBlocker::attach(GstElement* webrtcbin) {
  g_signal_connect(webrtcbin, "deep-element-added", G_CALLBACK(&DtlsBlocker::onElementAdded),
                   nullptr);
}

bool DtlsBlocker::isDtls(const guint8* data, gsize size) {
  return size > 0 && data[0] >= 20 && data[0] <= 63;
}

void DtlsBlocker::onElementAdded(GstBin*, GstBin*, GstElement* element, gpointer) {
  GstElementFactory* f = gst_element_get_factory(element);
  if (!f || g_strcmp0(GST_OBJECT_NAME(f), "nicesrc") != 0) return;
  GstPad* src = gst_element_get_static_pad(element, "src");
  if (!src) return;
  gst_pad_add_probe(src, GST_PAD_PROBE_TYPE_BUFFER, &DtlsBlocker::onBuffer, nullptr, nullptr);
  gst_object_unref(src);
}

GstPadProbeReturn DtlsBlocker::onBuffer(GstPad*, GstPadProbeInfo* info, gpointer) {
  GstBuffer* b = GST_PAD_PROBE_INFO_BUFFER(info);
  GstMapInfo map;
  if (!gst_buffer_map(b, &map, GST_MAP_READ)) return GST_PAD_PROBE_OK;
  bool dtls = isDtls(map.data, map.size);
  gst_buffer_unmap(b, &map);
  return dtls ? GST_PAD_PROBE_DROP : GST_PAD_PROBE_OK;
}

}  // namespace carrel::peer
