#include "SubscribeConnection.hpp"

#include "BranchFuse.hpp"
#include "ClocksyncHold.hpp"
#include "Json.hpp"
#include "Room.hpp"
#include "RtpRewriter.hpp"
#include "SendChainShortcut.hpp"
#include "WebrtcCall.hpp"

GST_DEBUG_CATEGORY_STATIC(carrel_sfu_subscribe);
#define GST_CAT_DEFAULT carrel_sfu_subscribe

namespace carrel::sfu {

SubscribeConnection::~SubscribeConnection() {
  stop();
}

void SubscribeConnection::configure() {
  static gsize once = 0;
  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(carrel_sfu_subscribe, "carrel-sfu-subscribe", 0,
                            "Carrel SFU subscribe connections");
    g_once_init_leave(&once, 1);
  }
  ClocksyncHold::disable(webrtc_.get());
  if (settings().combinedSubscriberSend()) combiner_ = std::make_shared<SendCombiner>();
}

size_t SubscribeConnection::trackCount() const {
  size_t n = 0;
  for (const auto& s : slots_) n += s->free ? 0 : 1;
  return n;
}

std::vector<SubscribeConnection::Forwarded> SubscribeConnection::forwarded() const {
  std::vector<Forwarded> out;
  for (const auto& s : slots_) {
    if (!s->free) out.push_back({s->publisher, s->track, s->kind, s->ssrc});
  }
  return out;
}

size_t SubscribeConnection::videoTrackCount() const {
  size_t n = 0;
  for (const auto& s : slots_) n += (!s->free && s->teeSrc && s->kind == "video") ? 1 : 0;
  return n;
}

bool SubscribeConnection::wants(const std::string& publisherId, const TrackForwarder& track) const {
  if (track.kind() != "video" || allVideo_) return true;
  return selected_.count({publisherId, track.trackId()}) != 0;
}

void SubscribeConnection::setSelection(std::set<TrackKey> selected) {
  allVideo_ = false;
  selected_ = std::move(selected);
}

std::vector<SubscribeConnection::TrackKey> SubscribeConnection::videoTracks() const {
  std::vector<TrackKey> out;
  for (const auto& s : slots_) {
    if (!s->free && s->kind == "video") out.emplace_back(s->publisher, s->track);
  }
  return out;
}

bool SubscribeConnection::has(const std::string& publisherId, const std::string& trackId) const {
  for (const auto& s : slots_) {
    if (!s->free && s->publisher == publisherId && s->track == trackId) return true;
  }
  return false;
}

SubscribeConnection::Slot* SubscribeConnection::freeSlot(const std::string& kind) {
  for (auto& s : slots_) {
    if (s->free && s->kind == kind && s->sinkPad) return s.get();
  }
  return nullptr;
}

bool SubscribeConnection::linkWhileTeeIdle(GstElement* tee, GstPad* teeSrc, GstPad* sinkPad) {
  // The caps check queries both elements: done first, outside the lock below.
  if (!gst_pad_can_link(teeSrc, sinkPad)) return false;
  // The publisher's thread pushes through the tee into the new, still unlinked pad; its
  // push of the sticky events gets not-linked and marks them sent. A link in the middle of
  // that push has its "send them again" overwritten, and the branch's first buffer reaches
  // webrtcbin with no stream-start, caps or segment: the receiver never gets a pad for the
  // m-line (seen in CI). The tee pushes only under its sink pad's stream lock, so the link is
  // made holding it. Safe from deadlock: a push into a subscriber's webrtcbin never waits on
  // the main loop, since branches are linked only to pads webrtcbin no longer blocks.
  GstPadPtr teeSink(gst_element_get_static_pad(tee, "sink"));
  if (!teeSink) return false;
  GST_PAD_STREAM_LOCK(teeSink.get());
  GstPadLinkReturn ret = gst_pad_link_full(teeSrc, sinkPad, GST_PAD_LINK_CHECK_NOTHING);
  GST_PAD_STREAM_UNLOCK(teeSink.get());
  return !GST_PAD_LINK_FAILED(ret);
}

bool SubscribeConnection::linkToTee(Slot& slot, const std::shared_ptr<TrackForwarder>& track) {
  slot.teeSrc.reset(gst_element_request_pad_simple(track->tee(), "src_%u"));
  if (!slot.teeSrc) {
    GST_ERROR("%s: no tee pad for %s", ctx_.peerId.c_str(), slot.track.c_str());
    return false;
  }
  // On the tee's pad, before webrtcbin sees the caps (checked against the slot's codec
  // preferences) or a packet.
  RtpRewriter::attach(slot.teeSrc.get(), slot.rewriter);
  // After the rewriter (probes run in the order added): it pushes the rewritten buffer. With
  // no queue, whatever webrtcbin returns would go straight back through the tee to the
  // publisher's streaming thread; the fuse keeps every flow return to this branch.
  std::weak_ptr<SubscribeConnection> weak = weakSelf<SubscribeConnection>();
  BranchFuse::attach(
      slot.teeSrc.get(),
      [weak](GstFlowReturn flow) {
        postToMain([weak, flow]() {
          if (auto self = weak.lock()) self->branchFailed(flow);
        });
      },
      combiner_);
  SendChainShortcut::attach(slot.sinkPad.get());
  if (!linkWhileTeeIdle(track->tee(), slot.teeSrc.get(), slot.sinkPad.get())) {
    GST_ERROR("%s: cannot link %s into webrtcbin", ctx_.peerId.c_str(), slot.track.c_str());
    gst_element_release_request_pad(track->tee(), slot.teeSrc.get());
    slot.teeSrc.reset();
    return false;
  }
  return true;
}

bool SubscribeConnection::tryLink(Slot& slot) {
  if (slot.free || slot.teeSrc || !slot.padReady || !connected_ || !slot.sinkPad) return false;
  auto track = slot.forwarder.lock();
  if (!track || !track->tee() || !linkToTee(slot, track)) return false;
  GST_DEBUG("%s: %s/%s flows", ctx_.peerId.c_str(), slot.publisher.c_str(), slot.track.c_str());
  track->requestKeyframe();
  return true;
}

void SubscribeConnection::unlinkFromTee(Slot& s) {
  if (!s.teeSrc) return;
  GstElementPtr tee(gst_pad_get_parent_element(s.teeSrc.get()));
  GstPadPtr peer(gst_pad_get_peer(s.teeSrc.get()));
  if (peer) gst_pad_unlink(s.teeSrc.get(), peer.get());
  if (tee) gst_element_release_request_pad(tee.get(), s.teeSrc.get());
  s.teeSrc.reset();
}

void SubscribeConnection::addTrack(const std::string& publisherId,
                                   const std::shared_ptr<TrackForwarder>& track) {
  if (!webrtc_ || !track->tee()) return;
  if (has(publisherId, track->trackId())) return;
  if (Slot* reuse = freeSlot(track->kind())) {
    reuse->publisher = publisherId;
    reuse->track = track->trackId();
    reuse->source = track->source();
    reuse->forwarder = track;
    reuse->negotiated = false;
    reuse->free = false;
    if (reuse->transceiver) {
      // webrtcbin refuses caps (not-negotiated) that do not match the codec preferences:
      // they must be the new track's, with the SSRC the m-line keeps (RtpRewriter).
      GstCapsPtr caps(gst_caps_copy(track->caps()));
      for (guint i = 0; i < gst_caps_get_size(caps.get()); ++i) {
        gst_structure_set(gst_caps_get_structure(caps.get(), i), "ssrc", G_TYPE_UINT, reuse->ssrc,
                          nullptr);
      }
      g_object_set(reuse->transceiver.get(), "codec-preferences", caps.get(), nullptr);
    }
    tryLink(*reuse);
    GST_INFO("%s: subscribed to %s/%s on a reused m-line", ctx_.peerId.c_str(), publisherId.c_str(),
             reuse->track.c_str());
    scheduleNegotiation();
    return;
  }
  auto slot = std::make_unique<Slot>();
  slot->publisher = publisherId;
  slot->track = track->trackId();
  slot->kind = track->kind();
  slot->source = track->source();
  slot->forwarder = track;
  guint clockRate = 90000;
  if (track->caps() && gst_caps_get_size(track->caps()) > 0) {
    const GstStructure* st = gst_caps_get_structure(track->caps(), 0);
    gst_structure_get_uint(st, "ssrc", &slot->ssrc);
    gint rate = 0;
    if (gst_structure_get_int(st, "clock-rate", &rate) && rate > 0) {
      clockRate = static_cast<guint>(rate);
    }
  }
  slot->sinkPad.reset(gst_element_request_pad_simple(webrtc_.get(), "sink_%u"));
  if (!slot->sinkPad) {
    GST_ERROR("%s: no sink pad for %s/%s", ctx_.peerId.c_str(), publisherId.c_str(),
              slot->track.c_str());
    releaseSlot(*slot);
    return;
  }
  GstWebRTCRTPTransceiver* trans = nullptr;
  g_object_get(slot->sinkPad.get(), "transceiver", &trans, nullptr);
  slot->transceiver.reset(trans);
  if (trans) {
    // do-nack makes webrtcbin offer RTX with an ssrc-group; Chrome refuses a second SSRC on
    // an audio m-line ("Failed to add remote stream ssrc"), so only video retransmits.
    g_object_set(trans, "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY,
                 "codec-preferences", track->caps(), "do-nack", slot->kind == "video", nullptr);
  }
  slot->rewriter = std::make_shared<RtpRewriter>(slot->ssrc, clockRate);
  GST_INFO("%s: subscribed to %s/%s", ctx_.peerId.c_str(), publisherId.c_str(),
           slot->track.c_str());
  slots_.push_back(std::move(slot));
  scheduleNegotiation();
}

void SubscribeConnection::releaseSlot(Slot& s) {
  // Only for a branch that never carried data (a failed addTrack): see stop() otherwise.
  unlinkFromTee(s);
  if (s.sinkPad && webrtc_) gst_element_release_request_pad(webrtc_.get(), s.sinkPad.get());
  s.sinkPad.reset();
  // webrtcbin 1.22 cannot stop a transceiver; inactive is what the next offer says.
  if (s.transceiver) {
    g_object_set(s.transceiver.get(), "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_INACTIVE,
                 nullptr);
  }
  s.transceiver.reset();
}

void SubscribeConnection::vacate(Slot& s) {
  // The webrtcbin pad and the transceiver stay for the next track of this kind.
  // The m-line stays sendonly: webrtcbin 1.22 refuses an answer that turns an inactive
  // m-line back to sendonly ("transceiver direction changes are not implemented"). It
  // carries no packets and leaves the offer's tracks list, which is what clients go by.
  unlinkFromTee(s);
  s.free = true;
  s.publisher.clear();
  s.track.clear();
  s.source.clear();
  s.forwarder.reset();
}

void SubscribeConnection::removeTracksOf(const std::string& publisherId) {
  bool changed = false;
  for (auto& s : slots_) {
    if (s->free || s->publisher != publisherId) continue;
    vacate(*s);
    changed = true;
  }
  if (changed) {
    GST_INFO("%s: unsubscribed from %s", ctx_.peerId.c_str(), publisherId.c_str());
    // Even with nothing left to receive, the client should learn its m-lines went inactive.
    scheduleNegotiation();
  }
}

void SubscribeConnection::removeTrack(const std::string& publisherId, const std::string& trackId) {
  for (auto& s : slots_) {
    if (s->free || s->publisher != publisherId || s->track != trackId) continue;
    vacate(*s);
    GST_INFO("%s: unsubscribed from %s/%s", ctx_.peerId.c_str(), publisherId.c_str(),
             trackId.c_str());
    scheduleNegotiation();
    return;
  }
}

void SubscribeConnection::stop() {
  idle_.cancel();
  answerTimer_.cancel();
  // The tees first: after this no publisher thread pushes into this webrtcbin.
  for (auto& s : slots_) unlinkFromTee(*s);
  WebrtcConnection::stop();
  for (auto& s : slots_) {
    s->sinkPad.reset();
    s->transceiver.reset();
  }
  slots_.clear();
}

void SubscribeConnection::scheduleNegotiation() {
  dirty_ = true;
  if (idle_.active()) return;
  // Coalesces the changes of one main-loop turn (a publisher's audio and video) into one offer.
  idle_.reset(g_idle_add(
      [](gpointer d) -> gboolean {
        auto* self = static_cast<SubscribeConnection*>(d);
        self->idle_.release();
        self->negotiate();
        return G_SOURCE_REMOVE;
      },
      this));
}

void SubscribeConnection::negotiate() {
  if (!webrtc_ || creating_ || awaitingAnswer_ || !dirty_) return;
  dirty_ = false;
  if (trackCount() == 0) {
    GST_DEBUG("%s: nothing to receive, no offer", ctx_.peerId.c_str());
    return;
  }
  creating_ = true;
  // Every transceiver there now goes into this offer (webrtcbin offers them all).
  for (auto& s : slots_) s->inOffer = s->sinkPad != nullptr;
  auto weak = weakSelf<SubscribeConnection>();
  GstPromisePtr p = promiseToMain([weak](ReplyPtr reply, const std::string& error) {
    auto self = weak.lock();
    if (!self) return;
    GstWebRTCSessionDescription* offer = nullptr;
    if (reply && error.empty()) {
      gst_structure_get(reply.get(), "offer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &offer, nullptr);
    }
    GstSessionDescriptionPtr owner(offer);
    if (!offer) {
      GST_ERROR("%s: create-offer failed: %s", self->ctx_.peerId.c_str(), error.c_str());
      self->creating_ = false;
      return;
    }
    self->offerCreated(offer);
  });
  g_signal_emit_by_name(webrtc_.get(), "create-offer", nullptr, p.get());
}

void SubscribeConnection::offerCreated(GstWebRTCSessionDescription* offer) {
  if (!webrtc_) return;
  std::string text = sdpText(offer);
  auto tracks = std::make_shared<JsonArrayPtr>(describeTracks(offer->sdp));
  auto weak = weakSelf<SubscribeConnection>();
  GstPromisePtr p = promiseToMain([weak, text, tracks](ReplyPtr, const std::string& error) {
    auto self = weak.lock();
    if (!self) return;
    self->creating_ = false;
    if (!error.empty()) {
      GST_ERROR("%s: own offer rejected: %s", self->ctx_.peerId.c_str(), error.c_str());
      return;
    }
    self->emitOffer(text, std::move(*tracks));
  });
  g_signal_emit_by_name(webrtc_.get(), "set-local-description", offer, p.get());
}

JsonArrayPtr SubscribeConnection::describeTracks(const GstSDPMessage* offer) {
  JsonArrayPtr tracks(json_array_new());
  std::vector<bool> listed(slots_.size(), false);
  for (guint i = 0; offer && i < gst_sdp_message_medias_len(offer); ++i) {
    const GstSDPMedia* m = gst_sdp_message_get_media(offer, i);
    const gchar* mid = gst_sdp_media_get_attribute_val(m, "mid");
    if (!mid || gst_sdp_media_get_attribute_val(m, "inactive")) continue;
    std::vector<guint> ssrcs;
    for (guint a = 0; a < gst_sdp_media_attributes_len(m); ++a) {
      const GstSDPAttribute* attr = gst_sdp_media_get_attribute(m, a);
      if (g_strcmp0(attr->key, "ssrc") == 0 && attr->value) {
        ssrcs.push_back(static_cast<guint>(g_ascii_strtoull(attr->value, nullptr, 10)));
      }
    }
    for (size_t k = 0; k < slots_.size(); ++k) {
      const Slot& s = *slots_[k];
      if (s.free) {
        listed[k] = true;
        continue;
      }
      bool match = false;
      for (guint ssrc : ssrcs) match = match || (s.ssrc != 0 && ssrc == s.ssrc);
      if (!match || listed[k]) continue;
      listed[k] = true;
      json::Object t;
      t.set("mid", mid)
          .set("peer", s.publisher)
          .set("track", s.track)
          .set("kind", s.kind)
          .set("source", s.source);
      json_array_add_object_element(tracks.get(), t.take().release());
      break;
    }
  }
  // A track added after create-offer has no m-line yet: it goes into the next offer.
  for (bool l : listed) dirty_ = dirty_ || !l;
  return tracks;
}

void SubscribeConnection::emitOffer(const std::string& sdp, JsonArrayPtr tracks) {
  offered_ = true;
  awaitingAnswer_ = true;
  GST_INFO("%s: subscribe offer with %u track(s)", ctx_.peerId.c_str(),
           json_array_get_length(tracks.get()));
  if (!ctx_.room) return;
  expectConnection();
  expectAnswer();
  json::Object d;
  d.set("room", ctx_.roomId).set("peer", ctx_.peerId).set("sdp", sdp).set("tracks", tracks.get());
  GST_DEBUG("%s: offer %s", ctx_.peerId.c_str(), d.str().c_str());
  ctx_.room->emit(ctx_.owner, bus::event::SubscribeOffer, d.take());
}

void SubscribeConnection::applyAnswer(GstSdpMessagePtr answer,
                                      std::shared_ptr<BusResponder> responder) {
  if (!webrtc_ || !awaitingAnswer_) {
    responder->fail(bus::error::WrongState, "no subscribe offer is waiting for an answer");
    return;
  }
  GstSessionDescriptionPtr desc(
      gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_ANSWER, answer.release()));
  auto weak = weakSelf<SubscribeConnection>();
  GstPromisePtr p = promiseToMain([weak, responder](ReplyPtr, const std::string& error) {
    auto self = weak.lock();
    if (!self) {
      responder->fail(bus::error::NoSuchPeer, "the peer left during negotiation");
      return;
    }
    self->awaitingAnswer_ = false;
    self->answerTimer_.cancel();
    if (!error.empty()) {
      GST_WARNING("%s: answer rejected: %s", self->ctx_.peerId.c_str(), error.c_str());
      responder->fail(bus::error::BadSdp, "could not apply the answer: " + error);
      // The offer stands unanswered; offer again so the client can recover.
      self->scheduleNegotiation();
      return;
    }
    responder->ok();
    self->everAnswered_ = true;
    for (auto& s : self->slots_) {
      if (!s->inOffer) continue;
      s->inOffer = false;
      s->padReady = true;
      // Linked now, after its answer: the keyframe tryLink asked for is the one it needs.
      if (self->tryLink(*s)) s->negotiated = true;
    }
    self->requestKeyframesForNewlyNegotiated();
    if (self->dirty_) self->scheduleNegotiation();
  });
  g_signal_emit_by_name(webrtc_.get(), "set-remote-description", desc.get(), p.get());
}

void SubscribeConnection::requestKeyframesForNewlyNegotiated() {
  for (auto& s : slots_) {
    if (s->free || s->negotiated) continue;
    s->negotiated = true;
    // A slot not linked yet (DTLS still coming up) asks when tryLink links it. A keyframe
    // asked for now would reach nobody, and the publisher's throttle would then hold the one
    // it needs back for up to 500 ms (a late joiner's first picture came ~450 ms after its
    // connection was up in a 25-person room).
    if (!s->teeSrc) continue;
    if (auto f = s->forwarder.lock()) f->requestKeyframe();
  }
}

std::string SubscribeConnection::whyNotConnected() const {
  return everAnswered_ ? "ICE or DTLS did not complete" : "the client never answered the offer";
}

void SubscribeConnection::expectAnswer() {
  int ms = connectTimeoutMs();
  if (!everConnected() || ms <= 0 || !ctx_.room) return;
  answerTimer_.reset(g_timeout_add(
      static_cast<guint>(ms),
      [](gpointer d) -> gboolean {
        // The timer is cancelled in stop(), so the connection is alive here.
        auto* self = static_cast<SubscribeConnection*>(d);
        self->answerTimer_.release();
        if (!self->awaitingAnswer_ || !self->ctx_.room) return G_SOURCE_REMOVE;
        self->ctx_.room->schedulePeerFailure(self->ctx_.peerId,
                                             "the client did not answer a subscribe offer within " +
                                                 std::to_string(self->connectTimeoutMs()) + " ms");
        return G_SOURCE_REMOVE;
      },
      this));
}

void SubscribeConnection::branchFailed(GstFlowReturn flow) {
  if (!webrtc_ || !ctx_.room) return;
  ctx_.room->schedulePeerFailure(
      ctx_.peerId, std::string("forwarding to it failed (") + gst_flow_get_name(flow) + ")");
}

void SubscribeConnection::onConnectionState(GstWebRTCPeerConnectionState state) {
  if (state != GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED) return;
  connected_ = true;
  for (auto& s : slots_) {
    if (!s->teeSrc) {
      tryLink(*s);  // asks for a keyframe when it links
      continue;
    }
    // Connected again: what was sent while the connection was down is lost.
    if (auto f = s->forwarder.lock(); f && !s->free) f->requestKeyframe();
  }
}

}  // namespace carrel::sfu
