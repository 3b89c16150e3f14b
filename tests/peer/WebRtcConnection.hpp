// One webrtcbin in its own pipeline, with what publish and subscribe share: ICE set-up,
// remote candidates kept until the remote description is applied, local candidates
// filtered and handed to the main thread, and a watched bus.
#pragma once

#include <gst/gst.h>
#include <gst/webrtc/webrtc.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "GPtr.hpp"
#include "GstPtr.hpp"
#include "NetworkFilter.hpp"
#include "Output.hpp"
#include "PeerOptions.hpp"

namespace carrel::peer {

class WebRtcConnection {
 public:
  // Every handler runs on the main thread.
  struct Handlers {
    // A local candidate inside the allowed networks; "" ends gathering.
    std::function<void(guint mline, const std::string& candidate)> localCandidate;
    std::function<void(const std::string& state)> iceState;
    std::function<void(const std::string& error)> failed;
  };

  WebRtcConnection(std::string name, const PeerOptions& options, const NetworkFilter& filter,
                   Handlers handlers);
  virtual ~WebRtcConnection();
  // Stops the pipeline (joining its streaming threads) and drops every signal and watch; safe
  // to call twice. A derived class calls it first in its own destructor: its members go before
  // the base destructor runs, and a streaming thread (pad-added) may still be using them.
  void stop();
  WebRtcConnection(const WebRtcConnection&) = delete;
  WebRtcConnection& operator=(const WebRtcConnection&) = delete;

  const std::string& name() const { return name_; }
  // With --timing: where the per-packet lines go. Set before start().
  void setTimingOutput(Output* out) { timingOut_ = out; }
  // Main thread. Dropped when outside the allowed networks; kept until the remote
  // description is applied.
  void addRemoteCandidate(guint mline, const std::string& candidate);

 protected:
  // Creates the pipeline and webrtcbin (not yet playing).
  bool createPipeline(std::string* error);
  bool play(std::string* error);
  GstElement* pipeline() const { return pipeline_.get(); }
  GstElement* webrtc() const { return webrtc_; }
  // Main thread: the remote description is in; pending candidates go to webrtcbin.
  void remoteApplied();
  // Runs fn on the main thread unless this connection is gone by then. The static form is
  // for webrtcbin's promise callbacks, which may outlive this object.
  void postToMain(std::function<void()> fn) { post(alive_, std::move(fn)); }
  static void post(std::weak_ptr<bool> alive, std::function<void()> fn);
  std::weak_ptr<bool> aliveToken() const { return alive_; }
  // A promise whose reply is passed to fn on webrtcbin's thread: nullptr when it was
  // interrupted or expired, an empty structure for a reply without one.
  static GstPromise* promise(std::function<void(const GstStructure* reply)> fn);
  // Parses SDP text, dropping candidates outside the allowed networks.
  GstSdpMessagePtr parseRemoteSdp(const std::string& text, std::string* error) const;
  static std::string promiseError(const GstStructure* reply);

  Output* timingOut_ = nullptr;
  const PeerOptions& options_;
  const NetworkFilter& filter_;
  Handlers handlers_;

 private:
  static void onIceCandidate(GstElement*, guint mline, gchar* candidate, gpointer self);
  static void onGatheringState(GObject*, GParamSpec*, gpointer self);
  static void onIceConnectionState(GObject*, GParamSpec*, gpointer self);
  static gboolean onBusMessage(GstBus*, GstMessage* message, gpointer self);

  std::string name_;
  GstElementPtr pipeline_;
  GstElement* webrtc_ = nullptr;  // owned by pipeline_
  guint busWatch_ = 0;
  bool stopped_ = false;
  bool remoteApplied_ = false;
  std::vector<std::pair<guint, std::string>> pendingCandidates_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace carrel::peer
