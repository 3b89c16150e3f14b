// What a peer's publish and subscribe connections share: one webrtcbin in the room's
// pipeline, ICE restricted by IceSettings, local candidates and state changes sent up as bus
// events, remote candidates applied. Signals arrive on webrtcbin's threads and are posted to
// the main context with a weak reference, since the connection may be gone by then.
#pragma once

#include <memory>
#include <string>

#include "GPtr.hpp"
#include "GstPtr.hpp"
#include "IceSettings.hpp"
#include "PeerContext.hpp"

namespace carrel::sfu {

class WebrtcConnection : public std::enable_shared_from_this<WebrtcConnection> {
 public:
  WebrtcConnection(PeerContext ctx, const char* conn, GstElement* pipeline);
  virtual ~WebrtcConnection();
  WebrtcConnection(const WebrtcConnection&) = delete;
  WebrtcConnection& operator=(const WebrtcConnection&) = delete;

  // Creates the webrtcbin and starts it inside the pipeline. False when it cannot.
  bool start(const IceSettings& ice);
  // Sets the webrtcbin to NULL and takes it out of the pipeline (main context).
  virtual void stop();

  GstElement* webrtc() const { return webrtc_.get(); }
  const char* conn() const { return conn_; }
  // Whether a remote candidate can be applied now (the description it belongs to exists).
  virtual bool readyForCandidates() const = 0;
  void addRemoteCandidate(guint mline, const std::string& candidate);
  // Whether the element (a direct child of the pipeline) belongs to this connection.
  virtual bool owns(GstElement* element) const { return element == webrtc_.get(); }

 protected:
  // Connects the subclass' own signals; runs before the element joins the pipeline.
  virtual void configure() {}
  virtual void onConnectionState(GstWebRTCPeerConnectionState) {}
  // A negotiation started (an offer arrived or went out): from now on the connection must
  // come up (answer, ICE, then DTLS) within the connect timeout, or the peer is torn down. A
  // client that never answers, or whose network blocks ICE or whose DTLS never completes,
  // reaches no failed state in webrtcbin 1.22: it stays "new" or "connecting" for ever.
  void expectConnection();
  // What the connect timeout's peer.failed reason says was missing.
  virtual std::string whyNotConnected() const { return "ICE or DTLS did not complete"; }
  bool everConnected() const { return everConnected_; }
  int connectTimeoutMs() const { return ice_.connectTimeoutMs(); }
  const IceSettings& settings() const { return ice_; }

  template <typename T>
  std::weak_ptr<T> weakSelf() {
    return std::static_pointer_cast<T>(shared_from_this());
  }
  // Connects a signal whose handler gets a heap weak_ptr to this connection as user data.
  gulong connectWeak(const char* signal, GCallback cb);

  PeerContext ctx_;
  const char* conn_;
  GstElementPtr pipeline_;
  GstElementPtr webrtc_;

 private:
  static void onIceCandidate(GstElement*, guint mline, gchar* candidate, gpointer data);
  static void onStateNotify(GObject*, GParamSpec*, gpointer data);
  static void onNewTransceiver(GstElement*, GstWebRTCRTPTransceiver* trans, gpointer data);
  void emitState(const char* state);
  // Waits (bounded) until webrtcbin's thread has run every task queued so far. False on
  // timeout.
  static bool finishQueuedTasks(GstElement* webrtc);
  static constexpr int kTaskDrainTimeoutMs = 2000;
  // ICE (or the connection, with it) went to failed: the peer goes if it is still failed
  // after a grace (see .cpp).
  void onIceFailed();
  void failIce();

  std::string lastState_;
  bool everConnected_ = false;
  TimeoutSource connectTimer_;
  TimeoutSource iceFailedTimer_;
  bool iceFailed_ = false;
  bool connectionFailed_ = false;
  IceSettings ice_;  // for the address local candidates advertise
};

}  // namespace carrel::sfu
