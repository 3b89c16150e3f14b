#include "FilePublisher.hpp"

#include <gst/app/gstappsrc.h>
#include <gst/video/video.h>

#include <random>

namespace carrel::bench {

namespace {

guint32 randomSsrc() {
  std::random_device rd;
  std::uniform_int_distribution<guint32> dist(1, 0xFFFFFFFEu);
  return dist(rd);
}

struct SentTag {
  FilePublisher* self;
  std::atomic<uint64_t>* tag;
  std::atomic<uint64_t>* packets;
  std::atomic<uint64_t>* videoPackets;
  LatencyBook* book;
  bool video;
};

}  // namespace

FilePublisher::FilePublisher(const Clip& clip, LatencyBook& book, const peer::PeerOptions& options,
                             const peer::NetworkFilter& filter, Handlers handlers,
                             std::function<void(const std::string&)> offer)
    : WebRtcConnection("publish", options, filter, std::move(handlers)),
      clip_(clip),
      book_(book),
      offer_(std::move(offer)) {}

bool FilePublisher::start(std::string* error) {
  if (!createPipeline(error)) return false;
  g_signal_connect(webrtc(), "on-negotiation-needed", G_CALLBACK(&onNegotiationNeeded), this);
  if (!addTrack(video_, clip_.videoCaps(), clip_.video(),
                "rtpvp8pay pt=96 picture-id-mode=15-bit mtu=1200",
                "application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000",
                ",rtcp-fb-nack=(boolean)true,rtcp-fb-nack-pli=(boolean)true,"
                "rtcp-fb-ccm-fir=(boolean)true",
                true, error)) {
    return false;
  }
  if (options_.audio &&
      !addTrack(audio_, clip_.audioCaps(), clip_.audio(), "rtpopuspay pt=111 mtu=1200",
                "application/x-rtp,media=audio,encoding-name=OPUS,payload=111,clock-rate=48000",
                ",encoding-params=(string)2", false, error)) {
    return false;
  }
  return play(error);
}

bool FilePublisher::addTrack(Track& track, GstCaps* caps, const std::vector<ClipFrame>& frames,
                             const std::string& payloader, const std::string& rtpCapsText,
                             const std::string& negotiationFields, bool video, std::string* error) {
  std::string d =
      "appsrc name=src is-live=true format=time max-buffers=8 leaky-type=downstream"
      " ! " +
      payloader;
  GError* raw = nullptr;
  GstElement* chain = gst_parse_bin_from_description(d.c_str(), TRUE, &raw);
  GErrorPtr err(raw);
  if (!chain) {
    *error = "cannot build '" + d + "': " + (err ? err->message : "?");
    return false;
  }
  gst_bin_add(GST_BIN(pipeline()), chain);
  track.appsrc = gst_bin_get_by_name(GST_BIN(chain), "src");
  gst_object_unref(track.appsrc);  // the bin keeps it alive
  g_object_set(track.appsrc, "caps", caps, nullptr);
  track.frames = &frames;
  // The clip's second frame has the steady duration (Opus's first one is clipped).
  GstClockTime dur =
      frames.size() > 1 ? GST_BUFFER_DURATION(frames[1].buffer) : GST_CLOCK_TIME_NONE;
  track.periodUs =
      GST_CLOCK_TIME_IS_VALID(dur) ? static_cast<int64_t>(GST_TIME_AS_USECONDS(dur)) : 0;
  if (track.periodUs <= 0) track.periodUs = video ? 33333 : 20000;

  std::string rtpCaps = rtpCapsText + ",ssrc=(uint)" + std::to_string(randomSsrc());
  GstCapsPtr fixed(gst_caps_from_string(rtpCaps.c_str()));
  GstCapsPtr preferences(gst_caps_from_string((rtpCaps + negotiationFields).c_str()));
  GstElement* filter = gst_element_factory_make("capsfilter", nullptr);
  if (!fixed || !preferences || !filter) {
    *error = "cannot make caps " + rtpCaps;
    return false;
  }
  g_object_set(filter, "caps", fixed.get(), nullptr);
  gst_bin_add(GST_BIN(pipeline()), filter);
  GstPadPtr sink(gst_element_request_pad_simple(webrtc(), "sink_%u"));
  GstPadPtr src(gst_element_get_static_pad(filter, "src"));
  if (!gst_element_link(chain, filter) || !sink ||
      gst_pad_link(src.get(), sink.get()) != GST_PAD_LINK_OK) {
    *error = "cannot link " + rtpCaps;
    return false;
  }
  // Every RTP packet entering the connection: counted, and video noted for latency.
  gst_pad_add_probe(
      src.get(), GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad*, GstPadProbeInfo* info, gpointer data) {
        auto* t = static_cast<SentTag*>(data);
        t->packets->fetch_add(1, std::memory_order_relaxed);
        if (t->video) {
          t->videoPackets->fetch_add(1, std::memory_order_relaxed);
          uint64_t tag = t->tag->load(std::memory_order_relaxed);
          if (tag)
            t->book->sent(LatencyBook::key(tag, GST_PAD_PROBE_INFO_BUFFER(info)),
                          LatencyBook::nowUs());
        }
        return GST_PAD_PROBE_OK;
      },
      new SentTag{this, &tag_, &rtpPackets_, &videoRtpPackets_, &book_, video},
      [](gpointer data) { delete static_cast<SentTag*>(data); });
  if (video) {
    GstPadPtr appsrcPad(gst_element_get_static_pad(track.appsrc, "src"));
    gst_pad_add_probe(
        appsrcPad.get(), GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
        [](GstPad*, GstPadProbeInfo* info, gpointer data) {
          auto* self = static_cast<FilePublisher*>(data);
          GstEvent* ev = GST_PAD_PROBE_INFO_EVENT(info);
          if (ev && gst_video_event_is_force_key_unit(ev)) {
            self->keyframeRequests_.fetch_add(1, std::memory_order_relaxed);
            self->keyframeWanted_.store(true);
          }
          return GST_PAD_PROBE_OK;
        },
        this, nullptr);
  }

  GstWebRTCRTPTransceiver* rawTrans = nullptr;
  g_object_get(sink.get(), "transceiver", &rawTrans, nullptr);
  GstPtr<GstWebRTCRTPTransceiver> trans(rawTrans);
  if (!trans) {
    *error = "webrtcbin pad has no transceiver";
    return false;
  }
  g_object_set(trans.get(), "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY,
               "codec-preferences", preferences.get(), "do-nack", TRUE, nullptr);
  return true;
}

void FilePublisher::setActive(bool active) {
  std::lock_guard lock(mu_);
  if (active == active_) return;
  active_ = active;
  int64_t now = LatencyBook::nowUs();
  video_.dueUs = audio_.dueUs = now;
  // A new receiver needs a keyframe first: start the video at the clip's keyframe.
  video_.index = 0;
}

void FilePublisher::tick(int64_t nowUs) {
  std::lock_guard lock(mu_);
  if (!active_) return;
  // A burst of requests costs one rewind: a request within 200 ms of the last keyframe waits
  // for that time to pass, as an encoder honours every request. It used to be dropped, and a
  // receiver that joined just after a keyframe (the clip's loop start, the same moment for
  // every publisher started together) then had none until its own requests got through.
  if (keyframeWanted_.load() && nowUs - lastKeyframeUs_ > 200'000) {
    keyframeWanted_.store(false);
    size_t i = video_.index;
    while (i > 0 && !(*video_.frames)[i].keyframe) --i;
    video_.index = i;
  }
  pushDue(video_, nowUs, true);
  if (audio_.appsrc) pushDue(audio_, nowUs, false);
}

void FilePublisher::pushDue(Track& t, int64_t nowUs, bool video) {
  while (t.dueUs <= nowUs) {
    int64_t lag = nowUs - t.dueUs;
    const ClipFrame& f = (*t.frames)[t.index];
    if (lag > kDropUs) {
      ++counters_.framesDropped;
    } else {
      if (lag > kLateUs) ++counters_.framesLate;
      ++counters_.framesSent;
      if (video && f.keyframe) lastKeyframeUs_ = nowUs;
      GstBuffer* buf = gst_buffer_copy(f.buffer);
      GstClockTime rt = gst_element_get_current_running_time(t.appsrc);
      GST_BUFFER_PTS(buf) = rt;
      GST_BUFFER_DTS(buf) = rt;
      GST_BUFFER_DURATION(buf) = static_cast<GstClockTime>(t.periodUs) * GST_USECOND;
      gst_app_src_push_buffer(GST_APP_SRC(t.appsrc), buf);
    }
    t.index = (t.index + 1) % t.frames->size();
    t.dueUs += t.periodUs;
  }
}

FilePublisher::Counters FilePublisher::counters() const {
  std::lock_guard lock(mu_);
  Counters c = counters_;
  c.rtpPackets = rtpPackets_.load();
  c.videoRtpPackets = videoRtpPackets_.load();
  c.keyframeRequests = keyframeRequests_.load();
  return c;
}

void FilePublisher::onNegotiationNeeded(GstElement* webrtc, gpointer data) {
  auto* self = static_cast<FilePublisher*>(data);
  if (self->offered_.exchange(true)) return;
  std::weak_ptr<bool> alive = self->aliveToken();
  g_signal_emit_by_name(webrtc, "create-offer", nullptr,
                        promise([self, alive](const GstStructure* reply) {
                          if (alive.lock()) self->onOfferCreated(reply);
                        }));
}

void FilePublisher::onOfferCreated(const GstStructure* reply) {
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
  postToMain([this, sdp] { offer_(sdp); });
}

void FilePublisher::applyAnswer(const std::string& text) {
  if (answered_) return;
  std::string err;
  GstSdpMessagePtr sdp = parseRemoteSdp(text, &err);
  if (!sdp) {
    handlers_.failed("publish answer: " + err);
    return;
  }
  answered_ = true;
  GstSessionDescriptionPtr answer(
      gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_ANSWER, sdp.release()));
  std::weak_ptr<bool> alive = aliveToken();
  g_signal_emit_by_name(webrtc(), "set-remote-description", answer.get(),
                        promise([this, alive](const GstStructure* reply) {
                          std::string e = promiseError(reply);
                          post(alive, [this, e] {
                            if (!e.empty()) {
                              handlers_.failed("publish: set-remote-description: " + e);
                              return;
                            }
                            remoteApplied();
                          });
                        }));
}

}  // namespace carrel::bench
