#include "SendLoss.hpp"

#include <algorithm>

#include "ReceiveLoss.hpp"

namespace carrel::peer {

struct SendLoss::State {
  int period = 0;  // drop every period-th video packet; 0: none
  int payload = 96;
  std::atomic<uint64_t> seen{0};
  std::atomic<uint64_t> dropped{0};
};

SendLoss::SendLoss(GstElement* webrtc, int dropPercent, int videoPayload)
    : webrtc_(webrtc), state_(std::make_shared<State>()) {
  state_->period = dropPercent > 0 ? std::max(1, 100 / dropPercent) : 0;
  state_->payload = videoPayload;
  if (state_->period == 0) return;
  handler_ = g_signal_connect_data(
      webrtc, "deep-element-added", G_CALLBACK(&SendLoss::onElementAdded),
      new std::shared_ptr<State>(state_),
      [](gpointer d, GClosure*) { delete static_cast<std::shared_ptr<State>*>(d); },
      static_cast<GConnectFlags>(0));
}

SendLoss::~SendLoss() {
  if (handler_) g_signal_handler_disconnect(webrtc_, handler_);
}

void SendLoss::onElementAdded(GstBin*, GstBin*, GstElement* element, gpointer data) {
  auto st = *static_cast<std::shared_ptr<State>*>(data);
  GstElementFactory* f = gst_element_get_factory(element);
  if (!f || g_strcmp0(GST_OBJECT_NAME(f), "nicesink") != 0) return;
  GstPad* sink = gst_element_get_static_pad(element, "sink");
  if (!sink) return;
  gst_pad_add_probe(
      sink, GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad*, GstPadProbeInfo* info, gpointer d) -> GstPadProbeReturn {
        auto* s = static_cast<std::shared_ptr<State>*>(d)->get();
        GstMapInfo map;
        GstBuffer* b = GST_PAD_PROBE_INFO_BUFFER(info);
        if (!gst_buffer_map(b, &map, GST_MAP_READ)) return GST_PAD_PROBE_OK;
        // SRTP leaves the RTP header in the clear.
        bool video = ReceiveLoss::isRtpOfPayload(map.data, map.size, s->payload);
        gst_buffer_unmap(b, &map);
        if (!video || ++s->seen % static_cast<uint64_t>(s->period) != 0) return GST_PAD_PROBE_OK;
        ++s->dropped;
        return GST_PAD_PROBE_DROP;
      },
      new std::shared_ptr<State>(st),
      [](gpointer d) { delete static_cast<std::shared_ptr<State>*>(d); });
  gst_object_unref(sink);
}

uint64_t SendLoss::dropped() const {
  return state_->dropped.load();
}

}  // namespace carrel::peer
