#include "PublishConnection.hpp"

#include <gst/video/video.h>

#include <random>
#include <utility>

#include "RtpTiming.hpp"

namespace carrel::peer {

namespace {

guint32 randomSsrc() {
  std::random_device rd;
  std::uniform_int_distribution<guint32> dist(1, 0xFFFFFFFEu);
  return dist(rd);
}

// Builds a chain from a gst-launch description and adds it to the bin; returns its last
// element (the bin owns them all).
GstElement* addChain(GstElement* bin, const std::string& description, std::string* error) {
  GError* raw = nullptr;
  GstElement* chain = gst_parse_bin_from_description(description.c_str(), TRUE, &raw);
  GErrorPtr err(raw);
  if (!chain) {
    if (error) *error = "cannot build '" + description + "': " + (err ? err->message : "?");
    return nullptr;
  }
  gst_bin_add(GST_BIN(bin), chain);
  return chain;
}

}  // namespace

PublishConnection::PublishConnection(const PeerOptions& options, const NetworkFilter& filter,
                                     Handlers handlers, OfferFn offer)
    : WebRtcConnection("publish", options, filter, std::move(handlers)), offer_(std::move(offer)) {}

bool PublishConnection::start(std::string* error) {
  if (!createPipeline(error)) return false;
  g_signal_connect(webrtc(), "on-negotiation-needed", G_CALLBACK(&onNegotiationNeeded), this);
  loss_ = std::make_unique<SendLoss>(webrtc(), options_.sendDropPercent);
  if (options_.video && !addVideo(error)) return false;
  if (options_.audio && !addAudio(error)) return false;
  if (options_.screen && !startScreen(error)) return false;
  return play(error);
}

bool PublishConnection::startScreen(std::string* error) {
  if (screenValve_) return true;
  const guint32 ssrc = randomSsrc();
  // A slide-like picture (bars, not the camera's ball) at screen resolution.
  std::string d = "videotestsrc is-live=true pattern=smpte ! video/x-raw,width=" +
                  std::to_string(options_.screenWidth) +
                  ",height=" + std::to_string(options_.screenHeight) +
                  ",framerate=" + std::to_string(options_.screenFps) +
                  "/1 ! valve name=svalve ! queue max-size-buffers=2 leaky=downstream"
                  " ! vp8enc name=senc deadline=1 cpu-used=8 end-usage=cbr threads=2"
                  " keyframe-max-dist=300 target-bitrate=" +
                  std::to_string(options_.screenKbps * 1000) +
                  " ! rtpvp8pay pt=96 picture-id-mode=15-bit mtu=1200";
  GstElement* bin = addChain(pipeline(), d, error);
  if (!bin) return false;
  GstElementPtr enc(gst_bin_get_by_name(GST_BIN(bin), "senc"));
  countBuffers(enc.get(), &screenFrames_);
  GstElementPtr valve(gst_bin_get_by_name(GST_BIN(bin), "svalve"));
  std::string caps =
      "application/x-rtp,media=video,encoding-name=VP8,payload=96,"
      "clock-rate=90000,ssrc=(uint)" +
      std::to_string(ssrc);
  GstWebRTCRTPTransceiver* trans = nullptr;
  if (!linkToWebrtc(bin, caps,
                    ",rtcp-fb-nack=(boolean)true,rtcp-fb-nack-pli=(boolean)true,"
                    "rtcp-fb-ccm-fir=(boolean)true",
                    error, &trans)) {
    return false;
  }
  screenTrans_.reset(trans);
  screenValve_ = valve.get();
  screenSsrcs_.push_back(ssrc);
  if (offered_.load()) {
    // Already running: the new elements follow the pipeline, and the change is offered.
    gst_bin_sync_children_states(GST_BIN(pipeline()));
    makeOffer();
  }
  return true;
}

void PublishConnection::stopScreen() {
  if (!screenValve_) return;
  g_object_set(screenValve_, "drop", TRUE, nullptr);
  if (screenTrans_) {
    g_object_set(screenTrans_.get(), "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_INACTIVE,
                 nullptr);
  }
  screenValve_ = nullptr;
  screenTrans_.reset();
  makeOffer();
}

std::vector<std::string> PublishConnection::screenMids(const std::string& sdp) const {
  std::vector<std::string> mids;
  size_t at = sdp.find("\nm=");
  while (at != std::string::npos) {
    size_t next = sdp.find("\nm=", at + 1);
    std::string section = sdp.substr(at, next == std::string::npos ? next : next - at);
    size_t mid = section.find("a=mid:");
    for (guint32 ssrc : screenSsrcs_) {
      if (mid == std::string::npos) break;
      if (section.find("a=ssrc:" + std::to_string(ssrc) + " ") == std::string::npos) continue;
      mids.push_back(section.substr(mid + 6, section.find_first_of("\r\n", mid) - mid - 6));
    }
    at = next;
  }
  return mids;
}

bool PublishConnection::addVideo(std::string* error) {
  const guint32 ssrc = randomSsrc();
  std::string d = "videotestsrc is-live=true pattern=ball ! video/x-raw,width=" +
                  std::to_string(options_.width) + ",height=" + std::to_string(options_.height) +
                  ",framerate=" + std::to_string(options_.fps) +
                  "/1 ! queue max-size-buffers=2 leaky=downstream"
                  " ! vp8enc name=venc deadline=1 cpu-used=8 end-usage=cbr threads=1"
                  " keyframe-max-dist=300 target-bitrate=" +
                  std::to_string(options_.videoKbps * 1000) +
                  " ! rtpvp8pay pt=96 picture-id-mode=15-bit mtu=1200";
  GstElement* bin = addChain(pipeline(), d, error);
  if (!bin) return false;
  GstElementPtr enc(gst_bin_get_by_name(GST_BIN(bin), "venc"));
  countBuffers(enc.get(), &videoFrames_);
  countKeyframeRequests(enc.get(), &videoKeyframeRequests_);
  std::string caps =
      "application/x-rtp,media=video,encoding-name=VP8,payload=96,"
      "clock-rate=90000,ssrc=(uint)" +
      std::to_string(ssrc);
  return linkToWebrtc(bin, caps,
                      ",rtcp-fb-nack=(boolean)true,rtcp-fb-nack-pli=(boolean)true,"
                      "rtcp-fb-ccm-fir=(boolean)true",
                      error);
}

bool PublishConnection::addAudio(std::string* error) {
  const guint32 ssrc = randomSsrc();
  // A muted microphone still negotiates its m-line (the caps pass the valve) but sends no
  // packet, as a browser's disabled track may.
  // A quiet microphone is silence the encoder marks as such (DTX): the payloader then sends
  // only Opus' comfort-noise frames, one per 400 ms.
  const char* dtx = options_.quietMic ? "true" : "false";
  std::string d =
      std::string("audiotestsrc is-live=true wave=") + (options_.quietMic ? "silence" : "sine") +
      " ! valve drop-mode=forward-sticky-events drop=" + (options_.muteAudio ? "true" : "false") +
      " ! audioconvert ! audioresample ! opusenc name=aenc frame-size=" +
      std::to_string(options_.audioFrameMs) + " dtx=" + dtx + " ! rtpopuspay dtx=" + dtx +
      " pt=111 mtu=1200";
  GstElement* bin = addChain(pipeline(), d, error);
  if (!bin) return false;
  GstElementPtr enc(gst_bin_get_by_name(GST_BIN(bin), "aenc"));
  countBuffers(enc.get(), &audioBuffers_);
  std::string caps =
      "application/x-rtp,media=audio,encoding-name=OPUS,payload=111,"
      "clock-rate=48000,ssrc=(uint)" +
      std::to_string(ssrc);
  return linkToWebrtc(bin, caps, ",encoding-params=(string)2", error);
}

bool PublishConnection::linkToWebrtc(GstElement* chain, const std::string& capsText,
                                     const std::string& negotiationFields, std::string* error,
                                     GstWebRTCRTPTransceiver** transOut) {
  GstCapsPtr caps(gst_caps_from_string(capsText.c_str()));
  GstCapsPtr preferences(gst_caps_from_string((capsText + negotiationFields).c_str()));
  GstElement* filter = gst_element_factory_make("capsfilter", nullptr);
  if (!caps || !preferences || !filter) {
    if (error) *error = "cannot make caps " + capsText;
    return false;
  }
  g_object_set(filter, "caps", caps.get(), nullptr);
  gst_bin_add(GST_BIN(pipeline()), filter);
  GstPadPtr sink(gst_element_request_pad_simple(webrtc(), "sink_%u"));
  if (!gst_element_link(chain, filter) || !sink) {
    if (error) *error = "cannot link the " + capsText + " chain";
    return false;
  }
  GstPadPtr src(gst_element_get_static_pad(filter, "src"));
  if (timingOut_) RtpTiming::attach(src.get(), *timingOut_, "rtp_sent");
  // webrtcbin 1.22 sends EOS into a sink pad whose m-line went inactive (a stopped screen
  // share); its bundled transport's rtpfunnel passes EOS on and every other track stops.
  gst_pad_add_probe(
      sink.get(), GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
      [](GstPad*, GstPadProbeInfo* info, gpointer) {
        GstEvent* e = GST_PAD_PROBE_INFO_EVENT(info);
        return e && GST_EVENT_TYPE(e) == GST_EVENT_EOS ? GST_PAD_PROBE_DROP : GST_PAD_PROBE_OK;
      },
      nullptr, nullptr);
  if (gst_pad_link(src.get(), sink.get()) != GST_PAD_LINK_OK) {
    if (error) *error = "cannot link to webrtcbin";
    return false;
  }
  GstWebRTCRTPTransceiver* rawTrans = nullptr;
  g_object_get(sink.get(), "transceiver", &rawTrans, nullptr);
  GstPtr<GstWebRTCRTPTransceiver> trans(rawTrans);
  if (!trans) {
    if (error) *error = "webrtcbin pad has no transceiver";
    return false;
  }
  // Without codec preferences the offer carries no codec and no rtcp-fb lines.
  g_object_set(trans.get(), "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY,
               "codec-preferences", preferences.get(), "do-nack", TRUE, nullptr);
  if (transOut) *transOut = trans.release();
  return true;
}

void PublishConnection::countBuffers(GstElement* element, std::atomic<uint64_t>* counter) {
  if (!element) return;
  GstPadPtr pad(gst_element_get_static_pad(element, "src"));
  gst_pad_add_probe(
      pad.get(), GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad*, GstPadProbeInfo*, gpointer data) {
        static_cast<std::atomic<uint64_t>*>(data)->fetch_add(1, std::memory_order_relaxed);
        return GST_PAD_PROBE_OK;
      },
      counter, nullptr);
}

void PublishConnection::countKeyframeRequests(GstElement* encoder, std::atomic<uint64_t>* counter) {
  if (!encoder) return;
  GstPadPtr pad(gst_element_get_static_pad(encoder, "src"));
  gst_pad_add_probe(
      pad.get(), GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
      [](GstPad*, GstPadProbeInfo* info, gpointer data) {
        GstEvent* e = GST_PAD_PROBE_INFO_EVENT(info);
        if (e && gst_video_event_is_force_key_unit(e)) {
          static_cast<std::atomic<uint64_t>*>(data)->fetch_add(1, std::memory_order_relaxed);
        }
        return GST_PAD_PROBE_OK;
      },
      counter, nullptr);
}

void PublishConnection::onNegotiationNeeded(GstElement* webrtc, gpointer data) {
  auto* self = static_cast<PublishConnection*>(data);
  (void)webrtc;
  // Only the first offer comes from here; later ones are made where the change is made
  // (startScreen, stopScreen), since webrtcbin also asks after unrelated changes.
  if (self->offered_.exchange(true)) return;
  self->postToMain([self] { self->makeOffer(); });
}

void PublishConnection::makeOffer() {
  if (inFlight_) {
    again_ = true;
    return;
  }
  inFlight_ = true;
  offered_ = true;
  std::weak_ptr<bool> alive = aliveToken();
  g_signal_emit_by_name(webrtc(), "create-offer", nullptr,
                        promise([this, alive](const GstStructure* reply) {
                          if (alive.lock()) onOfferCreated(reply);
                        }));
}

void PublishConnection::onOfferCreated(const GstStructure* reply) {
  std::string err = promiseError(reply);
  GstWebRTCSessionDescription* raw = nullptr;
  if (err.empty()) {
    gst_structure_get(reply, "offer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &raw, nullptr);
    if (!raw) err = "create-offer gave no offer";
  }
  GstSessionDescriptionPtr offer(raw);
  if (!err.empty()) {
    postToMain([this, err] { handlers_.failed("publish: " + err); });
    return;
  }
  g_signal_emit_by_name(webrtc(), "set-local-description", offer.get(), nullptr);
  GCharPtr text(gst_sdp_message_as_text(offer->sdp));
  std::string sdp = text.get();
  postToMain([this, sdp] { offer_(sdp, screenMids(sdp)); });
}

void PublishConnection::applyAnswer(const std::string& text) {
  if (!inFlight_) {
    g_printerr("carrel-peer: publish: ignoring a publish_answer no offer waits for\n");
    return;
  }
  std::string err;
  GstSdpMessagePtr sdp = parseRemoteSdp(text, &err);
  if (!sdp) {
    handlers_.failed("publish_answer: " + err);
    return;
  }
  GstSessionDescriptionPtr answer(
      gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_ANSWER, sdp.release()));
  std::weak_ptr<bool> alive = aliveToken();
  g_signal_emit_by_name(webrtc(), "set-remote-description", answer.get(),
                        promise([this, alive](const GstStructure* reply) {
                          std::string e = promiseError(reply);
                          post(alive, [this, e] {
                            inFlight_ = false;
                            if (!e.empty()) {
                              handlers_.failed("publish: set-remote-description: " + e);
                              return;
                            }
                            remoteApplied();
                            if (std::exchange(again_, false)) makeOffer();
                          });
                        }));
}

}  // namespace carrel::peer
