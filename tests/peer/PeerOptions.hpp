// carrel-peer's command line.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace carrel::peer {

struct PeerOptions {
  std::string url;
  std::string name = "carrel-peer";
  std::string room = "lobby";
  int durationSec = 0;  // 0: until SIGINT/SIGTERM
  bool decode = true;
  bool publish = true;
  bool subscribe = true;  // false: subscribe offers are left unanswered
  bool audio = true;
  bool video = true;
  int width = 320;
  int height = 240;
  int fps = 30;
  int videoKbps = 300;
  // Big rooms: a muted microphone (offered, sends nothing, `mute` told to the room), fewer
  // audio packets (Opus frame length), and received audio counted but not decoded.
  bool muteAudio = false;
  bool quietMic = false;
  // How long an ICE "failed" must last before the peer gives up (libnice checks again when
  // a late candidate arrives).
  int iceFailedGraceMs = 10000;
  // Publish ICE comes late: for this long after joining, only an unreachable candidate is
  // sent and the server's candidates wait, so the server's checks all fail first.
  int lateIceMs = 0;  // silence with Opus DTX: a packet every 400 ms
  int audioFrameMs = 20;
  bool decodeAudio = true;
  bool json = false;
  int statsIntervalMs = 1000;
  int latencyMs = 200;  // webrtcbin's receive jitterbuffer
  bool keyframeRequests = true;
  bool timing = false;
  bool printCandidates = false;  // a remote_candidate line per candidate the server sends  // a
                                 // line per RTP packet sent and received (ssrc, seq, wall clock)
  std::vector<std::string> iceAddresses;   // defaults to 127.0.0.1
  std::vector<std::string> allowNetworks;  // defaults to 127.0.0.0/8
  std::string chat;
  std::string breakTransport;  // "ice", "dtls", "answer": the media transport never comes up
  int dropAfterMs = 0;         // > 0: drop the WebSocket this long after joining, then resume
  bool printTimer = false;     // room timer_state and board messages as output lines
  // Moderation's messages to this peer (removed, waiting, force_muted, afk_check, role, ...)
  // as output lines; an AFK check is never answered.
  bool printModeration = false;
  std::string token;  // access token for a server with accounts (sent as ?token=)
  // Screen share from the start; SIGUSR1 starts or stops one at any time.
  bool screen = false;
  // Induced loss: every (100 / dropPercent)-th incoming video packet is dropped.
  int dropPercent = 0;
  // Induced uplink loss: every (100 / sendDropPercent)-th outgoing video packet is dropped
  // after the sender stored it for retransmission.
  int sendDropPercent = 0;
  int screenWidth = 1280;
  int screenHeight = 720;
  int screenFps = 5;
  int screenKbps = 800;
  // Selective subscription: join's video mode ("" = server default), the grid's tiles (the
  // first N other participants' cameras, or these display names'; every screen is shown
  // too), and the names SIGUSR2 switches the tiles to.
  std::string videoMode;
  int tiles = -1;
  std::vector<std::string> tileNames;
  std::vector<std::string> retileNames;

  // url with ?token= added when a token is given.
  std::string connectUrl() const;

  // Parses argv (GOptionContext, so --help works). On failure returns nullopt with the
  // message in *error; --help prints and exits as GLib does.
  static std::optional<PeerOptions> parse(int argc, char** argv, std::string* error);
};

}  // namespace carrel::peer
