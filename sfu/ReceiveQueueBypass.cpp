#include "ReceiveQueueBypass.hpp"

#include <atomic>
#include <memory>

#include "ElementLookup.hpp"
#include "GstPtr.hpp"
#include "NiceReceive.hpp"

GST_DEBUG_CATEGORY_STATIC(carrel_sfu_receive_bypass);
#define GST_CAT_DEFAULT carrel_sfu_receive_bypass

namespace carrel::sfu {

struct ReceiveQueueBypass::State {
  GstElement* queue = nullptr;  // not a ref: the probe and the handler go with it
  std::atomic<bool> passing{false};
  bool readOnAgent = true;  // NiceReceive once bypassing
  // The probe's thread: nicesrc's, or, once NiceReceive reads, the agent's (and nicesrc's
  // for what it had read before).
  std::atomic<bool> bypassing{false};
  // passing and bypassing: NiceReceive gives datagrams to next itself, else to this probe.
  std::shared_ptr<std::atomic<bool>> direct = std::make_shared<std::atomic<bool>>(false);
  GstPadPtr next;  // dtlssrtpdec's sink pad; set before bypassing, then only read
};

void ReceiveQueueBypass::attach(GstElement* webrtcbin, bool readOnAgent) {
  static gsize once = 0;
  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(carrel_sfu_receive_bypass, "carrel-sfu-receive-bypass", 0,
                            "Carrel SFU: received datagrams skip webrtcbin's receive queue");
    g_once_init_leave(&once, 1);
  }
  g_signal_connect(webrtcbin, "element-added", G_CALLBACK(&ReceiveQueueBypass::onElementAdded),
                   GINT_TO_POINTER(readOnAgent ? 1 : 0));
}

void ReceiveQueueBypass::onElementAdded(GstBin*, GstElement* element, gpointer readOnAgent) {
  // The receive bin is added with its elements inside (its constructor links them).
  if (g_strcmp0(G_OBJECT_TYPE_NAME(element), "TransportReceiveBin") != 0 || !GST_IS_BIN(element)) {
    return;
  }
  GstElementPtr queue = ElementLookup::childMadeBy(element, "queue");
  if (queue) {
    bypass(queue.get(), GPOINTER_TO_INT(readOnAgent) != 0);
  } else {
    GST_WARNING_OBJECT(element, "no queue inside: received datagrams take a thread hop");
  }
}

void ReceiveQueueBypass::bypass(GstElement* queue, bool readOnAgent) {
  GstPadPtr sink(gst_element_get_static_pad(queue, "sink"));
  if (!sink) return;
  auto st = std::make_shared<State>();
  st->queue = queue;
  st->readOnAgent = readOnAgent;
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
  State* st = static_cast<std::shared_ptr<State>*>(data)->get();
  st->passing = leaky == 0;
  if (leaky != 0) *st->direct = false;
}

GstPadProbeReturn ReceiveQueueBypass::onBuffer(GstPad*, GstPadProbeInfo* info, gpointer data) {
  State* st = static_cast<std::shared_ptr<State>*>(data)->get();
  if (!st->passing.load(std::memory_order_relaxed)) {
    st->bypassing = false;
    *st->direct = false;
    return GST_PAD_PROBE_OK;
  }
  if (!st->bypassing.load(std::memory_order_relaxed)) {
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
    bool first = !st->next;
    if (first) st->next = std::move(next);
    st->bypassing = true;
    *st->direct = true;
    GST_DEBUG_OBJECT(st->queue, "bypassing");
    // Once: from then on NiceReceive's reader reads, and comes by this probe only while not
    // bypassing (NiceReceive).
    if (first && st->readOnAgent) takeOverRead(st);
  }
  GstBuffer* buf = GST_PAD_PROBE_INFO_BUFFER(info);
  GST_PAD_PROBE_INFO_DATA(info) = nullptr;
  GST_PAD_PROBE_INFO_FLOW_RETURN(info) = gst_pad_chain(st->next.get(), buf);
  return GST_PAD_PROBE_HANDLED;
}

void ReceiveQueueBypass::takeOverRead(State* st) {
  GstObject* bin = GST_OBJECT_PARENT(st->queue);
  GstElementPtr nicesrc =
      bin && GST_IS_BIN(bin) ? ElementLookup::childMadeBy(GST_ELEMENT(bin), "nicesrc") : nullptr;
  if (!nicesrc || !NiceReceive::takeOver(nicesrc.get(), st->next.get(), st->direct)) {
    GST_INFO_OBJECT(st->queue, "nicesrc keeps reading");
  }
}

}  // namespace carrel::sfu
