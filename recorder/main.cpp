// carrel-render <session-folder>: composes a recording into one WebM (see Renderer.hpp).
// Progress as JSON lines (for carrel-control) or a terminal bar. Also two checks built on the
// same GStreamer code: --probe FILE decodes a media file end to end, --probe-track FILE
// decodes one captured track; each prints one JSON line.
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "GPtr.hpp"
#include "Json.hpp"
#include "MediaProbe.hpp"
#include "RenderProgress.hpp"
#include "Renderer.hpp"
#include "TrackProbe.hpp"

using namespace carrel;
using namespace carrel::recorder;

namespace {

struct OptionContextFree {
  void operator()(GOptionContext* c) const { g_option_context_free(c); }
};

int probeFile(const char* path) {
  MediaProbeResult r = MediaProbe::decodeFile(path);
  json::Object o;
  o.set("event", "probe")
      .setBool("ok", r.ok)
      .set("video_frames", static_cast<int64_t>(r.videoFrames))
      .set("audio_buffers", static_cast<int64_t>(r.audioBuffers))
      .set("video_end_ms", r.videoEndMs)
      .set("audio_end_ms", r.audioEndMs)
      .set("width", r.width)
      .set("height", r.height);
  if (!r.ok) o.set("error", r.error);
  std::printf("%s\n", o.str().c_str());
  return r.ok ? 0 : 1;
}

int probeTrack(const char* path) {
  TrackProbeResult r = TrackProbe::decode(path);
  json::Object o;
  o.set("event", "probe_track")
      .setBool("ok", r.ok)
      .set("encoding", r.encoding)
      .set("packets", static_cast<int64_t>(r.packets))
      .set("frames", static_cast<int64_t>(r.frames))
      .setBool("truncated", r.truncated)
      .set("first_frame_us", r.firstFrameUs)
      .set("last_frame_us", r.lastFrameUs);
  if (!r.ok) o.set("error", r.error);
  std::printf("%s\n", o.str().c_str());
  return r.ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  gboolean json = FALSE;
  gchar* output = nullptr;
  gchar* size = nullptr;
  gint fps = 25;
  gint kbps = 0;
  gchar* probe = nullptr;
  gchar* probeTrackPath = nullptr;
  GOptionEntry entries[] = {
      {"json", 0, 0, G_OPTION_ARG_NONE, &json,
       "Progress as JSON lines even on a terminal (the default when stdout is not one)", nullptr},
      {"output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
       "The file to write (default <session-folder>/render.webm)", "FILE"},
      {"size", 0, 0, G_OPTION_ARG_STRING, &size, "Picture size (default 1280x720)", "WxH"},
      {"fps", 0, 0, G_OPTION_ARG_INT, &fps, "Frame rate (default 25)", "N"},
      {"video-kbps", 0, 0, G_OPTION_ARG_INT, &kbps, "Video bit rate (default from the size)", "N"},
      {"probe", 0, 0, G_OPTION_ARG_FILENAME, &probe, "Decode a media file and report", "FILE"},
      {"probe-track", 0, 0, G_OPTION_ARG_FILENAME, &probeTrackPath,
       "Decode one captured track file and report", "FILE"},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr}};
  std::unique_ptr<GOptionContext, OptionContextFree> ctx(
      g_option_context_new("<session-folder> - render a Carrel recording to one WebM"));
  g_option_context_add_main_entries(ctx.get(), entries, nullptr);
  g_option_context_add_group(ctx.get(), gst_init_get_option_group());
  GError* raw = nullptr;
  if (!g_option_context_parse(ctx.get(), &argc, &argv, &raw)) {
    GErrorPtr err(raw);
    std::fprintf(stderr, "carrel-render: %s\n", err ? err->message : "bad command line");
    return 64;
  }
  GCharPtr outputOwner(output), sizeOwner(size), probeOwner(probe), trackOwner(probeTrackPath);
  gst_init(nullptr, nullptr);
  if (probe) return probeFile(probe);
  if (probeTrackPath) return probeTrack(probeTrackPath);
  if (argc != 2) {
    std::fprintf(stderr, "carrel-render: give one session folder (see --help)\n");
    return 64;
  }
  RenderOptions o;
  o.folder = argv[1];
  if (output) o.output = output;
  if (size && std::sscanf(size, "%dx%d", &o.width, &o.height) != 2) {
    std::fprintf(stderr, "carrel-render: --size must be WxH\n");
    return 64;
  }
  if (o.width < 64 || o.height < 64 || o.width > 3840 || o.height > 2160 || (o.width & 1) ||
      (o.height & 1) || fps < 1 || fps > 60 || kbps < 0) {
    std::fprintf(stderr, "carrel-render: size 64x64..3840x2160 (even), fps 1..60\n");
    return 64;
  }
  o.fps = fps;
  o.videoKbps = kbps;

  RenderProgress progress(!json && isatty(STDOUT_FILENO));
  Renderer r;
  r.onProgress = [&](double f, int64_t pos, int64_t dur) { progress.update(f, pos, dur); };
  std::string error;
  if (!r.run(o, &error)) {
    progress.failed(error);
    return 1;
  }
  GStatBuf st;
  uint64_t bytes = g_stat(r.output().c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  progress.done(r.output(), r.durationMs(), bytes);
  return 0;
}
