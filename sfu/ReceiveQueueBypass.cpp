#include "ReceiveQueueBypass.hpp"

#include <atomic>
#include <memory>

#include "ElementLookup.hpp"
#include "GstPtr.hpp"

GST_DEBUG_CATEGORY_STATIC(carrel_sfu_receive_bypass);
#define GST_CAT_DEFAULT carrel_sfu_receive_bypass

namespace carrel::sfu {

struct ReceiveQueueBypass::State {
  GstElement* queue = nullptr;  // not a ref: the probe and the handler go with it
  std::atomic<bool> passing{false};
  // nicesrc's thread only.
  bool bypassing = false;
  GstPadPtr next;  // dtlssrtpdec's sink pad
};

void ReceiveQueueBypass::attach(GstElement* webrtcbin) {
  static gsize once = 0;
  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(carrel_sfu_receive_bypass, "carrel-sfu-receive-bypass", 0,
                            "Carrel SFU: received datagrams skip webrtcbin's receive queue");
    g_once_init_leave(&once, 1);
  }
  g_signal_connect(webrtcbin, "element-added", G_CALLBACK(&ReceiveQueueBypass::onElementAdded),
                   nullptr);
}

void ReceiveQueueBypass::onElementAdded(GstBin*, GstElement* element, gpointer) {
  // The receive bin is added with its elements inside (its constructor links them).
  if (g_strcmp0(G_OBJECT_TYPE_NAME(element), "TransportReceiveBin") != 0 || !GST_IS_BIN(element)) {
    return;
  }
  GstElementPtr queue = ElementLookup::childMadeBy(element, "queue");
  if (queue) {
    bypass(queue.get());
  } else {
    GST_WARNING_OBJECT(element, "no queue inside: received datagrams take a thread hop");
  }
}

void ReceiveQueueBypass::bypass(GstElement* queue) {
  GstPadPtr sink(gst_element_get_static_pad(queue, "sink"));
  if (!sink) return;
  auto st = std::make_shared<State>();
  st->queue = queue;
  onLeaky(G_OBJECT(queue), nullptr, &st);
  // The handler and the probe each hold the state: the queue's pads and its signal handlers
  // go at different moments of its disposal.
  g_signal_connect_data(
      queue, "notify::leaky", G_CALLBACK(&ReceiveQueueBypass::onLeaky),
      new std::shared_ptr<State>(st),
      [](gpointer d, GClosure*) { delete static_cast<std::shared_ptr<State>*>(d); },
      static_cast<GConnectFlags>(0));
  gst_pad_add_probe(sink.get(), GST_PAD_PROBE_TYPE_BUFFER, &ReceiveQueueBypass::onBuffer,
                    new std::shared_ptr<State>(st),
                    [](gpointer d) { delete static_cast<std::shared_ptr<State>*>(d); });
  GST_DEBUG_OBJECT(queue, "bypassed once its receive bin passes");
}

void ReceiveQueueBypass::onLeaky(GObject* queue, GParamSpec*, gpointer data) {
  gint leaky = -1;
  g_object_get(queue, "leaky", &leaky, nullptr);
  // transportreceivebin: leaky 0 while passing, 2 (downstream) while blocking.
  (*static_cast<std::shared_ptr<State>*>(data))->passing = leaky == 0;
}

GstPadProbeReturn ReceiveQueueBypass::onBuffer(GstPad*, GstPadProbeInfo* info, gpointer data) {
  State* st = static_cast<std::shared_ptr<State>*>(data)->get();
  if (!st->passing.load(std::memory_order_relaxed)) {
    st->bypassing = false;
    return GST_PAD_PROBE_OK;
  }
  if (!st->bypassing) {
    // Only behind everything the queue still holds, and once dtlssrtpdec has had the stream's
    // sticky events from it.
    guint level = 1;
    g_object_get(st->queue, "current-level-buffers", &level, nullptr);
    if (level > 0) return GST_PAD_PROBE_OK;
    GstPadPtr src(gst_element_get_static_pad(st->queue, "src"));
    GstPadPtr next(src ? gst_pad_get_peer(src.get()) : nullptr);
    if (!next) return GST_PAD_PROBE_OK;
    GstEvent* segment = gst_pad_get_sticky_event(next.get(), GST_EVENT_SEGMENT, 0);
    if (!segment) return GST_PAD_PROBE_OK;
    gst_event_unref(segment);
    st->next = std::move(next);
    st->bypassing = true;
    GST_DEBUG_OBJECT(st->queue, "bypassing");
  }
  GstBuffer* buf = GST_PAD_PROBE_INFO_BUFFER(info);
  GST_PAD_PROBE_INFO_DATA(info) = nullptr;
  GST_PAD_PROBE_INFO_FLOW_RETURN(info) = gst_pad_chain(st->next.get(), buf);
  return GST_PAD_PROBE_HANDLED;
}

}  // namespace carrel::sfu
