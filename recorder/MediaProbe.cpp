#include "MediaProbe.hpp"

#include <gst/gst.h>

#include <atomic>
#include <mutex>

#include "GPtr.hpp"

namespace carrel::recorder {

namespace {

struct Counts {
  std::atomic<uint64_t> videoFrames{0};
  std::atomic<uint64_t> audioBuffers{0};
  std::atomic<int64_t> videoEndNs{0};
  std::atomic<int64_t> audioEndNs{0};
  std::atomic<int> width{0};
  std::atomic<int> height{0};
  GstElement* pipeline = nullptr;
};

void raiseTo(std::atomic<int64_t>& v, int64_t x) {
  int64_t cur = v.load();
  while (x > cur && !v.compare_exchange_weak(cur, x)) {
  }
}

GstPadProbeReturn onBuffer(GstPad* pad, GstPadProbeInfo* info, gpointer data) {
  auto* c = static_cast<Counts*>(data);
  GstBuffer* b = GST_PAD_PROBE_INFO_BUFFER(info);
  bool video = g_object_get_data(G_OBJECT(pad), "carrel-video") != nullptr;
  int64_t end = -1;
  if (GST_BUFFER_PTS_IS_VALID(b)) {
    end = static_cast<int64_t>(GST_BUFFER_PTS(b));
    if (GST_BUFFER_DURATION_IS_VALID(b)) end += static_cast<int64_t>(GST_BUFFER_DURATION(b));
  }
  if (video) {
    ++c->videoFrames;
    if (end >= 0) raiseTo(c->videoEndNs, end);
  } else {
    ++c->audioBuffers;
    if (end >= 0) raiseTo(c->audioEndNs, end);
  }
  return GST_PAD_PROBE_OK;
}

void onPadAdded(GstElement*, GstPad* pad, gpointer data) {
  auto* c = static_cast<Counts*>(data);
  GstCaps* caps = gst_pad_get_current_caps(pad);
  if (!caps) caps = gst_pad_query_caps(pad, nullptr);
  const GstStructure* s = gst_caps_get_structure(caps, 0);
  bool video = g_str_has_prefix(gst_structure_get_name(s), "video/");
  if (video) {
    int w = 0, h = 0;
    gst_structure_get_int(s, "width", &w);
    gst_structure_get_int(s, "height", &h);
    c->width = w;
    c->height = h;
  }
  gst_caps_unref(caps);
  GstElement* sink = gst_element_factory_make("fakesink", nullptr);
  g_object_set(sink, "sync", FALSE, nullptr);
  gst_bin_add(GST_BIN(c->pipeline), sink);
  gst_element_sync_state_with_parent(sink);
  GstPad* sinkPad = gst_element_get_static_pad(sink, "sink");
  if (video) g_object_set_data(G_OBJECT(sinkPad), "carrel-video", GINT_TO_POINTER(1));
  gst_pad_add_probe(sinkPad, GST_PAD_PROBE_TYPE_BUFFER, onBuffer, c, nullptr);
  gst_pad_link(pad, sinkPad);
  gst_object_unref(sinkPad);
}

}  // namespace

MediaProbeResult MediaProbe::decodeFile(const std::string& path, int timeoutSeconds) {
  MediaProbeResult r;
  if (!gst_is_initialized()) gst_init(nullptr, nullptr);
  Counts c;
  GstElement* pipeline = gst_pipeline_new("probe");
  GstElement* src = gst_element_factory_make("filesrc", nullptr);
  GstElement* dec = gst_element_factory_make("decodebin", nullptr);
  if (!pipeline || !src || !dec) {
    r.error = "filesrc or decodebin missing";
    return r;
  }
  c.pipeline = pipeline;
  g_object_set(src, "location", path.c_str(), nullptr);
  gst_bin_add_many(GST_BIN(pipeline), src, dec, nullptr);
  gst_element_link(src, dec);
  g_signal_connect(dec, "pad-added", G_CALLBACK(onPadAdded), &c);
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  GstBus* bus = gst_element_get_bus(pipeline);
  GstMessage* m =
      gst_bus_timed_pop_filtered(bus, static_cast<GstClockTime>(timeoutSeconds) * GST_SECOND,
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
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(pipeline);
  r.videoFrames = c.videoFrames;
  r.audioBuffers = c.audioBuffers;
  r.videoEndMs = c.videoEndNs / 1000000;
  r.audioEndMs = c.audioEndNs / 1000000;
  r.width = c.width;
  r.height = c.height;
  return r;
}

int64_t MediaProbe::frameAfterSeek(const std::string& path, int64_t positionMs, std::string* error,
                                   int timeoutSeconds) {
  if (!gst_is_initialized()) gst_init(nullptr, nullptr);
  GError* raw = nullptr;
  // Only the video pad links (the caps filter); the audio pad stays unlinked.
  GstElement* pipeline = gst_parse_launch(
      "filesrc name=src ! decodebin ! video/x-raw ! queue ! appsink name=sink sync=false", &raw);
  GErrorPtr parseError(raw);
  if (!pipeline) {
    *error = parseError ? parseError->message : "no pipeline";
    return -1;
  }
  struct Owner {
    GstElement* p;
    ~Owner() {
      gst_element_set_state(p, GST_STATE_NULL);
      gst_object_unref(p);
    }
  } owner{pipeline};
  GstElement* src = gst_bin_get_by_name(GST_BIN(pipeline), "src");
  g_object_set(src, "location", path.c_str(), nullptr);
  gst_object_unref(src);
  GstClockTime wait = static_cast<GstClockTime>(timeoutSeconds) * GST_SECOND;
  if (gst_element_set_state(pipeline, GST_STATE_PAUSED) == GST_STATE_CHANGE_FAILURE ||
      gst_element_get_state(pipeline, nullptr, nullptr, wait) != GST_STATE_CHANGE_SUCCESS) {
    *error = "the file does not preroll";
    return -1;
  }
  if (!gst_element_seek_simple(
          pipeline, GST_FORMAT_TIME,
          static_cast<GstSeekFlags>(GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_ACCURATE),
          positionMs * GST_MSECOND) ||
      gst_element_get_state(pipeline, nullptr, nullptr, wait) != GST_STATE_CHANGE_SUCCESS) {
    *error = "the seek failed";
    return -1;
  }
  GstElement* sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
  GstSample* sample = nullptr;
  g_signal_emit_by_name(sink, "pull-preroll", &sample);
  gst_object_unref(sink);
  if (!sample) {
    *error = "no frame after the seek";
    return -1;
  }
  GstBuffer* b = gst_sample_get_buffer(sample);
  int64_t ms =
      b && GST_BUFFER_PTS_IS_VALID(b) ? static_cast<int64_t>(GST_BUFFER_PTS(b) / GST_MSECOND) : -1;
  gst_sample_unref(sample);
  if (ms < 0) *error = "a frame without a time";
  return ms;
}

}  // namespace carrel::recorder
