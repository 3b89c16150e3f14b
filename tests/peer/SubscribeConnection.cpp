#include "SubscribeConnection.hpp"

#include <algorithm>
#include <cctype>

#include "RtpTiming.hpp"
#include "WebRtcSetup.hpp"

namespace carrel::peer {

namespace {

// Probe data: which table and which mid a pad's buffers belong to.
struct PadTag {
  TrackTable* tracks;
  std::string mid;
  SubscribeConnection* conn;
  std::weak_ptr<bool> alive;
  std::function<void(const TrackSnapshot&)>* flowing;
};

uint64_t bytesOf(GstPadProbeInfo* info, uint64_t* packets) {
  if (GstBuffer* buf = GST_PAD_PROBE_INFO_BUFFER(info);
      buf && (info->type & GST_PAD_PROBE_TYPE_BUFFER)) {
    *packets = 1;
    return gst_buffer_get_size(buf);
  }
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    GstBufferList* list = GST_PAD_PROBE_INFO_BUFFER_LIST(info);
    *packets = gst_buffer_list_length(list);
    return gst_buffer_list_calculate_size(list);
  }
  *packets = 0;
  return 0;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

SubscribeConnection::SubscribeConnection(const PeerOptions& options, const NetworkFilter& filter,
                                         TrackTable& tracks, Handlers handlers, Events events)
    : WebRtcConnection("subscribe", options, filter, std::move(handlers)),
      tracks_(tracks),
      events_(std::move(events)) {}

bool SubscribeConnection::start(std::string* error) {
  if (!createPipeline(error)) return false;
  g_signal_connect(webrtc(), "pad-added", G_CALLBACK(&onPadAdded), this);
  g_signal_connect(webrtc(), "pad-removed", G_CALLBACK(&onPadRemoved), this);
  loss_ = std::make_unique<ReceiveLoss>(webrtc(), options_.dropPercent);
  return play(error);
}

void SubscribeConnection::applyOffer(const std::string& sdp, std::vector<TrackInfo> tracks) {
  queue_.push_back(Offer{sdp, std::move(tracks)});
  if (!busy_) next();
}

void SubscribeConnection::next() {
  if (queue_.empty()) return;
  Offer offer = std::move(queue_.front());
  queue_.pop_front();
  std::string err;
  GstSdpMessagePtr sdp = parseRemoteSdp(offer.sdp, &err);
  if (!sdp) {
    handlers_.failed("subscribe_offer: " + err);
    return;
  }
  busy_ = true;
  auto inactive = WebRtcSetup::inactiveMids(sdp.get());
  for (const TrackSnapshot& s :
       tracks_.applyOffer(offer.tracks, inactive, TrackTable::Clock::now())) {
    events_.trackEnded(s);
  }
  GstSessionDescriptionPtr desc(
      gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_OFFER, sdp.release()));
  std::weak_ptr<bool> alive = aliveToken();
  g_signal_emit_by_name(webrtc(), "set-remote-description", desc.get(),
                        promise([this, alive](const GstStructure* reply) {
                          if (!alive.lock()) return;
                          onRemoteSet(promiseError(reply));
                        }));
}

void SubscribeConnection::onRemoteSet(const std::string& error) {
  // webrtcbin's thread.
  if (!error.empty()) {
    postToMain([this, error] { answered({}, "set-remote-description: " + error); });
    return;
  }
  postToMain([this] { remoteApplied(); });
  std::weak_ptr<bool> alive = aliveToken();
  g_signal_emit_by_name(webrtc(), "create-answer", nullptr,
                        promise([this, alive](const GstStructure* reply) {
                          if (alive.lock()) onAnswerCreated(reply);
                        }));
}

void SubscribeConnection::onAnswerCreated(const GstStructure* reply) {
  std::string err = promiseError(reply);
  GstWebRTCSessionDescription* raw = nullptr;
  if (err.empty()) {
    gst_structure_get(reply, "answer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &raw, nullptr);
    if (!raw) err = "create-answer gave no answer";
  }
  GstSessionDescriptionPtr answer(raw);
  if (!err.empty()) {
    postToMain([this, err] { answered({}, "create-answer: " + err); });
    return;
  }
  g_signal_emit_by_name(webrtc(), "set-local-description", answer.get(), nullptr);
  GCharPtr text(gst_sdp_message_as_text(answer->sdp));
  std::string sdp = text.get();
  postToMain([this, sdp] { answered(sdp, {}); });
}

void SubscribeConnection::answered(const std::string& sdp, const std::string& error) {
  busy_ = false;
  if (!error.empty()) {
    handlers_.failed("subscribe: " + error);
    return;
  }
  events_.answer(sdp);
  next();
}

void SubscribeConnection::onPadAdded(GstElement*, GstPad* pad, gpointer data) {
  if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC) return;
  static_cast<SubscribeConnection*>(data)->linkPad(pad);
}

void SubscribeConnection::onPadRemoved(GstElement*, GstPad* pad, gpointer data) {
  auto* self = static_cast<SubscribeConnection*>(data);
  GstElement* chain = nullptr;
  {
    std::lock_guard lock(self->chainsMu_);
    auto it = self->chains_.find(pad);
    if (it == self->chains_.end()) return;
    chain = it->second;
    self->chains_.erase(it);
  }
  g_printerr("carrel-peer: subscribe: pad %s removed\n", GST_PAD_NAME(pad));
  // The pad is already unlinked, so nothing streams into the chain any more.
  self->postToMain([self, chain] {
    gst_element_set_state(chain, GST_STATE_NULL);
    gst_bin_remove(GST_BIN(self->pipeline()), chain);
  });
}

void SubscribeConnection::linkPad(GstPad* pad) {
  // Streaming thread: link here and now, or the first buffer meets a not-linked pad.
  GstWebRTCRTPTransceiver* rawTrans = nullptr;
  g_object_get(pad, "transceiver", &rawTrans, nullptr);
  GstPtr<GstWebRTCRTPTransceiver> trans(rawTrans);
  gchar* rawMid = nullptr;
  if (trans) g_object_get(trans.get(), "mid", &rawMid, nullptr);
  GCharPtr mid(rawMid);
  std::string midText = mid ? mid.get() : "";

  GstCapsPtr caps(gst_pad_get_current_caps(pad));
  if (!caps) caps.reset(gst_pad_query_caps(pad, nullptr));
  std::string encoding;
  if (caps && gst_caps_get_size(caps.get()) > 0) {
    const char* e =
        gst_structure_get_string(gst_caps_get_structure(caps.get(), 0), "encoding-name");
    if (e) encoding = lower(e);
  }
  g_printerr("carrel-peer: subscribe: pad %s mid=%s encoding=%s\n", GST_PAD_NAME(pad),
             midText.c_str(), encoding.c_str());

  GstElement* sink = makeSink(pipeline(), pad, encoding, midText);
  GstPadPtr sinkPad(sink ? gst_element_get_static_pad(sink, "sink") : nullptr);
  if (!sinkPad || gst_pad_link(pad, sinkPad.get()) != GST_PAD_LINK_OK) {
    g_printerr("carrel-peer: subscribe: cannot link pad %s\n", GST_PAD_NAME(pad));
    return;
  }
  {
    std::lock_guard lock(chainsMu_);
    chains_[pad] = sink;
  }

  if (timingOut_) RtpTiming::attach(pad, *timingOut_, "rtp_received");
  auto* tag = new PadTag{&tracks_, midText, this, aliveToken(), &events_.trackFlowing};
  gst_pad_add_probe(
      pad, static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST),
      [](GstPad*, GstPadProbeInfo* info, gpointer data) {
        auto* t = static_cast<PadTag*>(data);
        uint64_t packets = 0;
        uint64_t bytes = bytesOf(info, &packets);
        for (uint64_t i = 0; i < packets; ++i) {
          auto first = t->tracks->onPacket(t->mid, i == 0 ? bytes : 0, TrackTable::Clock::now());
          if (first) {
            auto* flowing = t->flowing;
            TrackSnapshot s = *first;
            WebRtcConnection::post(t->alive, [flowing, s] { (*flowing)(s); });
          }
        }
        return GST_PAD_PROBE_OK;
      },
      tag, [](gpointer data) { delete static_cast<PadTag*>(data); });
}

GstElement* SubscribeConnection::makeSink(GstElement* bin, GstPad*, const std::string& encoding,
                                          const std::string& mid) {
  std::string d;
  if (options_.decode && encoding == "vp8") {
    d = std::string("rtpvp8depay wait-for-keyframe=true request-keyframe=") +
        (options_.keyframeRequests ? "true" : "false") + " ! vp8dec name=dec ! fakesink name=out";
  } else if (options_.decode && options_.decodeAudio && encoding == "opus") {
    d = "rtpopusdepay ! opusdec name=dec ! fakesink name=out";
  } else {
    d = "fakesink name=out";
  }
  GError* raw = nullptr;
  GstElement* chain = gst_parse_bin_from_description(d.c_str(), TRUE, &raw);
  GErrorPtr err(raw);
  if (!chain) {
    g_printerr("carrel-peer: subscribe: cannot build '%s': %s\n", d.c_str(),
               err ? err->message : "?");
    return nullptr;
  }
  GstElementPtr out(gst_bin_get_by_name(GST_BIN(chain), "out"));
  g_object_set(out.get(), "sync", FALSE, "async", FALSE, nullptr);
  GstElementPtr dec(gst_bin_get_by_name(GST_BIN(chain), "dec"));
  if (dec && options_.keyframeRequests &&
      g_object_class_find_property(G_OBJECT_GET_CLASS(dec.get()),
                                   "automatic-request-sync-points")) {
    g_object_set(dec.get(), "automatic-request-sync-points", TRUE, nullptr);
  }
  if (dec) {
    GstPadPtr decoded(gst_element_get_static_pad(out.get(), "sink"));
    auto* tag = new PadTag{&tracks_, mid, this, aliveToken(), nullptr};
    gst_pad_add_probe(
        decoded.get(), GST_PAD_PROBE_TYPE_BUFFER,
        [](GstPad*, GstPadProbeInfo*, gpointer data) {
          auto* t = static_cast<PadTag*>(data);
          t->tracks->onFrame(t->mid, TrackTable::Clock::now());
          return GST_PAD_PROBE_OK;
        },
        tag, [](gpointer data) { delete static_cast<PadTag*>(data); });
  }
  gst_bin_add(GST_BIN(bin), chain);
  gst_element_sync_state_with_parent(chain);
  return chain;
}

}  // namespace carrel::peer
