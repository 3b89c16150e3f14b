#include "TrackForwarder.hpp"

#include <gst/rtp/rtp.h>
#include <gst/video/video.h>

#include "ChainPast.hpp"
#include "CodecCaps.hpp"
#include "ElementLookup.hpp"
#include "KeyframeThrottle.hpp"

GST_DEBUG_CATEGORY_STATIC(carrel_sfu_track);
#define GST_CAT_DEFAULT carrel_sfu_track

namespace carrel::sfu {

struct TrackForwarder::ProbeState {
  std::string name;
  int canonicalPt = -1;
  int publisherPt = -1;
  guint ssrc = 0;
  bool hasSsrc = false;
  GstCapsPtr caps;
  KeyframeThrottle throttle{kKeyframeIntervalUs};
  std::atomic<bool> muted{false};
  std::atomic<bool> ended{false};
  std::atomic<uint64_t> packets{0};  // arrived from the publisher (muted or not)
  GstPad* teeSink = nullptr;         // weak: the probe lives on this pad
};

namespace {

void initDebug() {
  static gsize once = 0;
  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(carrel_sfu_track, "carrel-sfu-track", 0, "Carrel SFU track forwarding");
    g_once_init_leave(&once, 1);
  }
}

// Rewrites the payload type in place when it differs; returns the (possibly new) buffer.
GstBuffer* rewritePayload(GstBuffer* buffer, int canonicalPt) {
  guint8 second = 0;
  if (gst_buffer_extract(buffer, 1, &second, 1) != 1) return buffer;
  if ((second & 0x7f) == canonicalPt) return buffer;
  buffer = gst_buffer_make_writable(buffer);
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  if (gst_rtp_buffer_map(buffer, GST_MAP_WRITE, &rtp)) {
    gst_rtp_buffer_set_payload_type(&rtp, static_cast<guint8>(canonicalPt));
    gst_rtp_buffer_unmap(&rtp);
  }
  return buffer;
}

}  // namespace

void TrackForwarder::scheduleRetry(ProbeState* st, gint64 delayUs) {
  // g_timeout_add is safe from any thread; the pad reference keeps the target alive.
  auto* pad = static_cast<GstPad*>(gst_object_ref(st->teeSink));
  g_timeout_add_full(
      G_PRIORITY_DEFAULT, static_cast<guint>(delayUs / 1000) + 1,
      [](gpointer d) -> gboolean {
        auto* p = static_cast<GstPad*>(d);
        gst_pad_push_event(
            p, gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, TRUE, 0));
        return G_SOURCE_REMOVE;
      },
      pad, [](gpointer d) { gst_object_unref(d); });
}

GstPadProbeReturn TrackForwarder::onProbe(GstPad*, GstPadProbeInfo* info, gpointer data) {
  auto* st = static_cast<std::shared_ptr<ProbeState>*>(data)->get();
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    st->packets.fetch_add(1, std::memory_order_relaxed);
  } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    st->packets.fetch_add(gst_buffer_list_length(GST_PAD_PROBE_INFO_BUFFER_LIST(info)),
                          std::memory_order_relaxed);
  }
  if ((info->type & (GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST)) &&
      (st->muted.load(std::memory_order_relaxed) || st->ended.load(std::memory_order_relaxed))) {
    return GST_PAD_PROBE_DROP;
  }
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    if (st->canonicalPt < 0) return GST_PAD_PROBE_OK;
    GST_PAD_PROBE_INFO_DATA(info) =
        rewritePayload(GST_PAD_PROBE_INFO_BUFFER(info), st->canonicalPt);
    return GST_PAD_PROBE_OK;
  }
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    if (st->canonicalPt < 0) return GST_PAD_PROBE_OK;
    GstBufferList* list = gst_buffer_list_make_writable(GST_PAD_PROBE_INFO_BUFFER_LIST(info));
    for (guint i = 0; i < gst_buffer_list_length(list); ++i) {
      GstBuffer* b = gst_buffer_list_get_writable(list, i);
      GstBuffer* out = rewritePayload(gst_buffer_ref(b), st->canonicalPt);
      gst_buffer_unref(out);
    }
    GST_PAD_PROBE_INFO_DATA(info) = list;
    return GST_PAD_PROBE_OK;
  }
  GstEvent* event = GST_PAD_PROBE_INFO_EVENT(info);
  if (!event) return GST_PAD_PROBE_OK;
  if (GST_EVENT_TYPE(event) == GST_EVENT_EOS) {
    // webrtcbin 1.22 sends EOS out of a src pad whose m-line a re-offer made inactive (a
    // stopped screen share). Through the tee it would reach every subscriber's bundled
    // transport, whose rtpfunnel passes it on: all their streams would stop.
    GST_INFO("%s: EOS from the publisher dropped", st->name.c_str());
    return GST_PAD_PROBE_DROP;
  }
  if (GST_EVENT_TYPE(event) == GST_EVENT_CAPS) {
    // Subscribers see the canonical payload and no extmap fields (see CodecCaps.hpp).
    gst_event_unref(event);
    GST_PAD_PROBE_INFO_DATA(info) = gst_event_new_caps(st->caps.get());
    return GST_PAD_PROBE_OK;
  }
  if (GST_EVENT_TYPE(event) == GST_EVENT_CUSTOM_UPSTREAM &&
      gst_video_event_is_force_key_unit(event)) {
    gint64 retryIn = 0;
    switch (st->throttle.request(g_get_monotonic_time(), &retryIn)) {
      case KeyframeThrottle::Decision::Defer:
        scheduleRetry(st, retryIn);
        GST_LOG("%s: keyframe request deferred (throttled)", st->name.c_str());
        return GST_PAD_PROBE_DROP;
      case KeyframeThrottle::Decision::Drop:
        return GST_PAD_PROBE_DROP;
      case KeyframeThrottle::Decision::Send:
        break;
    }
    // The publisher's rtpsession turns this into PLI/FIR only for its own ssrc and payload.
    // A subscriber's PLI arrives as an event its rtpsession stamped with an ssrc; the SFU's
    // own requests carry none. Logged so a test can tell them apart.
    bool fromSubscriber = gst_structure_has_field(gst_event_get_structure(event), "ssrc");
    event = gst_event_make_writable(event);
    GstStructure* s = gst_event_writable_structure(event);
    if (st->publisherPt >= 0)
      gst_structure_set(s, "payload", G_TYPE_UINT, st->publisherPt, nullptr);
    if (st->hasSsrc) gst_structure_set(s, "ssrc", G_TYPE_UINT, st->ssrc, nullptr);
    GST_PAD_PROBE_INFO_DATA(info) = event;
    guint n = st->throttle.sent();
    GST_INFO("%s: keyframe request #%u to the publisher (from %s)", st->name.c_str(), n,
             fromSubscriber ? "a subscriber" : "the SFU");
  }
  return GST_PAD_PROBE_OK;
}

std::shared_ptr<TrackForwarder> TrackForwarder::create(GstElement* pipeline, GstPad* publisherPad,
                                                       const std::string& publisherId,
                                                       const std::string& trackId,
                                                       const std::string& source,
                                                       const std::string& mid) {
  initDebug();
  GstCapsPtr padCaps(gst_pad_get_current_caps(publisherPad));
  if (!padCaps) padCaps.reset(gst_pad_query_caps(publisherPad, nullptr));
  GstCapsPtr fwd = forwardCaps(padCaps.get());
  if (!fwd) {
    GST_WARNING("%s/%s: cannot forward caps %" GST_PTR_FORMAT, publisherId.c_str(), trackId.c_str(),
                static_cast<void*>(padCaps.get()));
    return nullptr;
  }
  std::shared_ptr<TrackForwarder> t(new TrackForwarder());
  t->trackId_ = trackId;
  t->kind_ = mediaKind(fwd.get());
  t->source_ = !source.empty() ? source : t->kind_ == "audio" ? "microphone" : "camera";
  t->mid_ = mid;
  t->pipeline_.reset(GST_ELEMENT(gst_object_ref(pipeline)));
  t->publisherPad_.reset(GST_PAD(gst_object_ref(publisherPad)));

  auto st = std::make_shared<ProbeState>();
  st->name = publisherId + "/" + trackId;
  const GstStructure* in = gst_caps_get_structure(padCaps.get(), 0);
  const GstStructure* out = gst_caps_get_structure(fwd.get(), 0);
  gint pt = -1;
  if (gst_structure_get_int(in, "payload", &pt)) st->publisherPt = pt;
  gst_structure_get_int(out, "payload", &st->canonicalPt);
  st->hasSsrc = gst_structure_get_uint(in, "ssrc", &st->ssrc);
  st->caps.reset(gst_caps_ref(fwd.get()));
  t->caps_ = std::move(fwd);
  t->probe_ = st;

  std::string name = "tee-" + publisherId + "-" + trackId;
  GstElement* tee = gst_element_factory_make("tee", name.c_str());
  if (!tee) return nullptr;
  t->tee_.reset(GST_ELEMENT(gst_object_ref_sink(tee)));
  g_object_set(tee, "allow-not-linked", TRUE, nullptr);
  gst_bin_add(GST_BIN(pipeline), tee);
  gst_element_sync_state_with_parent(tee);
  GstPadPtr sink(gst_element_get_static_pad(tee, "sink"));
  st->teeSink = sink.get();
  gst_pad_add_probe(sink.get(),
                    static_cast<GstPadProbeType>(
                        GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST |
                        GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM | GST_PAD_PROBE_TYPE_EVENT_UPSTREAM),
                    &TrackForwarder::onProbe, new std::shared_ptr<ProbeState>(st),
                    [](gpointer d) { delete static_cast<std::shared_ptr<ProbeState>*>(d); });
  if (GST_PAD_LINK_FAILED(gst_pad_link(publisherPad, sink.get()))) {
    GST_ERROR("%s: cannot link the publisher pad to its tee", st->name.c_str());
    t->teardown();
    return nullptr;
  }
  GST_INFO("%s: forwarding %" GST_PTR_FORMAT " as %" GST_PTR_FORMAT, st->name.c_str(),
           static_cast<void*>(padCaps.get()), static_cast<void*>(t->caps_.get()));
  return t;
}

TrackForwarder::~TrackForwarder() {
  teardown();
}

void TrackForwarder::requestKeyframe() {
  if (!tee_ || kind_ != "video") return;
  GstPadPtr sink(gst_element_get_static_pad(tee_.get(), "sink"));
  gst_pad_push_event(sink.get(),
                     gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, TRUE, 0));
}

guint TrackForwarder::keyframeRequests() const {
  return probe_ ? probe_->throttle.sent() : 0;
}

void TrackForwarder::setMuted(bool muted) {
  if (!probe_) return;
  bool was = probe_->muted.exchange(muted);
  if (was != muted) GST_INFO("%s: %s", probe_->name.c_str(), muted ? "muted" : "unmuted");
  if (was && !muted) requestKeyframe();
}

void TrackForwarder::end() {
  if (probe_ && !probe_->ended.exchange(true)) GST_INFO("%s: ended", probe_->name.c_str());
}

bool TrackForwarder::muted() const {
  return probe_ && probe_->muted.load();
}

uint64_t TrackForwarder::packets() const {
  return probe_ ? probe_->packets.load() : 0;
}

void TrackForwarder::skipGhostPads() {
  if (!tee_ || innerProbe_) return;
  GstPadPtr sink(gst_element_get_static_pad(tee_.get(), "sink"));
  GstPadPtr inner = ElementLookup::realPeer(sink.get());
  gulong id = inner ? ChainPast::pastGhosts(inner.get()) : 0;
  if (!id) return;
  innerPad_ = std::move(inner);
  innerProbe_ = id;
}

void TrackForwarder::teardown() {
  if (!tee_) return;
  if (probe_) {
    GST_INFO("%s: %" G_GUINT64_FORMAT " packets from the publisher", probe_->name.c_str(),
             probe_->packets.load());
  }
  if (innerProbe_) gst_pad_remove_probe(innerPad_.get(), innerProbe_);
  innerProbe_ = 0;
  innerPad_.reset();
  GstPadPtr sink(gst_element_get_static_pad(tee_.get(), "sink"));
  if (publisherPad_) gst_pad_unlink(publisherPad_.get(), sink.get());
  gst_element_set_state(tee_.get(), GST_STATE_NULL);
  gst_bin_remove(GST_BIN(pipeline_.get()), tee_.get());
  tee_.reset();
  publisherPad_.reset();
}

}  // namespace carrel::sfu
