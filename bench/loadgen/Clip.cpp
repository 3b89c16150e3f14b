#include "Clip.hpp"

#include <gst/app/gstappsink.h>

#include <algorithm>

#include "GPtr.hpp"
#include "GstPtr.hpp"

namespace carrel::bench {

namespace {

void drain(GstElement* sink, std::vector<ClipFrame>* out, GstCapsPtr* caps) {
  while (GstSample* sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 10 * GST_SECOND)) {
    if (!*caps && gst_sample_get_caps(sample))
      caps->reset(gst_caps_copy(gst_sample_get_caps(sample)));
    GstBuffer* buf = gst_sample_get_buffer(sample);
    if (buf && GST_BUFFER_PTS_IS_VALID(buf)) {
      bool key = !GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT);
      out->push_back(ClipFrame{gst_buffer_ref(buf), GST_BUFFER_PTS(buf), key});
    }
    gst_sample_unref(sample);
  }
}

}  // namespace

constexpr const char* kQueue = "queue max-size-buffers=0 max-size-bytes=0 max-size-time=0";

std::unique_ptr<Clip> Clip::load(const std::string& path, std::string* error) {
  std::string d = std::string("filesrc location=\"") + path +
                  "\" ! matroskademux name=d "
                  "d. ! video/x-vp8 ! " +
                  kQueue +
                  " ! appsink name=v sync=false max-buffers=0 "
                  "d. ! audio/x-opus ! " +
                  kQueue + " ! appsink name=a sync=false max-buffers=0";
  GError* raw = nullptr;
  GstElementPtr pipe(gst_parse_launch(d.c_str(), &raw));
  GErrorPtr err(raw);
  if (!pipe) {
    *error = "cannot read " + path + ": " + (err ? err->message : "?");
    return nullptr;
  }
  GstElementPtr v(gst_bin_get_by_name(GST_BIN(pipe.get()), "v"));
  GstElementPtr a(gst_bin_get_by_name(GST_BIN(pipe.get()), "a"));
  // The demuxer feeds both sinks from one thread: without the queues, the first sink to
  // preroll would block it before the other got a buffer. An appsink holds EOS back until it
  // is drained, so both are drained while the pipeline runs (each ends at its EOS).
  gst_element_set_state(pipe.get(), GST_STATE_PLAYING);
  auto clip = std::unique_ptr<Clip>(new Clip());
  drain(v.get(), &clip->video_, &clip->videoCaps_);
  drain(a.get(), &clip->audio_, &clip->audioCaps_);
  GstBusPtr bus(gst_element_get_bus(pipe.get()));
  GstMessage* msg = gst_bus_timed_pop_filtered(
      bus.get(), 5 * GST_SECOND, static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  bool ok = msg && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS;
  if (msg) gst_message_unref(msg);
  gst_element_set_state(pipe.get(), GST_STATE_NULL);
  if (!ok || clip->video_.empty() || clip->audio_.empty() || !clip->video_.front().keyframe) {
    *error = path + ": not a WebM with VP8 (starting on a keyframe) and Opus (" +
             (ok ? "read " : "no EOS, ") + std::to_string(clip->video_.size()) + " video, " +
             std::to_string(clip->audio_.size()) + " audio frames)";
    return nullptr;
  }
  GstClockTime frame = clip->video_.size() > 1 ? clip->video_[1].pts - clip->video_[0].pts : 0;
  clip->duration_ = std::max(clip->video_.back().pts + frame, clip->audio_.back().pts);
  return clip;
}

Clip::~Clip() {
  for (auto* list : {&video_, &audio_}) {
    for (ClipFrame& f : *list) gst_buffer_unref(f.buffer);
  }
}

}  // namespace carrel::bench
