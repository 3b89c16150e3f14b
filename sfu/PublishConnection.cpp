#include "PublishConnection.hpp"

#include <mutex>

#include "EosShield.hpp"
#include "Json.hpp"
#include "PassThroughJitterbuffer.hpp"
#include "PublishSdpFilter.hpp"
#include "ReceiveChainShortcut.hpp"
#include "Room.hpp"
#include "WebrtcCall.hpp"
#include "WebrtcbinRtpbin.hpp"

GST_DEBUG_CATEGORY_STATIC(carrel_sfu_publish);
#define GST_CAT_DEFAULT carrel_sfu_publish

namespace carrel::sfu {

// What the streaming thread may touch in pad-added: nothing but these.
struct PublishConnection::PadState {
  std::weak_ptr<PublishConnection> owner;
  GstElementPtr pipeline;
  std::string peerId;
  bool skipGhostPads = false;
  std::atomic<int> video{0};
  std::atomic<int> audio{0};
  std::atomic<int> screen{0};
  // Written on the main context by applyOffer, read by pad-added on streaming threads.
  std::mutex mu;
  std::map<std::string, std::string> sources;  // mid -> source
  std::vector<std::string> mids;               // by m-line index, from the latest offer
};

namespace {

std::string midOfPad(GstPad* pad, PublishConnection::PadState* st) {
  GstWebRTCRTPTransceiver* raw = nullptr;
  g_object_get(pad, "transceiver", &raw, nullptr);
  GObjectPtr<GstWebRTCRTPTransceiver> trans(raw);
  if (!trans) return {};
  gchar* mid = nullptr;
  guint index = G_MAXUINT;
  g_object_get(trans.get(), "mid", &mid, "mlineindex", &index, nullptr);
  GCharPtr midOwner(mid);
  if (mid && *mid) return mid;
  std::lock_guard lock(st->mu);
  return index < st->mids.size() ? st->mids[index] : std::string();
}

// Whether an offered m-line still sends: a=inactive, a=recvonly or port 0 end its track.
bool mediaSends(const GstSDPMedia* m) {
  if (gst_sdp_media_get_port(m) == 0 && !gst_sdp_media_get_attribute_val(m, "bundle-only")) {
    return false;
  }
  return !gst_sdp_media_get_attribute_val(m, "inactive") &&
         !gst_sdp_media_get_attribute_val(m, "recvonly");
}

}  // namespace

PublishConnection::~PublishConnection() {
  stop();
}

void PublishConnection::configure() {
  static gsize once = 0;
  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(carrel_sfu_publish, "carrel-sfu-publish", 0,
                            "Carrel SFU publish connections");
    g_once_init_leave(&once, 1);
  }
  GstElementPtr rtpbin = webrtcbinRtpbin(webrtc_.get());
  if (!rtpbin) GST_WARNING("%s: no rtpbin inside webrtcbin", ctx_.peerId.c_str());
  if (rtpbin && settings().receiveChainShortcut())
    ReceiveChainShortcut::keepNoFecStorage(rtpbin.get());
  if (settings().passThroughJitterbuffer()) {
    if (rtpbin) {
      g_signal_connect(rtpbin.get(), "request-jitterbuffer",
                       G_CALLBACK(&PassThroughJitterbuffer::onRequestJitterbuffer), nullptr);
    }
  } else {
    // PassThroughJitterbuffer keeps an ended track's EOS from upstream itself, in its push;
    // rtpjitterbuffer needs the shield's probe on every packet.
    EosShield::attach(webrtc_.get());
  }
  pads_ = std::make_shared<PadState>();
  pads_->owner = weakSelf<PublishConnection>();
  pads_->pipeline.reset(GST_ELEMENT(gst_object_ref(pipeline_.get())));
  pads_->peerId = ctx_.peerId;
  pads_->skipGhostPads = settings().receiveChainShortcut();
  g_signal_connect_data(
      webrtc_.get(), "pad-added", G_CALLBACK(&PublishConnection::onPadAdded),
      new std::shared_ptr<PadState>(pads_),
      [](gpointer d, GClosure*) { delete static_cast<std::shared_ptr<PadState>*>(d); },
      static_cast<GConnectFlags>(0));
}

void PublishConnection::onPadAdded(GstElement*, GstPad* pad, gpointer data) {
  auto* st = static_cast<std::shared_ptr<PadState>*>(data)->get();
  if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC) return;
  GstCapsPtr caps(gst_pad_get_current_caps(pad));
  if (!caps) caps.reset(gst_pad_query_caps(pad, nullptr));
  const GstStructure* s =
      caps && gst_caps_get_size(caps.get()) ? gst_caps_get_structure(caps.get(), 0) : nullptr;
  const gchar* media = s ? gst_structure_get_string(s, "media") : nullptr;
  std::string mid = midOfPad(pad, st);
  std::string source;
  {
    std::lock_guard lock(st->mu);
    auto it = st->sources.find(mid);
    if (it != st->sources.end()) source = it->second;
  }
  std::string trackId;
  if (g_strcmp0(media, "video") == 0 && source == "screen") {
    trackId = "screen" + std::to_string(st->screen++);
  } else if (g_strcmp0(media, "video") == 0) {
    source = "camera";
    trackId = "video" + std::to_string(st->video++);
  } else if (g_strcmp0(media, "audio") == 0) {
    source = "microphone";
    trackId = "audio" + std::to_string(st->audio++);
  } else {
    GST_WARNING("%s: ignoring pad with caps %" GST_PTR_FORMAT, st->peerId.c_str(),
                static_cast<void*>(caps.get()));
    return;
  }
  // Linked here on the streaming thread: returning unlinked would stop the source.
  auto track = TrackForwarder::create(st->pipeline.get(), pad, st->peerId, trackId, source, mid);
  if (!track) return;
  if (st->skipGhostPads) track->skipGhostPads();
  std::weak_ptr<PublishConnection> weak = st->owner;
  postToMain([weak, track]() {
    if (auto self = weak.lock()) {
      self->trackReady(track);
    } else {
      track->teardown();
    }
  });
}

void PublishConnection::trackReady(std::shared_ptr<TrackForwarder> track) {
  if (!webrtc_) {
    track->teardown();
    return;
  }
  if (endedMids_.count(track->mid())) {
    // Its m-line was ended before its first packet got here.
    track->end();
    ended_.push_back(track);
    return;
  }
  if (!feedbackPlanned_) feedbackPlanned_ = planFeedbackBandwidth();
  GST_INFO("%s: track %s (%s, %s, mid %s) published", ctx_.peerId.c_str(), track->trackId().c_str(),
           track->kind().c_str(), track->source().c_str(), track->mid().c_str());
  tracks_[track->trackId()] = track;
  if (ctx_.room) ctx_.room->onTrackPublished(ctx_.peerId, track);
}

void PublishConnection::endTrack(const std::string& trackId) {
  auto it = tracks_.find(trackId);
  if (it == tracks_.end()) return;
  std::shared_ptr<TrackForwarder> track = it->second;
  tracks_.erase(it);
  track->end();
  ended_.push_back(track);
  GST_INFO("%s: track %s ended by a re-offer", ctx_.peerId.c_str(), trackId.c_str());
  for (const auto& [id, t] : tracks_) {
    GST_INFO("%s: %s has had %" G_GUINT64_FORMAT " packets", ctx_.peerId.c_str(), id.c_str(),
             t->packets());
  }
  if (ctx_.room) ctx_.room->onTrackEnded(ctx_.peerId, track);
}

bool PublishConnection::planFeedbackBandwidth() {
  GstElementPtr rtpbin = webrtcbinRtpbin(webrtc_.get());
  if (!rtpbin) return true;
  bool any = false;
  // Bundled: one session; the loop covers a client that does not bundle.
  for (guint id = 0; id < 16; ++id) {
    GObject* raw = nullptr;
    g_signal_emit_by_name(rtpbin.get(), "get-internal-session", id, &raw);
    GObjectPtr<GObject> session(raw);
    if (!session) continue;
    g_object_set(session.get(), "bandwidth", kPublishBandwidth, nullptr);
    any = true;
  }
  GST_DEBUG("%s: RTCP planned for %.0f bit/s: %s", ctx_.peerId.c_str(), kPublishBandwidth,
            any ? "yes" : "no session yet");
  return any;
}

bool PublishConnection::owns(GstElement* element) const {
  if (WebrtcConnection::owns(element)) return true;
  for (const auto& [id, t] : tracks_) {
    if (t->tee() == element) return true;
  }
  for (const auto& t : ended_) {
    if (t->tee() == element) return true;
  }
  return false;
}

void PublishConnection::stop() {
  // The publisher first, so nothing pushes into the tees while they go.
  WebrtcConnection::stop();
  for (auto& [id, t] : tracks_) t->teardown();
  tracks_.clear();
  for (auto& t : ended_) t->teardown();
  ended_.clear();
}

void PublishConnection::applyOffer(GstSdpMessagePtr offer,
                                   std::map<std::string, std::string> sources,
                                   std::shared_ptr<BusResponder> responder) {
  if (!webrtc_) {
    responder->fail(bus::error::WrongState, "publish connection is closed");
    return;
  }
  std::vector<std::string> mids;
  std::vector<std::string> ending;
  for (guint i = 0; i < gst_sdp_message_medias_len(offer.get()); ++i) {
    const GstSDPMedia* m = gst_sdp_message_get_media(offer.get(), i);
    const gchar* mid = gst_sdp_media_get_attribute_val(m, "mid");
    mids.emplace_back(mid ? mid : "");
    if (!mid || mediaSends(m)) continue;
    endedMids_.insert(mid);
    for (const auto& [id, t] : tracks_) {
      if (t->mid() == mid) ending.push_back(id);
    }
  }
  {
    std::lock_guard lock(pads_->mu);
    // A mid keeps the source it was first given: a later offer cannot relabel a live track.
    for (auto& [mid, source] : sources) pads_->sources.emplace(mid, source);
    pads_->mids = std::move(mids);
  }
  for (const auto& id : ending) endTrack(id);
  int removed = keepForwardableCodecs(offer.get());
  GST_DEBUG("%s: removed %d payload types the SFU does not forward", ctx_.peerId.c_str(), removed);
  offerSeen_ = true;
  expectConnection();
  GstWebRTCSessionDescription* desc =
      gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_OFFER, offer.release());
  GstSessionDescriptionPtr descOwner(desc);
  auto weak = weakSelf<PublishConnection>();
  std::string peer = ctx_.peerId;

  GstPromisePtr remoteSet =
      promiseToMain([weak, responder, peer](ReplyPtr, const std::string& error) {
        auto self = weak.lock();
        if (error.empty()) {
          if (self) self->applied_ = true;
          return;
        }
        // Candidates for an offer that never applied have nothing to belong to.
        if (self) self->offerSeen_ = self->applied_;
        GST_WARNING("%s: offer rejected: %s", peer.c_str(), error.c_str());
        responder->fail(bus::error::BadSdp, "could not apply the offer: " + error);
      });
  g_signal_emit_by_name(webrtc_.get(), "set-remote-description", desc, remoteSet.get());

  // webrtcbin runs its operations in order, so the answer can be asked for right away.
  GstPromisePtr answered = promiseToMain([weak, responder](ReplyPtr reply,
                                                           const std::string& error) {
    auto self = weak.lock();
    if (!self || !self->webrtc_) {
      responder->fail(bus::error::NoSuchPeer, "the peer left during negotiation");
      return;
    }
    GstWebRTCSessionDescription* answer = nullptr;
    if (reply && error.empty()) {
      gst_structure_get(reply.get(), "answer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &answer,
                        nullptr);
    }
    GstSessionDescriptionPtr answerOwner(answer);
    if (!answer) {
      responder->fail(bus::error::BadSdp, "could not answer the offer: " +
                                              (error.empty() ? std::string("no answer") : error));
      return;
    }
    std::string text = sdpText(answer);
    GstPromisePtr localSet = promiseToMain([responder, text](ReplyPtr, const std::string& err) {
      if (!err.empty()) {
        responder->fail(bus::error::BadSdp, "could not apply the answer: " + err);
        return;
      }
      json::Object d;
      d.set("sdp", text);
      responder->ok(d.take());
    });
    g_signal_emit_by_name(self->webrtc_.get(), "set-local-description", answer, localSet.get());
  });
  g_signal_emit_by_name(webrtc_.get(), "create-answer", nullptr, answered.get());
}

}  // namespace carrel::sfu
