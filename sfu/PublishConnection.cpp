#include "PublishConnection.hpp"

#include "Json.hpp"
#include "PublishSdpFilter.hpp"
#include "Room.hpp"
#include "WebrtcCall.hpp"

GST_DEBUG_CATEGORY_STATIC(carrel_sfu_publish);
#define GST_CAT_DEFAULT carrel_sfu_publish

namespace carrel::sfu {

// What the streaming thread may touch in pad-added: nothing but these.
struct PublishConnection::PadState {
  std::weak_ptr<PublishConnection> owner;
  GstElementPtr pipeline;
  std::string peerId;
  std::atomic<int> video{0};
  std::atomic<int> audio{0};
};

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
  auto* st = new PadState();
  st->owner = weakSelf<PublishConnection>();
  st->pipeline.reset(GST_ELEMENT(gst_object_ref(pipeline_.get())));
  st->peerId = ctx_.peerId;
  g_signal_connect_data(
      webrtc_.get(), "pad-added", G_CALLBACK(&PublishConnection::onPadAdded), st,
      [](gpointer d, GClosure*) { delete static_cast<PadState*>(d); },
      static_cast<GConnectFlags>(0));
}

void PublishConnection::onPadAdded(GstElement*, GstPad* pad, gpointer data) {
  auto* st = static_cast<PadState*>(data);
  if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC) return;
  GstCapsPtr caps(gst_pad_get_current_caps(pad));
  if (!caps) caps.reset(gst_pad_query_caps(pad, nullptr));
  const GstStructure* s =
      caps && gst_caps_get_size(caps.get()) ? gst_caps_get_structure(caps.get(), 0) : nullptr;
  const gchar* media = s ? gst_structure_get_string(s, "media") : nullptr;
  std::string trackId;
  if (g_strcmp0(media, "video") == 0) {
    trackId = "video" + std::to_string(st->video++);
  } else if (g_strcmp0(media, "audio") == 0) {
    trackId = "audio" + std::to_string(st->audio++);
  } else {
    GST_WARNING("%s: ignoring pad with caps %" GST_PTR_FORMAT, st->peerId.c_str(),
                static_cast<void*>(caps.get()));
    return;
  }
  // Linked here on the streaming thread: returning unlinked would stop the source.
  auto track = TrackForwarder::create(st->pipeline.get(), pad, st->peerId, trackId);
  if (!track) return;
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
  GST_INFO("%s: track %s (%s) published", ctx_.peerId.c_str(), track->trackId().c_str(),
           track->kind().c_str());
  tracks_[track->trackId()] = track;
  if (ctx_.room) ctx_.room->onTrackPublished(ctx_.peerId, track);
}

bool PublishConnection::owns(GstElement* element) const {
  if (WebrtcConnection::owns(element)) return true;
  for (const auto& [id, t] : tracks_) {
    if (t->tee() == element) return true;
  }
  return false;
}

void PublishConnection::stop() {
  // The publisher first, so nothing pushes into the tees while they go.
  WebrtcConnection::stop();
  for (auto& [id, t] : tracks_) t->teardown();
  tracks_.clear();
}

void PublishConnection::applyOffer(GstSdpMessagePtr offer,
                                   std::shared_ptr<BusResponder> responder) {
  if (!webrtc_) {
    responder->fail(bus::error::WrongState, "publish connection is closed");
    return;
  }
  int removed = keepForwardableCodecs(offer.get());
  GST_DEBUG("%s: removed %d payload types the SFU does not forward", ctx_.peerId.c_str(), removed);
  offerSeen_ = true;
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
