#include "TrackProbe.hpp"

#include <gst/gst.h>

#include <atomic>

#include "GPtr.hpp"
#include "TrackSource.hpp"

namespace carrel::recorder {

namespace {
struct Counts {
  std::atomic<uint64_t> frames{0};
  std::atomic<int64_t> firstNs{-1};
  std::atomic<int64_t> lastNs{0};
};

GstPadProbeReturn onFrame(GstPad*, GstPadProbeInfo* info, gpointer data) {
  auto* c = static_cast<Counts*>(data);
  GstBuffer* b = GST_PAD_PROBE_INFO_BUFFER(info);
  ++c->frames;
  if (b && GST_BUFFER_PTS_IS_VALID(b)) {
    auto t = static_cast<int64_t>(GST_BUFFER_PTS(b));
    int64_t none = -1;
    c->firstNs.compare_exchange_strong(none, t);
    c->lastNs = t;
  }
  return GST_PAD_PROBE_OK;
}
}  // namespace

TrackProbeResult TrackProbe::decode(const std::string& path, int timeoutSeconds) {
  TrackProbeResult r;
  if (!gst_is_initialized()) gst_init(nullptr, nullptr);
  TrackSource source;
  // Session start 0: timestamps are then the SFU's wall clock itself.
  if (!source.open(path, 0, 0, &r.error)) return r;
  r.encoding = source.encodingName();
  GstElement* src = source.makeAppSrc();
  GstElement* dec = source.makeDecoder();
  if (!src || !dec) {
    r.error = "no decoder for '" + r.encoding + "'";
    if (src) gst_object_unref(gst_object_ref_sink(src));
    if (dec) gst_object_unref(gst_object_ref_sink(dec));
    return r;
  }
  GstElement* sink = gst_element_factory_make("fakesink", nullptr);
  g_object_set(sink, "sync", FALSE, nullptr);
  GstElement* pipe = gst_pipeline_new("track-probe");
  gst_bin_add_many(GST_BIN(pipe), src, dec, sink, nullptr);
  Counts c;
  if (!gst_element_link_many(src, dec, sink, nullptr)) {
    r.error = "cannot link the decoder";
  } else {
    GstPad* pad = gst_element_get_static_pad(sink, "sink");
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, onFrame, &c, nullptr);
    gst_object_unref(pad);
    gst_element_set_state(pipe, GST_STATE_PLAYING);
    GstBus* bus = gst_element_get_bus(pipe);
    GstMessage* m = gst_bus_timed_pop_filtered(
        bus, static_cast<GstClockTime>(timeoutSeconds) * GST_SECOND,
        static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
    if (!m) {
      r.error = "decoding did not finish in time";
    } else if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR) {
      GError* raw = nullptr;
      gst_message_parse_error(m, &raw, nullptr);
      GErrorPtr err(raw);
      r.error = err ? err->message : "decode error";
    } else {
      r.ok = true;
    }
    if (m) gst_message_unref(m);
    gst_object_unref(bus);
  }
  gst_element_set_state(pipe, GST_STATE_NULL);
  gst_object_unref(pipe);
  r.packets = source.pushed();
  r.truncated = source.truncated();
  r.frames = c.frames;
  r.firstFrameUs = c.firstNs.load() < 0 ? 0 : c.firstNs.load() / 1000;
  r.lastFrameUs = c.lastNs.load() / 1000;
  return r;
}

}  // namespace carrel::recorder
