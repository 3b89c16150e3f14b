#include "Renderer.hpp"

#include <glib/gstdio.h>
#include <gst/gst.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <vector>

#include "GPtr.hpp"
#include "RenderLayout.hpp"
#include "RtpLogReader.hpp"
#include "TrackSource.hpp"
#include "WebmCueIndex.hpp"

namespace carrel::recorder {

namespace {

struct PipelineOwner {
  GstElement* p = nullptr;
  ~PipelineOwner() {
    if (p) {
      gst_element_set_state(p, GST_STATE_NULL);
      gst_object_unref(p);
    }
  }
};

// The last arrival in a track file: where a session that never stopped cleanly ends.
int64_t lastArrival(const std::string& path) {
  RtpLogReader r;
  std::string error;
  if (!r.open(path, &error)) return 0;
  RtpLogReader::Packet p;
  int64_t last = 0;
  while (r.next(&p)) last = p.arrivalUs;
  return last;
}

GstElement* make(const char* factory) {
  return gst_element_factory_make(factory, nullptr);
}

GstPadProbeReturn onOutput(GstPad*, GstPadProbeInfo* info, gpointer data) {
  GstBuffer* b = GST_PAD_PROBE_INFO_BUFFER(info);
  if (b && GST_BUFFER_PTS_IS_VALID(b)) {
    static_cast<std::atomic<int64_t>*>(data)->store(static_cast<int64_t>(GST_BUFFER_PTS(b)));
  }
  return GST_PAD_PROBE_OK;
}

}  // namespace

bool Renderer::run(const RenderOptions& o, std::string* error) {
  if (!gst_is_initialized()) gst_init(nullptr, nullptr);
  SessionManifest m;
  if (!m.load(o.folder, error)) return false;
  output_ = o.output.empty() ? o.folder + "/render.webm" : o.output;
  std::string part = output_ + ".part";

  int64_t endUs = m.stopUs();
  if (endUs == 0) {  // the SFU died: the session ends with its last captured packet
    for (const auto& t : m.tracks()) endUs = std::max(endUs, lastArrival(o.folder + "/" + t.file));
  }
  if (endUs <= m.startUs()) {
    *error = "the session has no length (no stop and no captured packet)";
    return false;
  }
  durationMs_ = (endUs - m.startUs()) / 1000;

  // Tracks that cannot be read are left out (and said so) rather than failing the render.
  std::vector<std::unique_ptr<TrackSource>> sources;
  std::vector<const ManifestTrack*> used;
  for (const auto& t : m.tracks()) {
    auto s = std::make_unique<TrackSource>();
    std::string why;
    if (!s->open(o.folder + "/" + t.file, m.startUs(), endUs, &why)) {
      g_printerr("carrel-render: skipping %s: %s\n", t.file.c_str(), why.c_str());
      continue;
    }
    sources.push_back(std::move(s));
    used.push_back(&t);
  }

  PipelineOwner owner;
  GstElement* pipe = owner.p = gst_pipeline_new("render");
  gst_object_ref_sink(pipe);
  GstElement* comp = make("compositor");
  GstElement* vcaps = make("capsfilter");
  GstElement* vconv = make("videoconvert");
  GstElement* venc = make("vp8enc");
  GstElement* vq = make("queue");
  GstElement* mixer = make("audiomixer");
  GstElement* acaps = make("capsfilter");
  GstElement* aconv = make("audioconvert");
  GstElement* aenc = make("opusenc");
  GstElement* aq = make("queue");
  GstElement* mux = make("webmmux");
  GstElement* sink = make("filesink");
  GstElement* black = make("videotestsrc");
  GstElement* blackCaps = make("capsfilter");
  GstElement* silence = make("audiotestsrc");
  GstElement* silenceCaps = make("capsfilter");
  for (GstElement* e : {comp, vcaps, vconv, venc, vq, mixer, acaps, aconv, aenc, aq, mux, sink,
                        black, blackCaps, silence, silenceCaps}) {
    if (!e) {
      *error = "a GStreamer element is missing (compositor, vp8enc, opusenc, webmmux?)";
      return false;
    }
    gst_bin_add(GST_BIN(pipe), e);
  }
  GstCaps* vc = gst_caps_new_simple("video/x-raw", "width", G_TYPE_INT, o.width, "height",
                                    G_TYPE_INT, o.height, "framerate", GST_TYPE_FRACTION, o.fps, 1,
                                    "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, nullptr);
  g_object_set(vcaps, "caps", vc, nullptr);
  g_object_set(blackCaps, "caps", vc, nullptr);
  gst_caps_unref(vc);
  GstCaps* ac = gst_caps_new_simple("audio/x-raw", "rate", G_TYPE_INT, 48000, "channels",
                                    G_TYPE_INT, 2, nullptr);
  g_object_set(acaps, "caps", ac, nullptr);
  g_object_set(silenceCaps, "caps", ac, nullptr);
  gst_caps_unref(ac);
  // The background sets the file's length: exactly the session, whoever was there.
  guint64 frames = static_cast<guint64>(durationMs_) * static_cast<guint64>(o.fps) / 1000 + 1;
  g_object_set(black, "pattern", 2 /* black */, "num-buffers", static_cast<gint>(frames), nullptr);
  constexpr int kSamplesPerBuffer = 960;  // 20 ms at 48 kHz
  g_object_set(silence, "wave", 4 /* silence */, "samplesperbuffer", kSamplesPerBuffer,
               "num-buffers", static_cast<gint>(durationMs_ / 20 + 1), nullptr);
  int kbps = o.videoKbps > 0 ? o.videoKbps : std::max(300, o.width * o.height * 2 / 1000);
  g_object_set(venc, "deadline", G_GINT64_CONSTANT(1), "cpu-used", 8, "threads", 2,
               "target-bitrate", kbps * 1000, "keyframe-max-dist", o.fps * 2, nullptr);
  g_object_set(comp, "background", 1 /* black */, nullptr);
  g_object_set(sink, "location", part.c_str(), nullptr);
  if (!gst_element_link_many(black, blackCaps, comp, vcaps, vconv, venc, vq, mux, sink, nullptr) ||
      !gst_element_link_many(silence, silenceCaps, mixer, acaps, aconv, aenc, aq, mux, nullptr)) {
    *error = "cannot link the output pipeline";
    return false;
  }

  std::vector<std::string> kinds;
  for (size_t i = 0; i < used.size(); ++i) {
    if (used[i]->media == "video") kinds.push_back(used[i]->kind);
  }
  std::vector<Rect> rects = RenderLayout::compute(o.width, o.height, kinds);
  size_t videoIndex = 0;
  for (size_t i = 0; i < sources.size(); ++i) {
    bool video = used[i]->media == "video";
    GstElement* src = sources[i]->makeAppSrc();
    GstElement* dec = sources[i]->makeDecoder();
    if (!src || !dec) {
      g_printerr("carrel-render: skipping %s: no decoder for '%s'\n", used[i]->file.c_str(),
                 sources[i]->encodingName().c_str());
      if (src) gst_object_unref(gst_object_ref_sink(src));
      if (dec) gst_object_unref(gst_object_ref_sink(dec));
      if (video) ++videoIndex;
      continue;
    }
    GstElement* conv = make(video ? "videoconvert" : "audioconvert");
    GstElement* q = make("queue");
    gst_bin_add_many(GST_BIN(pipe), src, dec, conv, q, nullptr);
    bool linked = gst_element_link_many(src, dec, conv, nullptr);
    GstElement* last = conv;
    if (!video) {
      GstElement* res = make("audioresample");
      gst_bin_add(GST_BIN(pipe), res);
      linked = linked && gst_element_link(conv, res);
      last = res;
    }
    linked = linked && gst_element_link(last, q);
    GstPad* target = gst_element_request_pad_simple(video ? comp : mixer, "sink_%u");
    GstPad* qsrc = gst_element_get_static_pad(q, "src");
    linked = linked && target && GST_PAD_LINK_SUCCESSFUL(gst_pad_link(qsrc, target));
    gst_object_unref(qsrc);
    if (video && target) {
      const Rect& r = rects[videoIndex++];
      g_object_set(target, "xpos", r.x, "ypos", r.y, "width", r.w, "height", r.h, "zorder",
                   static_cast<guint>(videoIndex), nullptr);
      gst_util_set_object_arg(G_OBJECT(target), "sizing-policy", "keep-aspect-ratio");
      ++videoTracks_;
    } else if (target) {
      ++audioTracks_;
    }
    if (target) gst_object_unref(target);
    if (!linked) {
      *error = "cannot link the track " + used[i]->file;
      return false;
    }
  }

  std::atomic<int64_t> positionNs{0};
  GstPad* out = gst_element_get_static_pad(vcaps, "src");
  gst_pad_add_probe(out, GST_PAD_PROBE_TYPE_BUFFER, onOutput, &positionNs, nullptr);
  gst_object_unref(out);

  g_unlink(part.c_str());
  if (gst_element_set_state(pipe, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    *error = "the render pipeline did not start";
    g_unlink(part.c_str());
    return false;
  }
  GstBus* bus = gst_element_get_bus(pipe);
  bool ok = false;
  for (;;) {
    GstMessage* msg = gst_bus_timed_pop_filtered(
        bus, 250 * GST_MSECOND, static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
    if (onProgress) {
      int64_t pos = std::min<int64_t>(positionNs.load() / 1000000, durationMs_);
      onProgress(durationMs_ ? static_cast<double>(pos) / static_cast<double>(durationMs_) : 1.0,
                 pos, durationMs_);
    }
    if (!msg) continue;
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
      GError* raw = nullptr;
      gchar* dbg = nullptr;
      gst_message_parse_error(msg, &raw, &dbg);
      GErrorPtr err(raw);
      GCharPtr dbgOwner(dbg);
      *error = std::string(GST_OBJECT_NAME(GST_MESSAGE_SRC(msg))) + ": " +
               (err ? err->message : "error") + (dbg ? std::string(" (") + dbg + ")" : "");
    } else {
      ok = true;
    }
    gst_message_unref(msg);
    break;
  }
  gst_object_unref(bus);
  gst_element_set_state(pipe, GST_STATE_NULL);
  if (!ok) {
    g_unlink(part.c_str());
    return false;
  }
  std::string why;
  if (!WebmCueIndex::indexEveryTrack(part, &why)) {
    *error = "cannot index " + part + " for seeking: " + why;
    g_unlink(part.c_str());
    return false;
  }
  if (g_rename(part.c_str(), output_.c_str()) != 0) {
    *error = "cannot rename " + part + " to " + output_;
    g_unlink(part.c_str());
    return false;
  }
  if (onProgress) onProgress(1.0, durationMs_, durationMs_);
  return true;
}

}  // namespace carrel::recorder
