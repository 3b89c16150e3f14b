#include "WebrtcConnection.hpp"

#include <chrono>
#include <future>

#include "Json.hpp"
#include "ReceiveChainShortcut.hpp"
#include "ReceiveQueueBypass.hpp"
#include "Room.hpp"
#include "SendTail.hpp"
#include "SrtpReplayWindow.hpp"
#include "WebrtcCall.hpp"
#include "WebrtcStateNames.hpp"

GST_DEBUG_CATEGORY_STATIC(carrel_sfu_conn);
#define GST_CAT_DEFAULT carrel_sfu_conn

namespace carrel::sfu {

namespace {
using Weak = std::weak_ptr<WebrtcConnection>;
}

WebrtcConnection::WebrtcConnection(PeerContext ctx, const char* conn, GstElement* pipeline)
    : ctx_(std::move(ctx)), conn_(conn), pipeline_(GST_ELEMENT(gst_object_ref(pipeline))) {
  static gsize once = 0;
  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(carrel_sfu_conn, "carrel-sfu-conn", 0, "Carrel SFU peer connections");
    g_once_init_leave(&once, 1);
  }
}

WebrtcConnection::~WebrtcConnection() {
  stop();
}

gulong WebrtcConnection::connectWeak(const char* signal, GCallback cb) {
  return g_signal_connect_data(
      webrtc_.get(), signal, cb, new Weak(weak_from_this()),
      [](gpointer d, GClosure*) { delete static_cast<Weak*>(d); }, static_cast<GConnectFlags>(0));
}

bool WebrtcConnection::start(const IceSettings& ice) {
  std::string name = std::string(conn_ == std::string("publish") ? "pub-" : "sub-") + ctx_.peerId;
  GstElement* w = gst_element_factory_make("webrtcbin", name.c_str());
  if (!w) {
    GST_ERROR("no webrtcbin element");
    return false;
  }
  webrtc_.reset(GST_ELEMENT(gst_object_ref_sink(w)));
  g_object_set(w, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, nullptr);
  if (!ice.apply(w)) return false;
  ice_ = ice;
  if (ice.receiveQueueBypass()) ReceiveQueueBypass::attach(w, ice.agentThreadRead());
  if (ice.sendTailShortcut()) SendTail::attach(w);
  if (ice.receiveChainShortcut()) ReceiveChainShortcut::attach(w);
  SrtpReplayWindow::widen(w);
  connectWeak("on-ice-candidate", G_CALLBACK(&WebrtcConnection::onIceCandidate));
  connectWeak("notify::connection-state", G_CALLBACK(&WebrtcConnection::onStateNotify));
  connectWeak("notify::ice-connection-state", G_CALLBACK(&WebrtcConnection::onStateNotify));
  // Runs on whatever thread creates the transceiver; it only sets a property.
  g_signal_connect(w, "on-new-transceiver", G_CALLBACK(&WebrtcConnection::onNewTransceiver),
                   nullptr);
  configure();
  if (!gst_bin_add(GST_BIN(pipeline_.get()), w)) return false;
  if (gst_element_sync_state_with_parent(w) == FALSE) {
    GST_ERROR("%s/%s: webrtcbin did not start", ctx_.peerId.c_str(), conn_);
    return false;
  }
  return true;
}

void WebrtcConnection::stop() {
  connectTimer_.cancel();
  iceFailedTimer_.cancel();
  if (!webrtc_) return;
  GstElementPtr w = std::move(webrtc_);
  if (!finishQueuedTasks(w.get())) {
    GST_WARNING("%s/%s: webrtcbin's queued tasks did not finish within %d ms; stopping anyway",
                ctx_.peerId.c_str(), conn_, kTaskDrainTimeoutMs);
  }
  gst_element_set_state(w.get(), GST_STATE_NULL);
  if (GST_OBJECT_PARENT(w.get()) == GST_OBJECT(pipeline_.get())) {
    gst_bin_remove(GST_BIN(pipeline_.get()), w.get());
  }
  GST_INFO("%s/%s: stopped", ctx_.peerId.c_str(), conn_);
}

bool WebrtcConnection::finishQueuedTasks(GstElement* webrtc) {
  // GStreamer 1.22.0's rtpsession empties its source table on PAUSED->READY without taking
  // the session lock (fixed upstream in 1.22.3, commit 943a53cc), while a get-stats task on
  // webrtcbin's own thread walks that table under the lock: freed sources, a critical, or a
  // crash. webrtcbin runs its tasks in order, so once this request is answered every task
  // queued before it (the stats collector's among them) has run; none is queued after, as
  // stop() and the collector both run on the main context. A closed webrtcbin answers at
  // once. The wait is bounded so a wedged webrtcbin cannot hold up the main context.
  // webrtcbin replies once: with the stats, or with an error when it is closed.
  auto* answered = new std::promise<void>();
  std::future<void> done = answered->get_future();
  GstPromisePtr promise(gst_promise_new_with_change_func(
      [](GstPromise*, gpointer data) { static_cast<std::promise<void>*>(data)->set_value(); },
      answered, [](gpointer data) { delete static_cast<std::promise<void>*>(data); }));
  g_signal_emit_by_name(webrtc, "get-stats", nullptr, promise.get());
  return done.wait_for(std::chrono::milliseconds(kTaskDrainTimeoutMs)) == std::future_status::ready;
}

void WebrtcConnection::onNewTransceiver(GstElement*, GstWebRTCRTPTransceiver* trans, gpointer) {
  // Off by default in 1.22, and answers then drop nack.
  g_object_set(trans, "do-nack", TRUE, nullptr);
}

void WebrtcConnection::onIceCandidate(GstElement*, guint mline, gchar* candidate, gpointer data) {
  Weak weak = *static_cast<Weak*>(data);
  std::string cand = candidate ? candidate : "";
  postToMain([weak, mline, cand]() {
    auto self = weak.lock();
    if (!self || !self->ctx_.room) return;
    GST_DEBUG("%s/%s: local candidate %s", self->ctx_.peerId.c_str(), self->conn_, cand.c_str());
    json::Object d;
    d.set("room", self->ctx_.roomId)
        .set("peer", self->ctx_.peerId)
        .set("conn", self->conn_)
        .set("candidate", self->ice_.advertised(cand))
        .set("sdp_mline_index", static_cast<int64_t>(mline));
    self->ctx_.room->emit(self->ctx_.owner, bus::event::Candidate, d.take());
  });
}

void WebrtcConnection::onStateNotify(GObject* object, GParamSpec* pspec, gpointer data) {
  Weak weak = *static_cast<Weak*>(data);
  bool ice = g_strcmp0(g_param_spec_get_name(pspec), "ice-connection-state") == 0;
  int value = 0;
  g_object_get(object, g_param_spec_get_name(pspec), &value, nullptr);
  postToMain([weak, ice, value]() {
    auto self = weak.lock();
    if (!self) return;
    if (ice) {
      auto s = static_cast<GstWebRTCICEConnectionState>(value);
      GST_INFO("%s/%s: ICE %s", self->ctx_.peerId.c_str(), self->conn_, iceStateName(s));
      if (s == GST_WEBRTC_ICE_CONNECTION_STATE_CONNECTED ||
          s == GST_WEBRTC_ICE_CONNECTION_STATE_COMPLETED) {
        if (self->webrtc_) self->ice_.connected(self->webrtc_.get());
      }
      self->iceFailed_ = s == GST_WEBRTC_ICE_CONNECTION_STATE_FAILED;
      if (self->iceFailed_) self->onIceFailed();
      return;
    }
    auto s = static_cast<GstWebRTCPeerConnectionState>(value);
    if (s == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED) {
      self->everConnected_ = true;
      self->connectTimer_.cancel();
    }
    GST_INFO("%s/%s: connection %s", self->ctx_.peerId.c_str(), self->conn_,
             connectionStateName(s));
    self->emitState(connectionStateName(s));
    self->onConnectionState(s);
    // webrtcbin derives it from ICE: failed with ICE, and back with it.
    self->connectionFailed_ = s == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED;
    if (self->connectionFailed_) self->onIceFailed();
  });
}

void WebrtcConnection::expectConnection() {
  int ms = ice_.connectTimeoutMs();
  if (everConnected_ || connectTimer_.active() || ms <= 0 || !ctx_.room) return;
  auto* weak = new Weak(weak_from_this());
  connectTimer_.reset(g_timeout_add_full(
      G_PRIORITY_DEFAULT, static_cast<guint>(ms),
      [](gpointer d) -> gboolean {
        auto self = static_cast<Weak*>(d)->lock();
        if (!self) return G_SOURCE_REMOVE;
        self->connectTimer_.release();
        if (self->everConnected_ || !self->ctx_.room) return G_SOURCE_REMOVE;
        self->emitState("failed");
        self->ctx_.room->schedulePeerFailure(
            self->ctx_.peerId, std::string("no connection within ") +
                                   std::to_string(self->ice_.connectTimeoutMs()) + " ms on " +
                                   self->conn_ + " (" + self->whyNotConnected() + ")");
        return G_SOURCE_REMOVE;
      },
      weak, [](gpointer d) { delete static_cast<Weak*>(d); }));
}

void WebrtcConnection::onIceFailed() {
  if (!ctx_.room) return;
  // libnice reports "failed" when the pairs it knows have all failed, and goes back to
  // checking when a late trickled candidate arrives (a busy main loop, a busy control
  // plane): such a connection often comes up right after. Before the first connection the
  // connect timeout decides; after it, ICE must stay failed as long before the peer goes.
  if (!everConnected_) expectConnection();
  if (connectTimer_.active() || iceFailedTimer_.active()) return;
  int ms = ice_.connectTimeoutMs();
  if (ms <= 0) {
    failIce();
    return;
  }
  auto* weak = new Weak(weak_from_this());
  iceFailedTimer_.reset(g_timeout_add_full(
      G_PRIORITY_DEFAULT, static_cast<guint>(ms),
      [](gpointer d) -> gboolean {
        auto self = static_cast<Weak*>(d)->lock();
        if (!self) return G_SOURCE_REMOVE;
        self->iceFailedTimer_.release();
        if (self->iceFailed_ || self->connectionFailed_) self->failIce();
        return G_SOURCE_REMOVE;
      },
      weak, [](gpointer d) { delete static_cast<Weak*>(d); }));
}

void WebrtcConnection::failIce() {
  if (!ctx_.room) return;
  emitState("failed");
  ctx_.room->schedulePeerFailure(
      ctx_.peerId, std::string(iceFailed_ ? "ICE failed on " : "connection failed on ") + conn_);
}

void WebrtcConnection::emitState(const char* state) {
  if (lastState_ == state || !ctx_.room) return;
  lastState_ = state;
  json::Object d;
  d.set("room", ctx_.roomId).set("peer", ctx_.peerId).set("conn", conn_).set("state", state);
  ctx_.room->emit(ctx_.owner, bus::event::ConnectionState, d.take());
}

void WebrtcConnection::addRemoteCandidate(guint mline, const std::string& candidate) {
  if (!webrtc_) return;
  std::string c = candidate.rfind("a=", 0) == 0 ? candidate.substr(2) : candidate;
  g_signal_emit_by_name(webrtc_.get(), "add-ice-candidate", mline, c.c_str());
}

}  // namespace carrel::sfu
