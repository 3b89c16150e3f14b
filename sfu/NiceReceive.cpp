#include "NiceReceive.hpp"

#include <agent.h>

#include <memory>
#include <string>

#include "ElementLookup.hpp"
#include "GstPtr.hpp"
#include "ReceiveThreads.hpp"

GST_DEBUG_CATEGORY_STATIC(carrel_sfu_nice_receive);
#define GST_CAT_DEFAULT carrel_sfu_nice_receive

namespace carrel::sfu {

namespace {

const char* kReaderKey = "carrel-nice-receive";

struct Reader {
  std::shared_ptr<const std::atomic<bool>> direct;
  GstPadPtr next;             // dtlssrtpdec's sink
  GstPadPtr fallback;         // nicesrc's peer (capsfilter's sink)
  GstClock* clock = nullptr;  // nicesrc's, a reference; none: no timestamps, as nicesrc
  GstClockTime baseTime = 0;
  GWeakRef nicesrc;  // only to post a flow error: nicesrc holds the agent, which holds us
  std::atomic<guint64> received{0};
  GMainContext* receiveThread = nullptr;  // from ReceiveThreads::next; none: the agent's own
  bool failed = false;                    // the reading thread only
  Reader() { g_weak_ref_init(&nicesrc, nullptr); }
  ~Reader() {
    if (receiveThread) ReceiveThreads::release(receiveThread);
    g_weak_ref_clear(&nicesrc);
    if (clock) gst_object_unref(clock);
  }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;
};

using ReaderRef = std::shared_ptr<Reader>;

void freeReaderRef(gpointer d) {
  delete static_cast<ReaderRef*>(d);
}

void onDatagram(NiceAgent*, guint, guint, guint len, gchar* buf, gpointer data) {
  Reader* r = static_cast<ReaderRef*>(data)->get();
  if (r->failed || len == 0) return;
  ReceiveThreads::keepCurrentSourcePolled();
  GstBuffer* buffer = gst_buffer_new_allocate(nullptr, len, nullptr);
  gst_buffer_fill(buffer, 0, buf, len);
  if (r->clock) {
    // nicesrc is a live GstBaseSrc with do-timestamp: both stamps are the running time now.
    GstClockTime now = gst_clock_get_time(r->clock);
    GST_BUFFER_DTS(buffer) = GST_BUFFER_PTS(buffer) = now - r->baseTime;
  }
  r->received.fetch_add(1, std::memory_order_relaxed);
  bool direct = r->direct->load(std::memory_order_relaxed);
  GstFlowReturn ret = gst_pad_chain(direct ? r->next.get() : r->fallback.get(), buffer);
  if (ret == GST_FLOW_NOT_LINKED || ret < GST_FLOW_EOS) {
    // As GstBaseSrc's task: post the flow error and stop reading.
    r->failed = true;
    GstElementPtr src(static_cast<GstElement*>(g_weak_ref_get(&r->nicesrc)));
    if (src) {
      GST_WARNING_OBJECT(src.get(), "downstream returned %s: reading stops",
                         gst_flow_get_name(ret));
      GST_ELEMENT_FLOW_ERROR(src.get(), ret);
    }
  }
}

}  // namespace

bool NiceReceive::takeOver(GstElement* nicesrc, GstPad* next,
                           std::shared_ptr<const std::atomic<bool>> direct) {
  static gsize once = 0;
  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(carrel_sfu_nice_receive, "carrel-sfu-nice-receive", 0,
                            "Carrel SFU: datagrams read on the ICE agent's thread");
    g_once_init_leave(&once, 1);
  }
  if (!ElementLookup::madeBy(nicesrc, "nicesrc") || !next || !direct) return false;
  if (g_object_get_data(G_OBJECT(nicesrc), kReaderKey)) return true;
  NiceAgent* agent = nullptr;
  guint stream = 0, component = 0;
  g_object_get(nicesrc, "agent", &agent, "stream", &stream, "component", &component, nullptr);
  std::unique_ptr<NiceAgent, decltype(&g_object_unref)> agentRef(agent, &g_object_unref);
  // A pointer property: no reference comes with it (the agent keeps one while it lives).
  gpointer context = nullptr;
  if (agent) g_object_get(agent, "main-context", &context, nullptr);
  GstPadPtr src(gst_element_get_static_pad(nicesrc, "src"));
  GstPadPtr peer(src ? gst_pad_get_peer(src.get()) : nullptr);
  if (!agent || !context || stream == 0 || component == 0 || !peer) {
    GST_INFO_OBJECT(nicesrc, "not taken over: no agent, context, stream or peer");
    return false;
  }
  auto reader = std::make_shared<Reader>();
  reader->direct = std::move(direct);
  reader->next.reset(GST_PAD(gst_object_ref(next)));
  reader->fallback = std::move(peer);
  GST_OBJECT_LOCK(nicesrc);
  if (GST_ELEMENT_CLOCK(nicesrc))
    reader->clock = GST_CLOCK(gst_object_ref(GST_ELEMENT_CLOCK(nicesrc)));
  reader->baseTime = GST_ELEMENT_CAST(nicesrc)->base_time;
  GST_OBJECT_UNLOCK(nicesrc);
  g_weak_ref_set(&reader->nicesrc, nicesrc);
  // The agent keeps the callback's reader: webrtcbin stops the agent's thread before it drops
  // the agent, so no callback outlives it. nicesrc keeps one for packetsReceived.
  std::string key =
      std::string(kReaderKey) + "-" + std::to_string(stream) + "-" + std::to_string(component);
  auto* forCallback = new ReaderRef(reader);
  g_object_set_data_full(G_OBJECT(agent), key.c_str(), forCallback, &freeReaderRef);
  g_object_set_data_full(G_OBJECT(nicesrc), kReaderKey, new ReaderRef(reader), &freeReaderRef);
  // nicesrc detaches it (a NULL callback) when it stops, as it detaches its own.
  GMainContext* readerContext = ReceiveThreads::next();
  reader->receiveThread = readerContext;
  nice_agent_attach_recv(agent, stream, component,
                         readerContext ? readerContext : static_cast<GMainContext*>(context),
                         &onDatagram, forCallback);
  GST_INFO_OBJECT(nicesrc, "datagrams of stream %u now read on %s", stream,
                  readerContext ? "a receive thread" : "the agent's thread");
  return true;
}

NiceReceive::Counts NiceReceive::packetsReceived(GstElement* webrtcbin) {
  Counts total;
  ElementLookup::forEachDescendant(webrtcbin, [&total](GstElement* e) {
    if (auto* r = static_cast<ReaderRef*>(g_object_get_data(G_OBJECT(e), kReaderKey))) {
      guint64 n = (*r)->received.load(std::memory_order_relaxed);
      total.read += n;
      if ((*r)->receiveThread) total.onReceiveThreads += n;
    }
  });
  return total;
}

}  // namespace carrel::sfu
