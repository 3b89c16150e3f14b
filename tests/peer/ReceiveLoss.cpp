#include "ReceiveLoss.hpp"

#include <algorithm>

namespace carrel::peer {

struct ReceiveLoss::State {
  int period = 0;  // drop every period-th video packet; 0: none
  int payload = 96;
  std::atomic<uint64_t> seen{0};
  std::atomic<uint64_t> dropped{0};
  mutable std::mutex mu;
  std::vector<GstElement*> jitterbuffers;  // referenced until the ReceiveLoss goes
};

bool ReceiveLoss::isRtpOfPayload(const guint8* data, gsize size, int payload) {
  // RTP version 2; RTCP shares the first byte but its packet types 200-206 are PT 72-78
  // with the marker bit set, never a dynamic payload type.
  if (size < 12 || (data[0] & 0xc0) != 0x80) return false;
  return (data[1] & 0x7f) == payload;
}

ReceiveLoss::ReceiveLoss(GstElement* webrtc, int dropPercent, int videoPayload)
    : webrtc_(webrtc), state_(std::make_shared<State>()) {
  state_->period = dropPercent > 0 ? std::max(1, 100 / dropPercent) : 0;
  state_->payload = videoPayload;
  handler_ = g_signal_connect_data(
      webrtc, "deep-element-added", G_CALLBACK(&ReceiveLoss::onElementAdded),
      new std::shared_ptr<State>(state_),
      [](gpointer d, GClosure*) { delete static_cast<std::shared_ptr<State>*>(d); },
      static_cast<GConnectFlags>(0));
}

ReceiveLoss::~ReceiveLoss() {
  if (handler_) g_signal_handler_disconnect(webrtc_, handler_);
  std::lock_guard lock(state_->mu);
  for (GstElement* jb : state_->jitterbuffers) gst_object_unref(jb);
  state_->jitterbuffers.clear();
}

void ReceiveLoss::onElementAdded(GstBin*, GstBin*, GstElement* element, gpointer data) {
  auto st = *static_cast<std::shared_ptr<State>*>(data);
  GstElementFactory* f = gst_element_get_factory(element);
  const gchar* name = f ? GST_OBJECT_NAME(f) : "";
  if (g_strcmp0(name, "rtpjitterbuffer") == 0) {
    std::lock_guard lock(st->mu);
    st->jitterbuffers.push_back(GST_ELEMENT(gst_object_ref(element)));
    return;
  }
  if (g_strcmp0(name, "nicesrc") != 0 || st->period == 0) return;
  GstPad* src = gst_element_get_static_pad(element, "src");
  if (!src) return;
  gst_pad_add_probe(
      src, GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad*, GstPadProbeInfo* info, gpointer d) -> GstPadProbeReturn {
        auto* s = static_cast<std::shared_ptr<State>*>(d)->get();
        GstMapInfo map;
        GstBuffer* b = GST_PAD_PROBE_INFO_BUFFER(info);
        if (!gst_buffer_map(b, &map, GST_MAP_READ)) return GST_PAD_PROBE_OK;
        bool video = isRtpOfPayload(map.data, map.size, s->payload);
        gst_buffer_unmap(b, &map);
        if (!video || ++s->seen % static_cast<uint64_t>(s->period) != 0) return GST_PAD_PROBE_OK;
        ++s->dropped;
        return GST_PAD_PROBE_DROP;
      },
      new std::shared_ptr<State>(st),
      [](gpointer d) { delete static_cast<std::shared_ptr<State>*>(d); });
  gst_object_unref(src);
}

ReceiveLoss::Counts ReceiveLoss::counts() const {
  Counts c;
  c.dropped = state_->dropped.load();
  std::lock_guard lock(state_->mu);
  for (GstElement* jb : state_->jitterbuffers) {
    GstStructure* s = nullptr;
    g_object_get(jb, "stats", &s, nullptr);
    if (!s) continue;
    guint64 v = 0;
    if (gst_structure_get_uint64(s, "rtx-count", &v)) c.rtxRequests += v;
    if (gst_structure_get_uint64(s, "rtx-success-count", &v)) c.rtxRecovered += v;
    if (gst_structure_get_uint64(s, "num-lost", &v)) c.lost += v;
    gst_structure_free(s);
  }
  return c;
}

}  // namespace carrel::peer
