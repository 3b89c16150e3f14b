#include "WebRtcConnection.hpp"

#include "DtlsBlocker.hpp"

#include "MainContext.hpp"
#include "WebRtcSetup.hpp"
#include "WebrtcStateNames.hpp"

namespace carrel::peer {

WebRtcConnection::WebRtcConnection(std::string name, const PeerOptions& options,
                                   const NetworkFilter& filter, Handlers handlers)
    : options_(options), filter_(filter), handlers_(std::move(handlers)), name_(std::move(name)) {}

WebRtcConnection::~WebRtcConnection() {
  stop();
}

void WebRtcConnection::stop() {
  if (!pipeline_ || stopped_) return;
  stopped_ = true;
  // Stopping first joins the streaming and ICE threads; what they post meanwhile is dropped
  // by the alive_ check once this object is gone.
  gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
  if (webrtc_) g_signal_handlers_disconnect_by_data(webrtc_, this);
  if (busWatch_) g_source_remove(busWatch_);
  busWatch_ = 0;
}

bool WebRtcConnection::createPipeline(std::string* error) {
  pipeline_.reset(GST_ELEMENT(gst_object_ref_sink(gst_pipeline_new(name_.c_str()))));
  webrtc_ = gst_element_factory_make("webrtcbin", (name_ + "-webrtc").c_str());
  if (!webrtc_) {
    if (error) *error = "webrtcbin is not installed";
    return false;
  }
  gst_bin_add(GST_BIN(pipeline_.get()), webrtc_);
  if (!WebRtcSetup::configure(webrtc_, options_.iceAddresses, options_.latencyMs, error)) {
    return false;
  }
  if (options_.breakTransport == "dtls") DtlsBlocker::attach(webrtc_);
  g_signal_connect(webrtc_, "on-ice-candidate", G_CALLBACK(&onIceCandidate), this);
  g_signal_connect(webrtc_, "notify::ice-gathering-state", G_CALLBACK(&onGatheringState), this);
  g_signal_connect(webrtc_, "notify::ice-connection-state", G_CALLBACK(&onIceConnectionState),
                   this);
  GstBusPtr bus(gst_element_get_bus(pipeline_.get()));
  busWatch_ = gst_bus_add_watch(bus.get(), &onBusMessage, this);
  return true;
}

bool WebRtcConnection::play(std::string* error) {
  if (gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    if (error) *error = name_ + " pipeline refused to play";
    return false;
  }
  return true;
}

void WebRtcConnection::post(std::weak_ptr<bool> alive, std::function<void()> fn) {
  carrel::postToMain([alive, fn = std::move(fn)] {
    if (alive.lock()) fn();
  });
}

GstPromise* WebRtcConnection::promise(std::function<void(const GstStructure*)> fn) {
  auto* heap = new std::function<void(const GstStructure*)>(std::move(fn));
  return gst_promise_new_with_change_func(
      [](GstPromise* p, gpointer data) {
        auto& callback = *static_cast<std::function<void(const GstStructure*)>*>(data);
        if (gst_promise_wait(p) != GST_PROMISE_RESULT_REPLIED) {
          callback(nullptr);
          return;
        }
        // set-*-description reply with no structure on success.
        const GstStructure* reply = gst_promise_get_reply(p);
        GstStructurePtr empty(reply ? nullptr : gst_structure_new_empty("ok"));
        callback(reply ? reply : empty.get());
      },
      heap,
      [](gpointer data) { delete static_cast<std::function<void(const GstStructure*)>*>(data); });
}

std::string WebRtcConnection::promiseError(const GstStructure* reply) {
  if (!reply) return "webrtcbin gave no reply (interrupted)";
  GError* raw = nullptr;
  if (gst_structure_has_field(reply, "error")) {
    gst_structure_get(reply, "error", G_TYPE_ERROR, &raw, nullptr);
    GErrorPtr err(raw);
    return err ? err->message : "webrtcbin error";
  }
  return {};
}

GstSdpMessagePtr WebRtcConnection::parseRemoteSdp(const std::string& text,
                                                  std::string* error) const {
  GstSDPMessage* raw = nullptr;
  gst_sdp_message_new(&raw);
  GstSdpMessagePtr sdp(raw);
  if (gst_sdp_message_parse_buffer(reinterpret_cast<const guint8*>(text.data()),
                                   static_cast<guint>(text.size()), sdp.get()) != GST_SDP_OK ||
      gst_sdp_message_medias_len(sdp.get()) == 0) {
    if (error) *error = "unparsable SDP";
    return nullptr;
  }
  int dropped = filter_.stripCandidates(sdp.get());
  if (dropped) g_printerr("carrel-peer: %s: dropped %d SDP candidates\n", name_.c_str(), dropped);
  return sdp;
}

void WebRtcConnection::addRemoteCandidate(guint mline, const std::string& candidate) {
  if (!candidate.empty() && !filter_.allowsCandidate(candidate)) {
    g_printerr("carrel-peer: %s: ignoring remote candidate outside the allowed networks: %s\n",
               name_.c_str(), candidate.c_str());
    return;
  }
  if (!remoteApplied_) {
    pendingCandidates_.emplace_back(mline, candidate);
    return;
  }
  // An empty candidate tells webrtcbin the remote side has finished gathering.
  g_signal_emit_by_name(webrtc_, "add-ice-candidate", mline,
                        candidate.empty() ? nullptr : candidate.c_str());
}

void WebRtcConnection::remoteApplied() {
  remoteApplied_ = true;
  auto pending = std::move(pendingCandidates_);
  pendingCandidates_.clear();
  for (auto& [mline, candidate] : pending) addRemoteCandidate(mline, candidate);
}

void WebRtcConnection::onIceCandidate(GstElement*, guint mline, gchar* candidate, gpointer data) {
  auto* self = static_cast<WebRtcConnection*>(data);
  std::string c = candidate ? candidate : "";
  if (!self->filter_.allowsCandidate(c)) {
    g_printerr("carrel-peer: %s: not sending own candidate outside the allowed networks: %s\n",
               self->name_.c_str(), c.c_str());
    return;
  }
  self->postToMain([self, mline, c] { self->handlers_.localCandidate(mline, c); });
}

void WebRtcConnection::onGatheringState(GObject* obj, GParamSpec*, gpointer data) {
  auto* self = static_cast<WebRtcConnection*>(data);
  GstWebRTCICEGatheringState state = GST_WEBRTC_ICE_GATHERING_STATE_NEW;
  g_object_get(obj, "ice-gathering-state", &state, nullptr);
  if (state != GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE) return;
  self->postToMain([self] { self->handlers_.localCandidate(0, ""); });
}

void WebRtcConnection::onIceConnectionState(GObject* obj, GParamSpec*, gpointer data) {
  auto* self = static_cast<WebRtcConnection*>(data);
  GstWebRTCICEConnectionState state = GST_WEBRTC_ICE_CONNECTION_STATE_NEW;
  g_object_get(obj, "ice-connection-state", &state, nullptr);
  std::string name = iceStateName(state);
  self->postToMain([self, name] { self->handlers_.iceState(name); });
}

gboolean WebRtcConnection::onBusMessage(GstBus*, GstMessage* message, gpointer data) {
  auto* self = static_cast<WebRtcConnection*>(data);
  if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR) {
    GError* raw = nullptr;
    gchar* debugRaw = nullptr;
    gst_message_parse_error(message, &raw, &debugRaw);
    GErrorPtr err(raw);
    GCharPtr debug(debugRaw);
    g_printerr("carrel-peer: %s: %s (%s)\n", self->name_.c_str(), err ? err->message : "?",
               debug ? debug.get() : "");
    self->handlers_.failed(self->name_ + ": " + (err ? err->message : "pipeline error"));
  } else if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_WARNING) {
    GError* raw = nullptr;
    gst_message_parse_warning(message, &raw, nullptr);
    GErrorPtr err(raw);
    g_printerr("carrel-peer: %s: warning: %s\n", self->name_.c_str(), err ? err->message : "?");
  }
  return G_SOURCE_CONTINUE;
}

}  // namespace carrel::peer
