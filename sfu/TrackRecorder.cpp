#include "TrackRecorder.hpp"

#include <gst/app/gstappsink.h>

#include "GPtr.hpp"

GST_DEBUG_CATEGORY_STATIC(carrel_sfu_rec);
#define GST_CAT_DEFAULT carrel_sfu_rec

namespace carrel::sfu {

namespace {
using WriterRef = std::shared_ptr<recorder::RtpLogWriter>;
}

GstFlowReturn TrackRecorder::onSample(GstAppSink* sink, gpointer data) {
  auto& writer = *static_cast<WriterRef*>(data);
  GstSample* sample = gst_app_sink_pull_sample(sink);
  if (!sample) return GST_FLOW_OK;
  if (!writer->hasHeader()) {
    GstCaps* caps = gst_sample_get_caps(sample);
    GCharPtr text(caps ? gst_caps_to_string(caps) : g_strdup("application/x-rtp"));
    writer->writeHeader(text.get());
  }
  GstBuffer* buffer = gst_sample_get_buffer(sample);
  GstMapInfo map;
  if (buffer && gst_buffer_map(buffer, &map, GST_MAP_READ)) {
    writer->append(g_get_real_time(), map.data, map.size);
    gst_buffer_unmap(buffer, &map);
  }
  gst_sample_unref(sample);
  return GST_FLOW_OK;
}

std::unique_ptr<TrackRecorder> TrackRecorder::create(GstElement* pipeline,
                                                     const std::shared_ptr<TrackForwarder>& track,
                                                     const std::string& path, std::string* error) {
  static gsize once = 0;
  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(carrel_sfu_rec, "carrel-sfu-rec", 0, "Carrel SFU recording");
    g_once_init_leave(&once, 1);
  }
  if (!track || !track->tee()) {
    *error = "the track has no tee";
    return nullptr;
  }
  std::unique_ptr<TrackRecorder> r(new TrackRecorder());
  r->writer_ = std::make_shared<recorder::RtpLogWriter>();
  if (!r->writer_->open(path, error)) return nullptr;
  r->pipeline_.reset(GST_ELEMENT(gst_object_ref(pipeline)));
  GstElement* queue = gst_element_factory_make("queue", nullptr);
  GstElement* sink = gst_element_factory_make("appsink", nullptr);
  if (!queue || !sink) {
    if (queue) gst_object_unref(gst_object_ref_sink(queue));
    if (sink) gst_object_unref(gst_object_ref_sink(sink));
    *error = "queue or appsink missing";
    return nullptr;
  }
  r->queue_.reset(GST_ELEMENT(gst_object_ref_sink(queue)));
  r->sink_.reset(GST_ELEMENT(gst_object_ref_sink(sink)));
  g_object_set(queue, "leaky", 2 /* downstream: drop the oldest */, "max-size-buffers",
               kQueuePackets, "max-size-bytes", 0u, "max-size-time", guint64(0), nullptr);
  // No clock: packets are written as they come; async=false: no preroll in a live pipeline.
  g_object_set(sink, "sync", FALSE, "async", FALSE, "enable-last-sample", FALSE, "max-buffers", 0u,
               nullptr);
  // A callback, not the new-sample signal: no signal emission per recorded packet.
  GstAppSinkCallbacks callbacks{};
  callbacks.new_sample = &TrackRecorder::onSample;
  gst_app_sink_set_callbacks(GST_APP_SINK(sink), &callbacks, new WriterRef(r->writer_),
                             [](gpointer d) { delete static_cast<WriterRef*>(d); });
  gst_bin_add_many(GST_BIN(pipeline), queue, sink, nullptr);
  if (!gst_element_link(queue, sink)) {
    *error = "cannot link the recording branch";
    r->stop();
    return nullptr;
  }
  gst_element_sync_state_with_parent(sink);
  gst_element_sync_state_with_parent(queue);
  GstPadPtr qsink(gst_element_get_static_pad(queue, "sink"));
  r->teeSrc_.reset(gst_element_request_pad_simple(track->tee(), "src_%u"));
  if (!r->teeSrc_ || GST_PAD_LINK_FAILED(gst_pad_link(r->teeSrc_.get(), qsink.get()))) {
    *error = "cannot link the recording branch to the tee";
    r->stop();
    return nullptr;
  }
  // A recording that starts mid-GOP would decode nothing until the next keyframe.
  track->requestKeyframe();
  GST_INFO("recording %s to %s", track->trackId().c_str(), path.c_str());
  return r;
}

TrackRecorder::~TrackRecorder() {
  stop();
}

void TrackRecorder::flush() {
  if (writer_) writer_->flush();
}

void TrackRecorder::stop() {
  if (teeSrc_) {
    // As SubscribeConnection does: unlink, then release the request pad.
    GstElementPtr tee(gst_pad_get_parent_element(teeSrc_.get()));
    GstPadPtr peer(gst_pad_get_peer(teeSrc_.get()));
    if (peer) gst_pad_unlink(teeSrc_.get(), peer.get());
    if (tee) gst_element_release_request_pad(tee.get(), teeSrc_.get());
    teeSrc_.reset();
  }
  for (GstElementPtr* e : {&queue_, &sink_}) {
    if (!*e) continue;
    gst_element_set_state(e->get(), GST_STATE_NULL);
    if (pipeline_) gst_bin_remove(GST_BIN(pipeline_.get()), e->get());
    e->reset();
  }
  if (writer_) writer_->close();
}

}  // namespace carrel::sfu
