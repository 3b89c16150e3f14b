#include "PeerOptions.hpp"

#include <glib.h>

#include <memory>

#include "GPtr.hpp"

namespace carrel::peer {

namespace {

struct OptionContextFree {
  void operator()(GOptionContext* c) const { g_option_context_free(c); }
};
struct StrvFree {
  void operator()(gchar** v) const { g_strfreev(v); }
};
using StrvPtr = std::unique_ptr<gchar*, StrvFree>;

std::vector<std::string> toVector(gchar** v) {
  std::vector<std::string> out;
  for (gchar** p = v; p && *p; ++p) out.emplace_back(*p);
  return out;
}

}  // namespace

std::optional<PeerOptions> PeerOptions::parse(int argc, char** argv, std::string* error) {
  PeerOptions o;
  gchar* url = nullptr;
  gchar* name = nullptr;
  gchar* room = nullptr;
  gchar* chat = nullptr;
  gchar* token = nullptr;
  gchar** ice = nullptr;
  gchar** allow = nullptr;
  gchar* videoMode = nullptr;
  gchar* breakTransport = nullptr;
  gchar** tileNames = nullptr;
  gchar** retileNames = nullptr;
  gboolean screen = FALSE;
  gint dropPercent = 0;
  gint sendDropPercent = 0;
  gint screenW = o.screenWidth, screenH = o.screenHeight, tiles = o.tiles;
  gboolean noDecode = FALSE, noPublish = FALSE, noAudio = FALSE, noVideo = FALSE,
           noSubscribe = FALSE;
  gboolean json = FALSE, noKeyframeRequests = FALSE, timing = FALSE, printCandidates = FALSE;
  gboolean printTimer = FALSE, printModeration = FALSE;
  gint duration = o.durationSec, width = o.width, height = o.height, fps = o.fps;
  gint dropAfter = o.dropAfterMs;
  gboolean muteAudio = FALSE, noAudioDecode = FALSE, quietMic = FALSE;
  gint audioFrameMs = o.audioFrameMs, iceGrace = o.iceFailedGraceMs, lateIce = o.lateIceMs;
  gint kbps = o.videoKbps, statsMs = o.statsIntervalMs, latency = o.latencyMs;

  GOptionEntry entries[] = {
      {"url", 0, 0, G_OPTION_ARG_STRING, &url, "carrel-control WebSocket (required)",
       "ws://127.0.0.1:PORT/ws"},
      {"name", 0, 0, G_OPTION_ARG_STRING, &name, "Display name (default carrel-peer)", "NAME"},
      {"room", 0, 0, G_OPTION_ARG_STRING, &room, "Room to join (default lobby)", "ROOM"},
      {"duration", 0, 0, G_OPTION_ARG_INT, &duration,
       "Seconds to stay, then leave cleanly (0: until SIGINT/SIGTERM)", "SEC"},
      {"no-decode", 0, 0, G_OPTION_ARG_NONE, &noDecode,
       "Count received RTP packets and bytes only (load mode)", nullptr},
      {"no-publish", 0, 0, G_OPTION_ARG_NONE, &noPublish, "Subscribe only", nullptr},
      {"no-subscribe", 0, 0, G_OPTION_ARG_NONE, &noSubscribe,
       "Publish only: subscribe offers are left unanswered", nullptr},
      {"no-audio", 0, 0, G_OPTION_ARG_NONE, &noAudio, "Publish no microphone", nullptr},
      {"no-video", 0, 0, G_OPTION_ARG_NONE, &noVideo, "Publish no camera", nullptr},
      {"width", 0, 0, G_OPTION_ARG_INT, &width, "Camera width (default 320)", "PX"},
      {"height", 0, 0, G_OPTION_ARG_INT, &height, "Camera height (default 240)", "PX"},
      {"fps", 0, 0, G_OPTION_ARG_INT, &fps, "Camera frame rate (default 30)", "N"},
      {"video-kbps", 0, 0, G_OPTION_ARG_INT, &kbps, "VP8 target bitrate (default 300)", "KBPS"},
      {"mute-audio", 0, 0, G_OPTION_ARG_NONE, &muteAudio,
       "Publish the microphone muted: its m-line is offered but sends nothing, and the room "
       "is told (mute, kind audio) after joining",
       nullptr},
      {"audio-frame-ms", 0, 0, G_OPTION_ARG_INT, &audioFrameMs,
       "Opus frame length: 10, 20, 40 or 60 (default 20); 60 sends a third of the packets", "MS"},
      {"quiet-mic", 0, 0, G_OPTION_ARG_NONE, &quietMic,
       "The microphone sends silence with Opus DTX: a packet every 400 ms instead of every "
       "frame, as a quiet study room's microphones do",
       nullptr},
      {"ice-failed-grace-ms", 0, 0, G_OPTION_ARG_INT, &iceGrace,
       "How long an ICE failed state must last before the peer gives up (default 10000; "
       "libnice checks again when a late candidate arrives)",
       "MS"},
      {"late-ice-ms", 0, 0, G_OPTION_ARG_INT, &lateIce,
       "For MS after joining, the publish connection sends only an unreachable candidate "
       "and holds the server's, then sends and applies the real ones (the server's ICE "
       "fails first, then recovers)",
       "MS"},
      {"no-audio-decode", 0, 0, G_OPTION_ARG_NONE, &noAudioDecode,
       "Count received audio packets without decoding them (video is still decoded)", nullptr},
      {"json", 0, 0, G_OPTION_ARG_NONE, &json, "One JSON object per line on stdout", nullptr},
      {"stats-interval-ms", 0, 0, G_OPTION_ARG_INT, &statsMs,
       "Stats line every N ms (default 1000, 0: none)", "MS"},
      {"latency-ms", 0, 0, G_OPTION_ARG_INT, &latency,
       "Receive jitterbuffer latency (default 200, webrtcbin's)", "MS"},
      {"no-keyframe-requests", 0, 0, G_OPTION_ARG_NONE, &noKeyframeRequests,
       "Never ask for a keyframe when the decoder has none (the SFU must)", nullptr},
      {"timing", 0, 0, G_OPTION_ARG_NONE, &timing,
       "Print rtp_sent/rtp_received lines (ssrc, seq, t_us wall clock) for every video and "
       "audio packet, to measure one-way delay",
       nullptr},
      {"ice-address", 0, 0, G_OPTION_ARG_STRING_ARRAY, &ice,
       "Local address to gather on (repeatable; default 127.0.0.1)", "ADDR"},
      {"allow-network", 0, 0, G_OPTION_ARG_STRING_ARRAY, &allow,
       "Network candidates may use (repeatable; default 127.0.0.0/8)", "CIDR"},
      {"print-candidates", 0, 0, G_OPTION_ARG_NONE, &printCandidates,
       "A remote_candidate line for every ICE candidate the server sends", nullptr},
      {"chat", 0, 0, G_OPTION_ARG_STRING, &chat, "Send one chat message after joining", "TEXT"},
      {"drop-after-ms", 0, 0, G_OPTION_ARG_INT, &dropAfter,
       "Drop the WebSocket (no leave) this long after joining, come back with the resume "
       "token and publish and subscribe again (tests the reconnect grace)",
       "MS"},
      {"break", 0, 0, G_OPTION_ARG_STRING, &breakTransport,
       "Break the media transport: ice (no candidates sent or applied), dtls (incoming "
       "DTLS records dropped, so the handshake never completes), answer (subscribe offers "
       "never answered) or answer-later (only the first one answered); the SFU must tear us "
       "down",
       "WHAT"},
      {"print-timer", 0, 0, G_OPTION_ARG_NONE, &printTimer,
       "Print the room timer's timer_state and the room board's board messages", nullptr},
      {"print-moderation", 0, 0, G_OPTION_ARG_NONE, &printModeration,
       "Print moderation's messages (removed, waiting, force_muted, afk_check, role, ...)",
       nullptr},
      {"token", 0, 0, G_OPTION_ARG_STRING, &token,
       "Access token (from POST /api/v1/auth/login) for a server with accounts", "TOKEN"},
      {"screen", 0, 0, G_OPTION_ARG_NONE, &screen,
       "Share a screen from the start (SIGUSR1 stops or starts one at any time)", nullptr},
      {"screen-width", 0, 0, G_OPTION_ARG_INT, &screenW, "Screen width (default 1280)", "PX"},
      {"screen-height", 0, 0, G_OPTION_ARG_INT, &screenH, "Screen height (default 720)", "PX"},
      {"drop-percent", 0, 0, G_OPTION_ARG_INT, &dropPercent,
       "Drop this share of incoming video RTP packets before webrtcbin sees them (every "
       "(100/N)-th), so NACK and retransmission must repair them",
       "N"},
      {"send-drop-percent", 0, 0, G_OPTION_ARG_INT, &sendDropPercent,
       "Drop this share of outgoing video RTP packets on their way to the network (every "
       "(100/N)-th, after they were kept for retransmission), so the SFU must ask for them",
       "N"},
      {"video-mode", 0, 0, G_OPTION_ARG_STRING, &videoMode,
       "join's video mode: all or selected (default: the server's, all)", "MODE"},
      {"tiles", 0, 0, G_OPTION_ARG_INT, &tiles,
       "Show the first N other participants' cameras and every screen (selected mode)", "N"},
      {"tile", 0, 0, G_OPTION_ARG_STRING_ARRAY, &tileNames,
       "Show this display name's camera (repeatable; selected mode; screens shown too)", "NAME"},
      {"retile", 0, 0, G_OPTION_ARG_STRING_ARRAY, &retileNames,
       "A display name shown instead of the --tile ones after SIGUSR2 (repeatable)", "NAME"},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr}};

  std::unique_ptr<GOptionContext, OptionContextFree> ctx(
      g_option_context_new("- a Carrel test participant"));
  g_option_context_set_summary(
      ctx.get(),
      "Joins a Carrel room over carrel-control's WebSocket, publishes a synthetic camera and\n"
      "microphone, receives everyone else and reports what arrives.");
  g_option_context_add_main_entries(ctx.get(), entries, nullptr);
  GError* raw = nullptr;
  bool parsed = g_option_context_parse(ctx.get(), &argc, &argv, &raw);
  GErrorPtr err(raw);
  GCharPtr urlOwned(url), nameOwned(name), roomOwned(room), chatOwned(chat), tokenOwned(token);
  StrvPtr iceOwned(ice), allowOwned(allow), tileOwned(tileNames), retileOwned(retileNames);
  GCharPtr videoModeOwned(videoMode), breakOwned(breakTransport);
  auto fail = [&](std::string why) {
    if (error) *error = std::move(why);
    return std::nullopt;
  };
  if (!parsed) return fail(err ? err->message : "bad arguments");
  if (argc > 1) return fail(std::string("unexpected argument '") + argv[1] + "'");
  if (!url) return fail("--url is required");
  o.url = url;
  if (!o.url.starts_with("ws://") && !o.url.starts_with("wss://")) {
    return fail("--url must be a ws:// or wss:// URL");
  }
  if (name) o.name = name;
  if (room) o.room = room;
  if (chat) o.chat = chat;
  o.printTimer = printTimer;
  o.printModeration = printModeration;
  if (token) o.token = token;
  if (o.token.size() > 512) return fail("--token must be at most 512 bytes");
  if (o.name.empty() || o.name.size() > 64) return fail("--name must be 1..64 bytes");
  if (o.room.empty() || o.room.size() > 64) return fail("--room must be 1..64 bytes");
  if (duration < 0) return fail("--duration must be >= 0");
  if (dropAfter < 0) return fail("--drop-after-ms must be >= 0");
  o.dropAfterMs = dropAfter;
  if (width < 16 || height < 16 || width > 4096 || height > 4096) {
    return fail("--width/--height must be 16..4096");
  }
  if (fps < 1 || fps > 120) return fail("--fps must be 1..120");
  if (kbps < 10 || kbps > 20000) return fail("--video-kbps must be 10..20000");
  if (audioFrameMs != 10 && audioFrameMs != 20 && audioFrameMs != 40 && audioFrameMs != 60) {
    return fail("--audio-frame-ms must be 10, 20, 40 or 60");
  }
  o.audioFrameMs = audioFrameMs;
  o.muteAudio = muteAudio;
  o.quietMic = quietMic;
  if (iceGrace < 0 || iceGrace > 600000) return fail("--ice-failed-grace-ms must be 0..600000");
  o.iceFailedGraceMs = iceGrace;
  if (lateIce < 0 || lateIce > 600000) return fail("--late-ice-ms must be 0..600000");
  o.lateIceMs = lateIce;
  o.decodeAudio = !noAudioDecode;
  if (statsMs < 0) return fail("--stats-interval-ms must be >= 0");
  if (latency < 0 || latency > 5000) return fail("--latency-ms must be 0..5000");
  if (screenW < 16 || screenH < 16 || screenW > 4096 || screenH > 4096) {
    return fail("--screen-width/--screen-height must be 16..4096");
  }
  if (videoMode && g_strcmp0(videoMode, "all") != 0 && g_strcmp0(videoMode, "selected") != 0) {
    return fail("--video-mode must be all or selected");
  }
  if (tiles > 64) return fail("--tiles must be at most 64");
  if (dropPercent < 0 || dropPercent > 50) return fail("--drop-percent must be 0..50");
  o.dropPercent = dropPercent;
  if (sendDropPercent < 0 || sendDropPercent > 50) {
    return fail("--send-drop-percent must be 0..50");
  }
  o.sendDropPercent = sendDropPercent;
  o.screen = screen;
  o.screenWidth = screenW;
  o.screenHeight = screenH;
  o.tiles = tiles;
  o.tileNames = toVector(tileNames);
  o.retileNames = toVector(retileNames);
  if (videoMode) o.videoMode = videoMode;
  if (breakTransport && g_strcmp0(breakTransport, "ice") != 0 &&
      g_strcmp0(breakTransport, "dtls") != 0 && g_strcmp0(breakTransport, "answer") != 0 &&
      g_strcmp0(breakTransport, "answer-later") != 0) {
    return fail("--break must be ice, dtls, answer or answer-later");
  }
  if (breakTransport) o.breakTransport = breakTransport;
  if (o.tiles >= 0 || !o.tileNames.empty()) o.videoMode = "selected";
  o.durationSec = duration;
  o.width = width;
  o.height = height;
  o.fps = fps;
  o.videoKbps = kbps;
  o.statsIntervalMs = statsMs;
  o.latencyMs = latency;
  o.decode = !noDecode;
  o.publish = !noPublish;
  o.subscribe = !noSubscribe;
  o.audio = !noAudio;
  o.video = !noVideo;
  o.json = json;
  o.keyframeRequests = !noKeyframeRequests;
  o.timing = timing;
  o.printCandidates = printCandidates;
  o.iceAddresses = toVector(ice);
  o.allowNetworks = toVector(allow);
  if (o.iceAddresses.empty()) o.iceAddresses.push_back("127.0.0.1");
  if (o.allowNetworks.empty()) o.allowNetworks.push_back("127.0.0.0/8");
  return o;
}

}  // namespace carrel::peer

namespace carrel::peer {

std::string PeerOptions::connectUrl() const {
  if (token.empty()) return url;
  GCharPtr escaped(g_uri_escape_string(token.c_str(), nullptr, FALSE));
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "token=" + escaped.get();
}

}  // namespace carrel::peer
