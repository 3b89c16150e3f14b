// One participant: the WebSocket session with carrel-control (hello, join, chat, leave),
// the publish and subscribe connections, and the report on stdout. Main thread only.
#pragma once

#include <glib.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "GPtr.hpp"
#include "Json.hpp"
#include "NetworkFilter.hpp"
#include "Output.hpp"
#include "PeerOptions.hpp"
#include "PublishConnection.hpp"
#include "SignalingClient.hpp"
#include "SubscribeConnection.hpp"
#include "TileSelection.hpp"
#include "TrackTable.hpp"

namespace carrel::peer {

class Peer {
 public:
  enum ExitCode { kOk = 0, kConnection = 1, kServerError = 2, kMedia = 3 };

  // quit is called once, when the peer has left and printed its summary.
  Peer(PeerOptions options, NetworkFilter filter, Output& out, std::function<void()> quit);
  ~Peer();

  void start();
  // Leaves the room cleanly (leave, wait for left, close), then quits. A second call while
  // leaving finishes at once.
  void stop(int exitCode, const std::string& why = {});
  int exitCode() const { return exitCode_; }
  // SIGUSR1: starts a screen share, or stops the one running (a re-offer either way).
  void toggleScreen();
  // SIGUSR2: the grid shows the --retile names instead of the --tile ones.
  void retile();

 private:
  using Handler = void (Peer::*)(JsonObject*);
  static const std::map<std::string, Handler>& handlers();

  void onMessage(const std::string& text);
  void onWelcome(JsonObject* m);
  void onJoined(JsonObject* m);
  void onLeft(JsonObject* m);
  void onParticipantJoined(JsonObject* m);
  void onParticipantLeft(JsonObject* m);
  void onTrackPublished(JsonObject* m);
  void onTrackEnded(JsonObject* m);
  void onPublishAnswer(JsonObject* m);
  void onSubscribeOffer(JsonObject* m);
  void onCandidate(JsonObject* m);
  void onConnectionState(JsonObject* m);
  void onChat(JsonObject* m);
  void onError(JsonObject* m);
  void onPong(JsonObject* m);
  void onResumed(JsonObject* m);
  // --drop-after-ms: close the socket without leaving, then connect again and resume.
  void dropAndResume();
  void onSubscribed(JsonObject* m);

  // Sends subscribe when the grid's selection changed (selected video mode only).
  void updateSelection();
  void noteTracks(const std::string& participant, JsonArray* tracks);
  // Runs fn on the main loop ms after now (kept in timers_, cancelled at finish).
  void after(int ms, std::function<void()> fn);

  void send(json::Object& message);
  void fail(int code, const std::string& errorCode, const std::string& message);
  void startPublishing();
  WebRtcConnection::Handlers connectionHandlers(const std::string& conn);
  void emitTrackEnded(const TrackSnapshot& s);
  JsonObjectPtr published() const;
  void emitStats();
  void finish();
  void quitOnce();
  int64_t sinceStart() const;

  PeerOptions options_;
  NetworkFilter filter_;
  Output& out_;
  std::function<void()> quit_;
  const TrackTable::Clock::time_point start_ = TrackTable::Clock::now();
  TrackTable tracks_{start_};
  SignalingClient ws_;
  std::unique_ptr<PublishConnection> publish_;
  std::unique_ptr<SubscribeConnection> subscribe_;
  std::string participant_;
  std::string resumeToken_;
  bool resuming_ = false;
  int subscribeOffers_ = 0;  // received (for --break answer-later)
  bool inRoom_ = false;
  bool stopping_ = false;
  bool finished_ = false;
  int exitCode_ = kOk;
  uint64_t videoFramesAtStop_ = 0;
  uint64_t audioBuffersAtStop_ = 0;
  uint64_t screenFramesAtStop_ = 0;
  uint64_t droppedAtStop_ = 0;
  uint64_t keyframeRequestsAtStop_ = 0;
  TimeoutSource statsTimer_;
  TimeoutSource durationTimer_;
  TimeoutSource leaveTimer_;
  TimeoutSource dropTimer_;
  TileSelection tiles_{options_.tiles, options_.tileNames};
  std::vector<TileSelection::Track> sentSelection_;
  bool selectionSent_ = false;
  std::vector<std::unique_ptr<TimeoutSource>> timers_;
  std::map<std::string, std::string> iceStates_;
  // --late-ice-ms: the publish candidates held back (mline, candidate), ours and the server's.
  bool holdingIce_ = false;
  std::vector<std::pair<guint, std::string>> heldLocal_;
  std::vector<std::pair<guint, std::string>> heldRemote_;
  void releaseIce();  // conn -> its latest ICE state
};

}  // namespace carrel::peer
