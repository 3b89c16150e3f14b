#include "LoadRun.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "CarrelParticipant.hpp"
#include "DirectPair.hpp"
#include "JanusParticipant.hpp"
#include "JanusSession.hpp"
#include "Json.hpp"

namespace carrel::bench {

namespace {

constexpr uint64_t kJanusRoom = 4242;
constexpr int kSettleMs = 1500;
constexpr int kLateWaitMs = 8000;

peer::NetworkFilter loopbackOnly() {
  std::string err;
  auto f = peer::NetworkFilter::parse({"127.0.0.0/8"}, &err);
  return std::move(*f);
}

double percentile(const std::vector<int64_t>& sorted, double p) {
  if (sorted.empty()) return -1;
  size_t i = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size()))) - 1;
  return static_cast<double>(sorted[std::min(i, sorted.size() - 1)]);
}

// The first video packet and frame of a participant, in ms since the run started.
struct FirstMedia {
  std::optional<int64_t> packet, frame;
  uint64_t frames = 0;
};
FirstMedia firstVideo(Participant& p) {
  FirstMedia m;
  for (const peer::TrackSnapshot& s : p.tracks().snapshot()) {
    if (s.info.kind != "video") continue;
    if (s.firstPacketMs && (!m.packet || *s.firstPacketMs < *m.packet)) m.packet = s.firstPacketMs;
    if (s.firstFrameMs && (!m.frame || *s.firstFrameMs < *m.frame)) m.frame = s.firstFrameMs;
    m.frames += s.frames;
  }
  return m;
}

void setMs(json::Object& o, const char* k, std::optional<int64_t> v) {
  if (v) {
    o.set(k, *v);
  } else {
    o.setNull(k);
  }
}

}  // namespace

LoadRun::LoadRun(LoadOptions options, const Clip& clip, std::function<void(int)> quit)
    : o_(std::move(options)),
      quit_(std::move(quit)),
      filter_(loopbackOnly()),
      ctx_{clip,    book_,         registry_,
           pacer_,  filter_,       peer::TrackTable::Clock::now(),
           "bench", o_.iceAddress, o_.workload == "tiles"} {}

LoadRun::~LoadRun() {
  if (timer_) g_source_remove(timer_);
}

int64_t LoadRun::nowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(peer::TrackTable::Clock::now() -
                                                               ctx_.start)
      .count();
}

std::unique_ptr<Participant> LoadRun::make(const std::string& name, bool publish, bool decode,
                                           bool microphone) {
  std::unique_ptr<Participant> p;
  if (o_.system == "janus") {
    p = std::make_unique<JanusParticipant>(ctx_, o_.url, kJanusRoom, name, publish, decode);
  } else {
    p = std::make_unique<CarrelParticipant>(ctx_, o_.url, name, publish, decode);
  }
  p->setMicrophone(microphone);
  return p;
}

int LoadRun::speakers() const {
  return o_.workload == "tiles" && o_.speakers >= 0 ? o_.speakers : o_.n;
}

void LoadRun::start() {
  idle_ = ProcStats::sample(o_.serverPids);
  if (o_.system == "janus") {
    admin_ = std::make_unique<JanusSession>(o_.url);
    admin_->create([this](const std::string& error) {
      if (!error.empty()) {
        roomError_ = error;
        return;
      }
      JanusParticipant::createRoom(*admin_, kJanusRoom, 128, [this](const std::string& e) {
        roomError_ = e;
        roomReady_ = e.empty();
      });
    });
  } else {
    roomReady_ = true;
  }
  enter(Phase::kRoom);
  timer_ = g_timeout_add(
      100, [](gpointer self) -> gboolean { return static_cast<LoadRun*>(self)->step(); }, this);
}

void LoadRun::enter(Phase p) {
  phase_ = p;
  phaseStartMs_ = nowMs();
}

std::vector<Feed> LoadRun::feedsFor(int self) const {
  const int n = static_cast<int>(publishers_.size());
  std::vector<Feed> feeds;
  for (int i = 0; i < n; ++i) {
    bool video = true;
    if (o_.workload == "tiles") {
      // The next `tiles` participants in a ring, so every camera has exactly `tiles`
      // receivers; one that only receives (the late joiner) shows the first `tiles`.
      int ahead = self < 0 ? i + 1 : (i - self + n) % n;
      video = ahead >= 1 && ahead <= o_.tiles;
    }
    feeds.push_back(Feed{publishers_[i]->publisherId(), publishers_[i]->audioMid(), video,
                         publishers_[i]->publishesAudio()});
  }
  return feeds;
}

LoadRun::Streams LoadRun::flowingStreams() const {
  Streams n;
  for (const auto& s : registry_.all()) {
    if (s->subscriber() == "late" || s->snapshot().packets == 0) continue;
    ++(s->video() ? n.video : n.audio);
  }
  return n;
}

LoadRun::Streams LoadRun::expectedStreams() const {
  if (o_.system == "direct") return {1, 1};
  const size_t n = static_cast<size_t>(o_.n);
  if (o_.workload == "mesh") return {n * (n - 1), n * (n - 1)};
  // Every camera has `tiles` receivers, every microphone the n-1 others.
  if (o_.workload == "tiles") {
    return {n * static_cast<size_t>(o_.tiles), static_cast<size_t>(speakers()) * (n - 1)};
  }
  return {n, n};
}

std::string LoadRun::failures() const {
  std::string all;
  auto add = [&all](const Participant& p) {
    if (!p.failure().empty()) all += (all.empty() ? "" : "; ") + p.name() + ": " + p.failure();
  };
  for (const auto& p : publishers_) add(*p);
  for (const auto& p : subscribers_) add(*p);
  if (late_) add(*late_);
  return all;
}

bool LoadRun::step() {
  int64_t inPhase = nowMs() - phaseStartMs_;
  if (std::string f = failures(); !f.empty()) {
    report(f);
    return G_SOURCE_REMOVE;
  }
  if (phase_ != Phase::kWindow && phase_ != Phase::kDone && phase_ != Phase::kRoom &&
      inPhase > o_.setupTimeoutSec * 1000 && phase_ != Phase::kLate) {
    Streams f = flowingStreams(), e = expectedStreams();
    report("setup timed out in phase " + std::to_string(static_cast<int>(phase_)) + " with " +
           std::to_string(f.video) + "/" + std::to_string(e.video) + " video and " +
           std::to_string(f.audio) + "/" + std::to_string(e.audio) + " audio streams flowing");
    return G_SOURCE_REMOVE;
  }
  switch (phase_) {
    case Phase::kRoom:
      if (!roomError_.empty()) {
        report("room: " + roomError_);
        return G_SOURCE_REMOVE;
      }
      if (!roomReady_) return G_SOURCE_CONTINUE;
      if (o_.system == "direct") {
        publishers_.push_back(std::make_unique<DirectPair>(ctx_));
      } else {
        int count = o_.workload == "fanout" ? 1 : o_.n;
        for (int i = 0; i < count; ++i) {
          publishers_.push_back(make("pub" + std::to_string(i), true, false, i < speakers()));
        }
      }
      for (auto& p : publishers_) p->start();
      enter(Phase::kPublishers);
      return G_SOURCE_CONTINUE;
    case Phase::kPublishers: {
      for (auto& p : publishers_) {
        if (!p->publishReady() || p->publisherId().empty()) return G_SOURCE_CONTINUE;
      }
      afterPublishers_ = ProcStats::sample(o_.serverPids);
      if (o_.workload == "fanout" && o_.system != "direct") {
        for (int i = 0; i < o_.n; ++i) {
          subscribers_.push_back(make("sub" + std::to_string(i), false, false));
        }
        for (auto& s : subscribers_) {
          s->start();
          s->subscribe(feedsFor(-1));
        }
      } else {
        for (size_t i = 0; i < publishers_.size(); ++i) {
          publishers_[i]->subscribe(feedsFor(static_cast<int>(i)));
        }
      }
      enter(Phase::kSubscribers);
      return G_SOURCE_CONTINUE;
    }
    case Phase::kSubscribers: {
      Streams f = flowingStreams(), e = expectedStreams();
      if (f.video < e.video || f.audio < e.audio) return G_SOURCE_CONTINUE;
      loaded_ = ProcStats::sample(o_.serverPids);
      if (o_.lateJoiner && o_.system != "direct") {
        late_ = make("late", false, true);
        late_->start();
        late_->subscribe(feedsFor(-1));
        enter(Phase::kLate);
      } else {
        enter(Phase::kSettle);
      }
      return G_SOURCE_CONTINUE;
    }
    case Phase::kLate:
      if (!firstVideo(*late_).frame && inPhase < kLateWaitMs) return G_SOURCE_CONTINUE;
      enter(Phase::kSettle);
      return G_SOURCE_CONTINUE;
    case Phase::kSettle: {
      if (inPhase < kSettleMs) return G_SOURCE_CONTINUE;
      windowStart_ = ProcStats::sample(o_.serverPids);
      selfStart_ = ProcStats::sample({getpid()});
      windowStartUs_ = LatencyBook::nowUs();
      streamsAtStart_.clear();
      for (const auto& s : registry_.all()) {
        streamsAtStart_.push_back(s->snapshot());
        s->resetGap();
      }
      pubAtStart_ = {};
      for (auto& p : publishers_) {
        auto c = p->publisher()->counters();
        pubAtStart_.framesSent += c.framesSent;
        pubAtStart_.framesLate += c.framesLate;
        pubAtStart_.framesDropped += c.framesDropped;
        pubAtStart_.rtpPackets += c.rtpPackets;
        pubAtStart_.videoRtpPackets += c.videoRtpPackets;
      }
      book_.clearSamples();
      enter(Phase::kWindow);
      return G_SOURCE_CONTINUE;
    }
    case Phase::kWindow:
      if (inPhase < o_.durationSec * 1000) return G_SOURCE_CONTINUE;
      report({});
      return G_SOURCE_REMOVE;
    case Phase::kDone:
      return G_SOURCE_REMOVE;
  }
  return G_SOURCE_REMOVE;
}

void LoadRun::report(const std::string& error) {
  timer_ = 0;  // the caller returns G_SOURCE_REMOVE
  Phase reached = phase_;
  phase_ = Phase::kDone;
  json::Object r;
  r.set("event", "result").set("system", o_.system).set("workload", o_.workload).set("n", o_.n);
  if (o_.workload == "tiles") r.set("tiles", o_.tiles).set("speakers", speakers());
  if (!error.empty() || reached != Phase::kWindow) {
    r.set("error", error.empty() ? "stopped early" : error);
  }
  const double windowS = reached == Phase::kWindow
                             ? static_cast<double>(LatencyBook::nowUs() - windowStartUs_) / 1e6
                             : 0;
  r.set("window_s", windowS);

  ProcSample end = ProcStats::sample(o_.serverPids);
  ProcSample self = ProcStats::sample({getpid()});
  auto streams = registry_.all();
  uint64_t packets = 0, windowBytes = 0, span = 0, frozen = 0, counted = 0, lateStreams = 0;
  for (size_t i = 0; i < streams.size() && windowS > 0; ++i) {
    auto s = streams[i]->snapshot();
    // Streams that appeared during the window count from zero.
    StreamStats::Snapshot s0 =
        i < streamsAtStart_.size() ? streamsAtStart_[i] : StreamStats::Snapshot{};
    packets += s.packets - s0.packets;
    windowBytes += s.bytes - s0.bytes;
    span += static_cast<uint64_t>(s.extendedSeqSpan - s0.extendedSeqSpan);
    ++counted;
    lateStreams += streams[i]->subscriber() == "late";
    int64_t silent = LatencyBook::nowUs() - s.lastUs;
    if (s.maxGapUs > 500'000 || silent > 500'000) ++frozen;
  }

  json::Object server;
  double cpu = windowS > 0 ? (end.cpuSeconds - windowStart_.cpuSeconds) : 0;
  server.set("pids", static_cast<int>(o_.serverPids.size()))
      .set("cpu_cores", windowS > 0 ? cpu / windowS : 0.0)
      .set("us_per_packet", packets ? cpu * 1e6 / static_cast<double>(packets) : 0.0)
      .set("rss_idle_mib", idle_.rssMiB)
      .set("rss_mib", end.rssMiB)
      .set("threads_idle", idle_.threads)
      .set("threads", end.threads);
  // Growth per subscription (one subscriber receiving one publisher's video and audio),
  // between the publishers alone and the loaded room (before the late joiner).
  const Streams expected = expectedStreams(), flowing = flowingStreams();
  double subs = static_cast<double>(expected.total()) / 2.0;
  if (subs > 0 && loaded_.rssMiB > 0) {
    server.set("rss_per_subscription_mib", (loaded_.rssMiB - afterPublishers_.rssMiB) / subs)
        .set("threads_per_subscription",
             static_cast<double>(loaded_.threads - afterPublishers_.threads) / subs);
  }
  r.set("server", server.get());

  json::Object fwd;
  // `streams` counts the late joiner's too; video_/audio_streams only the room's subscribers,
  // so that they equal their _expected when everything selected flows and nothing more.
  fwd.set("streams_expected", static_cast<int64_t>(expected.total()))
      .set("streams", static_cast<int64_t>(counted))
      .set("video_streams_expected", static_cast<int64_t>(expected.video))
      .set("video_streams", static_cast<int64_t>(flowing.video))
      .set("audio_streams_expected", static_cast<int64_t>(expected.audio))
      .set("audio_streams", static_cast<int64_t>(flowing.audio))
      .set("late_streams", static_cast<int64_t>(lateStreams))
      .set("packets_per_s", windowS > 0 ? static_cast<double>(packets) / windowS : 0.0)
      .set("mbit_per_s", windowS > 0 ? static_cast<double>(windowBytes) * 8 / windowS / 1e6 : 0.0)
      .set("loss_pct", span ? std::max(0.0, 100.0 * (1.0 - static_cast<double>(packets) /
                                                               static_cast<double>(span)))
                            : 0.0)
      .set("frozen_streams", static_cast<int64_t>(frozen));
  r.set("forwarded", fwd.get());

  auto samples = book_.samples();
  json::Object lat;
  lat.set("samples", static_cast<int64_t>(samples.size()))
      .set("unmatched", static_cast<int64_t>(book_.unmatched()))
      .set("p50_us", percentile(samples, 50))
      .set("p95_us", percentile(samples, 95))
      .set("p99_us", percentile(samples, 99));
  r.set("latency", lat.get());

  json::Object join;
  std::vector<int64_t> firstRtp;
  for (auto& s : subscribers_) {
    auto m = firstVideo(*s);
    if (m.packet && s->subscribeAskedMs()) firstRtp.push_back(*m.packet - *s->subscribeAskedMs());
  }
  std::sort(firstRtp.begin(), firstRtp.end());
  join.set("subscribers_first_rtp_p50_ms", percentile(firstRtp, 50))
      .set("subscribers_first_rtp_max_ms", firstRtp.empty() ? -1.0 : double(firstRtp.back()));
  if (late_) {
    auto m = firstVideo(*late_);
    auto asked = late_->subscribeAskedMs();
    auto up = late_->subscribeUpMs();
    setMs(join, "late_first_rtp_ms",
          m.packet && asked ? std::optional<int64_t>(*m.packet - *asked) : std::nullopt);
    setMs(join, "late_first_frame_ms",
          m.frame && asked ? std::optional<int64_t>(*m.frame - *asked) : std::nullopt);
    setMs(join, "late_frame_after_connected_ms",
          m.frame && up ? std::optional<int64_t>(*m.frame - *up) : std::nullopt);
    join.set("late_frames_decoded", static_cast<int64_t>(m.frames));
  }
  r.set("join", join.get());

  FilePublisher::Counters c;
  for (auto& p : publishers_) {
    if (!p->publisher()) continue;
    auto x = p->publisher()->counters();
    c.framesSent += x.framesSent;
    c.framesLate += x.framesLate;
    c.framesDropped += x.framesDropped;
    c.rtpPackets += x.rtpPackets;
    c.videoRtpPackets += x.videoRtpPackets;
    c.keyframeRequests += x.keyframeRequests;
  }
  json::Object gen;
  uint64_t sent = c.framesSent - pubAtStart_.framesSent;
  uint64_t late = c.framesLate - pubAtStart_.framesLate;
  uint64_t dropped = c.framesDropped - pubAtStart_.framesDropped;
  double genCpu = windowS > 0 ? (self.cpuSeconds - selfStart_.cpuSeconds) / windowS : 0;
  // The generator held its send rate when (almost) every frame left on time.
  bool held = windowS > 0 && dropped == 0 && late * 50 <= sent;
  gen.set("cpu_cores", genCpu)
      .set("frames_sent", static_cast<int64_t>(sent))
      .set("frames_late", static_cast<int64_t>(late))
      .set("frames_dropped", static_cast<int64_t>(dropped))
      .set("sent_packets_per_s",
           windowS > 0 ? static_cast<double>(c.rtpPackets - pubAtStart_.rtpPackets) / windowS : 0.0)
      // What one camera sends (the clip's own packet rate, keyframe requests included).
      .set("video_packets_per_s_per_camera",
           windowS > 0 && !publishers_.empty()
               ? static_cast<double>(c.videoRtpPackets - pubAtStart_.videoRtpPackets) / windowS /
                     static_cast<double>(publishers_.size())
               : 0.0)
      .set("keyframe_requests", static_cast<int64_t>(c.keyframeRequests))
      .setBool("held_send_rate", held)
      .set("rss_mib", self.rssMiB)
      .set("threads", self.threads);
  r.set("generator", gen.get());

  std::printf("%s\n", r.str().c_str());
  std::fflush(stdout);
  quit_(error.empty() ? 0 : 1);
}

}  // namespace carrel::bench
