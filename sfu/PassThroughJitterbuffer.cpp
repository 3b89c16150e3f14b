#include "PassThroughJitterbuffer.hpp"

#include <atomic>
#include <mutex>
#include <vector>

#include "SequenceGaps.hpp"

GST_DEBUG_CATEGORY_STATIC(carrel_sfu_passthrough_jb);
#define GST_CAT_DEFAULT carrel_sfu_passthrough_jb

namespace carrel::sfu {

namespace {

struct Instance {
  GstElement parent;
  GstPad* sink;
  GstPad* src;
  std::atomic<guint> latencyMs;
  std::atomic<bool> retransmit;
  // Written by the streaming thread, read by get-stats on another.
  std::mutex mu;
  SequenceGaps* gaps;
};

struct Class {
  GstElementClass parent;
};

enum { PROP_0, PROP_LATENCY, PROP_DO_RETRANSMISSION, PROP_STATS };

GstStaticPadTemplate sinkTemplate = GST_STATIC_PAD_TEMPLATE("sink", GST_PAD_SINK, GST_PAD_ALWAYS,
                                                            GST_STATIC_CAPS("application/x-rtp"));
GstStaticPadTemplate srcTemplate = GST_STATIC_PAD_TEMPLATE("src", GST_PAD_SRC, GST_PAD_ALWAYS,
                                                           GST_STATIC_CAPS("application/x-rtp"));
// rtpbin links the stream's RTCP here when the element has it; sender reports only serve
// playout timing, so they end here.
GstStaticPadTemplate rtcpTemplate = GST_STATIC_PAD_TEMPLATE(
    "sink_rtcp", GST_PAD_SINK, GST_PAD_REQUEST, GST_STATIC_CAPS("application/x-rtcp"));

GstElementClass* parentClass = nullptr;

Instance* self(gpointer p) {
  return reinterpret_cast<Instance*>(p);
}

void sendRequests(Instance* jb, guint32 ssrc, const std::vector<uint16_t>& seqs,
                  GstClockTime runningTime) {
  for (uint16_t seq : seqs) {
    // Fields as rtpjitterbuffer writes them; rtpsession's defaults cover deadline and RTT.
    GstStructure* s =
        gst_structure_new("GstRTPRetransmissionRequest", "seqnum", G_TYPE_UINT,
                          static_cast<guint>(seq), "ssrc", G_TYPE_UINT, static_cast<guint>(ssrc),
                          "running-time", G_TYPE_UINT64, static_cast<guint64>(runningTime), "delay",
                          G_TYPE_UINT, 0u, "retry", G_TYPE_UINT, 0u, nullptr);
    gst_pad_push_event(jb->sink, gst_event_new_custom(GST_EVENT_CUSTOM_UPSTREAM, s));
  }
}

// A track that ended downstream (its m-line made inactive: the publisher's src pad is EOS)
// answers its late packets with EOS. Returned upstream that would reach the publisher's
// nicesrc, which then stops every track of the bundle (ScreenShareMedia failed in CI so):
// the ended track's packets are dropped here instead.
GstFlowReturn pushOn(Instance* jb, GstBuffer* buf) {
  GstFlowReturn ret = gst_pad_push(jb->src, buf);
  return ret == GST_FLOW_EOS ? GST_FLOW_OK : ret;
}

GstFlowReturn chain(GstPad*, GstObject* parent, GstBuffer* buf) {
  Instance* jb = self(parent);
  guint8 h[12];
  if (gst_buffer_extract(buf, 0, h, sizeof h) != sizeof h || (h[0] & 0xc0) != 0x80) {
    // srtpdec and rtpsession passed it as RTP; anything else is not ours to judge.
    return pushOn(jb, buf);
  }
  auto seq = static_cast<uint16_t>((h[2] << 8) | h[3]);
  guint32 ssrc = (guint32(h[8]) << 24) | (guint32(h[9]) << 16) | (guint32(h[10]) << 8) | h[11];
  std::vector<uint16_t> nacks;
  bool forward;
  {
    std::lock_guard lock(jb->mu);
    forward = jb->gaps->onPacket(seq, g_get_monotonic_time() / 1000,
                                 jb->retransmit.load(std::memory_order_relaxed) ? &nacks : nullptr);
  }
  if (!nacks.empty()) {
    GST_LOG_OBJECT(jb, "ssrc %08x: asking again for %zu packet(s) before #%u", ssrc, nacks.size(),
                   seq);
    sendRequests(jb, ssrc, nacks, GST_BUFFER_DTS(buf));
  }
  if (!forward) {
    gst_buffer_unref(buf);
    return GST_FLOW_OK;
  }
  // rtpjitterbuffer gives its output a PTS (from the arrival time, DTS); downstream sender
  // reports map RTP time to it.
  if (!GST_BUFFER_PTS_IS_VALID(buf) && GST_BUFFER_DTS_IS_VALID(buf)) {
    buf = gst_buffer_make_writable(buf);
    GST_BUFFER_PTS(buf) = GST_BUFFER_DTS(buf);
  }
  return pushOn(jb, buf);
}

gboolean srcQuery(GstPad* pad, GstObject* parent, GstQuery* query) {
  Instance* jb = self(parent);
  if (GST_QUERY_TYPE(query) == GST_QUERY_LATENCY) {
    // Nothing is held: upstream's latency stands as it is.
    return gst_pad_peer_query(jb->sink, query);
  }
  return gst_pad_query_default(pad, parent, query);
}

GstIterator* internalLinks(GstPad* pad, GstObject* parent) {
  Instance* jb = self(parent);
  GstPad* other = pad == jb->src ? jb->sink : pad == jb->sink ? jb->src : nullptr;
  if (!other) return nullptr;
  GValue v = G_VALUE_INIT;
  g_value_init(&v, GST_TYPE_PAD);
  g_value_set_object(&v, other);
  GstIterator* it = gst_iterator_new_single(GST_TYPE_PAD, &v);
  g_value_unset(&v);
  return it;
}

GstFlowReturn rtcpChain(GstPad*, GstObject*, GstBuffer* buf) {
  gst_buffer_unref(buf);
  return GST_FLOW_OK;
}

gboolean rtcpEvent(GstPad* pad, GstObject* parent, GstEvent* event) {
  // Its stream's events (caps, segment, EOS) concern nobody downstream.
  (void)pad;
  (void)parent;
  gst_event_unref(event);
  return TRUE;
}

GstPad* requestNewPad(GstElement* element, GstPadTemplate* templ, const gchar*, const GstCaps*) {
  if (GST_PAD_TEMPLATE_DIRECTION(templ) != GST_PAD_SINK ||
      g_strcmp0(GST_PAD_TEMPLATE_NAME_TEMPLATE(templ), "sink_rtcp") != 0) {
    return nullptr;
  }
  if (GstPad* existing = gst_element_get_static_pad(element, "sink_rtcp")) {
    gst_object_unref(existing);
    return nullptr;
  }
  GstPad* pad = gst_pad_new_from_template(templ, "sink_rtcp");
  gst_pad_set_chain_function(pad, rtcpChain);
  gst_pad_set_event_function(pad, rtcpEvent);
  gst_pad_set_active(pad, TRUE);
  gst_element_add_pad(element, pad);
  return pad;
}

void releasePad(GstElement* element, GstPad* pad) {
  gst_pad_set_active(pad, FALSE);
  gst_element_remove_pad(element, pad);
}

GstStructure* stats(Instance* jb) {
  SequenceGaps::Counts c;
  {
    std::lock_guard lock(jb->mu);
    c = jb->gaps->counts();
  }
  return gst_structure_new(
      "application/x-rtp-jitterbuffer-stats", "num-pushed", G_TYPE_UINT64, c.forwarded, "num-lost",
      G_TYPE_UINT64, c.lost, "num-late", G_TYPE_UINT64, c.late, "num-duplicates", G_TYPE_UINT64,
      c.duplicates, "avg-jitter", G_TYPE_UINT64, guint64(0), "rtx-count", G_TYPE_UINT64, c.requests,
      "rtx-success-count", G_TYPE_UINT64, c.recovered, "rtx-per-packet", G_TYPE_DOUBLE,
      c.recovered ? double(c.requests) / double(c.recovered) : 0.0, "rtx-rtt", G_TYPE_UINT64,
      guint64(0), nullptr);
}

void setProperty(GObject* object, guint id, const GValue* value, GParamSpec* pspec) {
  Instance* jb = self(object);
  switch (id) {
    case PROP_LATENCY:
      jb->latencyMs = g_value_get_uint(value);
      break;
    case PROP_DO_RETRANSMISSION:
      jb->retransmit = g_value_get_boolean(value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
  }
}

void getProperty(GObject* object, guint id, GValue* value, GParamSpec* pspec) {
  Instance* jb = self(object);
  switch (id) {
    case PROP_LATENCY:
      g_value_set_uint(value, jb->latencyMs);
      break;
    case PROP_DO_RETRANSMISSION:
      g_value_set_boolean(value, jb->retransmit);
      break;
    case PROP_STATS:
      g_value_take_boxed(value, stats(jb));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
  }
}

void finalize(GObject* object) {
  Instance* jb = self(object);
  delete jb->gaps;
  jb->mu.~mutex();
  jb->latencyMs.~atomic();
  jb->retransmit.~atomic();
  G_OBJECT_CLASS(parentClass)->finalize(object);
}

void instanceInit(GTypeInstance* instance, gpointer) {
  Instance* jb = self(instance);
  new (&jb->latencyMs) std::atomic<guint>(200);
  new (&jb->retransmit) std::atomic<bool>(false);
  new (&jb->mu) std::mutex();
  jb->gaps = new SequenceGaps();
  jb->sink = gst_pad_new_from_static_template(&sinkTemplate, "sink");
  gst_pad_set_chain_function(jb->sink, chain);
  gst_pad_set_iterate_internal_links_function(jb->sink, internalLinks);
  GST_PAD_SET_PROXY_CAPS(jb->sink);
  GST_PAD_SET_PROXY_ALLOCATION(jb->sink);
  gst_element_add_pad(GST_ELEMENT(jb), jb->sink);
  jb->src = gst_pad_new_from_static_template(&srcTemplate, "src");
  gst_pad_set_query_function(jb->src, srcQuery);
  gst_pad_set_iterate_internal_links_function(jb->src, internalLinks);
  GST_PAD_SET_PROXY_CAPS(jb->src);
  gst_element_add_pad(GST_ELEMENT(jb), jb->src);
}

void classInit(gpointer klass, gpointer) {
  parentClass = GST_ELEMENT_CLASS(g_type_class_peek_parent(klass));
  auto* oc = G_OBJECT_CLASS(klass);
  oc->set_property = setProperty;
  oc->get_property = getProperty;
  oc->finalize = finalize;
  g_object_class_install_property(
      oc, PROP_LATENCY,
      g_param_spec_uint("latency", "Latency", "Kept for rtpbin; nothing is held (ms)", 0, G_MAXUINT,
                        200, static_cast<GParamFlags>(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS)));
  g_object_class_install_property(
      oc, PROP_DO_RETRANSMISSION,
      g_param_spec_boolean("do-retransmission", "Do retransmission",
                           "Ask upstream for missing packets", FALSE,
                           static_cast<GParamFlags>(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS)));
  g_object_class_install_property(
      oc, PROP_STATS,
      g_param_spec_boxed("stats", "Statistics", "What the sequence numbers said",
                         GST_TYPE_STRUCTURE,
                         static_cast<GParamFlags>(G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)));
  auto* ec = GST_ELEMENT_CLASS(klass);
  ec->request_new_pad = requestNewPad;
  ec->release_pad = releasePad;
  gst_element_class_add_static_pad_template(ec, &sinkTemplate);
  gst_element_class_add_static_pad_template(ec, &srcTemplate);
  gst_element_class_add_static_pad_template(ec, &rtcpTemplate);
  gst_element_class_set_static_metadata(
      ec, "Carrel pass-through jitterbuffer", "Filter/Network/RTP",
      "Forwards RTP at once, drops duplicates, NACKs gaps", "Carrel");
}

}  // namespace

GType PassThroughJitterbuffer::type() {
  static gsize id = 0;
  if (g_once_init_enter(&id)) {
    GST_DEBUG_CATEGORY_INIT(carrel_sfu_passthrough_jb, "carrel-sfu-passthrough-jb", 0,
                            "Carrel SFU: publish jitterbuffer that holds nothing");
    GType t = g_type_register_static_simple(GST_TYPE_ELEMENT, "CarrelPassThroughJitterbuffer",
                                            sizeof(Class), classInit, sizeof(Instance),
                                            instanceInit, static_cast<GTypeFlags>(0));
    g_once_init_leave(&id, t);
  }
  return static_cast<GType>(id);
}

GstElement* PassThroughJitterbuffer::create() {
  return GST_ELEMENT(g_object_new(type(), nullptr));
}

GstElement* PassThroughJitterbuffer::onRequestJitterbuffer(GstElement*, guint, gpointer) {
  return create();
}

}  // namespace carrel::sfu
