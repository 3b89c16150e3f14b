#include "StatsCollector.hpp"

#include <algorithm>

#include "BusProtocol.hpp"
#include "StatsReport.hpp"
#include "WebrtcCall.hpp"

GST_DEBUG_CATEGORY_STATIC(carrel_sfu_stats);
#define GST_CAT_DEFAULT carrel_sfu_stats

namespace carrel::sfu {

namespace {

struct TrackRef {
  std::string track;
  std::string kind;
  std::string source;
};

}  // namespace

// One poll: a get-stats request per connection, finished when all have answered (or when the
// next poll starts: a webrtcbin busy negotiating may answer late, and then it is skipped).
// The requests go out one every kRequestSpacingMs, not all at once: each runs on its
// webrtcbin's own thread and builds a structure per RTP source under the session's lock, so a
// whole node asking at once woke every webrtcbin's thread together, they took the cores (and
// malloc's lock) for several milliseconds, and the forwarding threads waited behind them and
// behind those session locks (25-person room: ~20 ms stalls every interval, the room's p99
// added latency). A node with so many connections that this would take more than half the
// interval sends several per tick.
struct StatsCollector::Round {
  struct Leg {
    std::string room;
    std::string peer;
    std::string owner;
    bool inbound = false;  // publish connection
    std::map<guint, TrackRef> ssrcs;
    ReplyPtr reply;
    bool answered = false;
    gint64 answeredUs = 0;
    double connectionRttS = -1;  // outbound: for tracks whose own report block is missing
  };
  std::vector<Leg> legs;
  // Every peer of every room, with its owner, even those with no media yet.
  std::map<std::string, std::map<std::string, std::string>> peers;  // room -> peer -> owner
  size_t pending = 0;
  // Not asked yet: (leg, webrtcbin), in order.
  std::vector<std::pair<size_t, GstElementPtr>> requests;
  size_t nextRequest = 0;
  size_t perTick = 1;
  bool finished = false;
};

StatsCollector::StatsCollector(const Rooms& rooms, guint intervalMs, EmitFn emit)
    : rooms_(rooms), intervalMs_(intervalMs), emit_(std::move(emit)) {
  static gsize once = 0;
  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(carrel_sfu_stats, "carrel-sfu-stats", 0, "Carrel SFU stats");
    g_once_init_leave(&once, 1);
  }
}

StatsCollector::~StatsCollector() {
  stop();
}

void StatsCollector::start() {
  if (intervalMs_ == 0) return;
  timer_.reset(g_timeout_add(
      intervalMs_,
      [](gpointer d) -> gboolean {
        static_cast<StatsCollector*>(d)->poll();
        return G_SOURCE_CONTINUE;
      },
      this));
}

void StatsCollector::stop() {
  timer_.cancel();
  requestTimer_.cancel();
  current_.reset();
}

void StatsCollector::poll() {
  if (current_ && !current_->finished) finish(current_);
  auto round = std::make_shared<Round>();
  std::vector<std::pair<size_t, GstElementPtr>> requests;
  for (const auto& [roomId, room] : rooms_) {
    for (const auto& [peerId, p] : room->participants()) {
      round->peers[roomId][peerId] = p->owner();
      Round::Leg in{roomId, peerId, p->owner(), true, {}, nullptr, false};
      for (const auto& [trackId, t] : p->publish().tracks()) {
        guint ssrc = 0;
        if (t->caps() &&
            gst_structure_get_uint(gst_caps_get_structure(t->caps(), 0), "ssrc", &ssrc)) {
          in.ssrcs[ssrc] = {trackId, t->kind(), peerId};
        }
      }
      Round::Leg out{roomId, peerId, p->owner(), false, {}, nullptr, false};
      for (const auto& f : p->subscribe().forwarded()) {
        if (f.ssrc != 0) out.ssrcs[f.ssrc] = {f.track, f.kind, f.publisher};
      }
      for (auto* leg : {&in, &out}) {
        GstElement* w = leg->inbound ? p->publish().webrtc() : p->subscribe().webrtc();
        if (leg->ssrcs.empty() || !w) continue;
        if (!leg->inbound) leg->connectionRttS = WebrtcStatsReader::connectionRtt(w);
        round->legs.push_back(std::move(*leg));
        requests.emplace_back(round->legs.size() - 1,
                              GstElementPtr(GST_ELEMENT(gst_object_ref(w))));
      }
    }
  }
  round->pending = requests.size();
  round->requests = std::move(requests);
  size_t ticks = std::max<size_t>(1, intervalMs_ / 2 / kRequestSpacingMs);
  round->perTick = (round->requests.size() + ticks - 1) / ticks;
  current_ = round;
  requestTimer_.cancel();
  if (round->requests.empty()) {
    finish(round);
    return;
  }
  requestNext();
  if (current_ && current_->nextRequest < current_->requests.size()) {
    requestTimer_.reset(g_timeout_add(
        kRequestSpacingMs,
        [](gpointer d) -> gboolean {
          auto* self = static_cast<StatsCollector*>(d);
          if (self->requestNext()) return G_SOURCE_CONTINUE;
          self->requestTimer_.release();
          return G_SOURCE_REMOVE;
        },
        this));
  }
}

bool StatsCollector::requestNext() {
  auto round = current_;
  for (size_t i = 0; round && i < round->perTick; ++i) requestOne(round);
  return round && !round->finished && round->nextRequest < round->requests.size();
}

void StatsCollector::requestOne(const std::shared_ptr<Round>& round) {
  if (round->finished || round->nextRequest >= round->requests.size()) return;
  size_t index = round->requests[round->nextRequest].first;
  GstElementPtr webrtc = std::move(round->requests[round->nextRequest].second);
  ++round->nextRequest;
  std::weak_ptr<Round> weak = round;
  std::weak_ptr<int> alive = alive_;
  GstPromisePtr promise =
      promiseToMain([this, weak, alive, index](ReplyPtr reply, const std::string&) {
        auto r = weak.lock();
        if (!alive.lock() || !r || r->finished) return;
        r->legs[index].reply = std::move(reply);
        r->legs[index].answered = true;
        r->legs[index].answeredUs = g_get_monotonic_time();
        if (--r->pending == 0) finish(r);
      });
  g_signal_emit_by_name(webrtc.get(), "get-stats", nullptr, promise.get());
}

void StatsCollector::finish(const std::shared_ptr<Round>& round) {
  round->finished = true;
  // room -> owner -> peer -> tracks
  std::map<std::string, std::map<std::string, std::map<std::string, bus::PeerStats>>> out;
  for (const auto& [roomId, peers] : round->peers) {
    for (const auto& [peerId, owner] : peers) out[roomId][owner][peerId].peer = peerId;
  }
  std::set<std::string> seen;
  for (auto& leg : round->legs) {
    if (!leg.answered || !leg.reply) continue;
    GST_LOG("%s/%s: %" GST_PTR_FORMAT, leg.peer.c_str(), leg.inbound ? "publish" : "subscribe",
            static_cast<void*>(leg.reply.get()));
    auto figures = WebrtcStatsReader::read(leg.reply.get(), leg.inbound);
    const char* conn = leg.inbound ? "in" : "out";
    for (const auto& [ssrc, ref] : leg.ssrcs) {
      auto f = figures.find(ssrc);
      if (f == figures.end()) continue;
      std::string key = leg.room + "|" + leg.peer + "|" + conn + "|" + std::to_string(ssrc);
      std::string identity = ref.source + "|" + ref.track;
      seen.insert(key);
      auto [it, added] = samples_.try_emplace(key);
      Sample& s = it->second;
      if (added) {
        s.identity = identity;
      } else if (s.identity != identity) {
        // A reused m-line now carries another publisher: its counters start from here.
        s.identity = identity;
        s.base = f->second;
        s.last = f->second;
        s.atUs = 0;
      }
      const RtpFigures& now = f->second;
      bus::TrackStats t;
      t.direction = conn;
      t.track = ref.track;
      t.kind = ref.kind;
      t.source = ref.source;
      t.packets = static_cast<int64_t>(now.packets - std::min(now.packets, s.base.packets));
      t.bytes = static_cast<int64_t>(now.bytes - std::min(now.bytes, s.base.bytes));
      t.lost = std::max<int64_t>(0, now.lost - s.base.lost);
      if (s.atUs > 0 && leg.answeredUs > s.atUs) {
        double dt = static_cast<double>(leg.answeredUs - s.atUs) / 1e6;
        uint64_t db = now.bytes - std::min(now.bytes, s.last.bytes);
        uint64_t dp = now.packets - std::min(now.packets, s.last.packets);
        t.bitrateBps = static_cast<int64_t>(static_cast<double>(db) * 8 / dt + 0.5);
        t.packetsPerS = static_cast<int64_t>(static_cast<double>(dp) / dt + 0.5);
      }
      if (now.jitterS >= 0) t.jitterUs = std::min<int64_t>(60000000, now.jitterS * 1e6 + 0.5);
      double rttS = now.rttS >= 0 ? now.rttS : leg.connectionRttS;
      if (rttS >= 0) t.rttUs = std::min<int64_t>(60000000, rttS * 1e6 + 0.5);
      s.last = now;
      s.atUs = leg.answeredUs;
      out[leg.room][leg.owner][leg.peer].tracks.push_back(std::move(t));
    }
  }
  // Legs that did not answer keep their samples: their rates resume next time.
  for (const auto& leg : round->legs) {
    if (leg.answered) continue;
    const char* conn = leg.inbound ? "in" : "out";
    for (const auto& [ssrc, ref] : leg.ssrcs) {
      seen.insert(leg.room + "|" + leg.peer + "|" + conn + "|" + std::to_string(ssrc));
    }
  }
  std::erase_if(samples_, [&](const auto& kv) { return !seen.count(kv.first); });

  std::map<std::string, std::set<std::string>> owners;
  for (auto& [roomId, byOwner] : out) {
    for (auto& [owner, peers] : byOwner) {
      bus::RoomStats r;
      r.room = roomId;
      r.intervalMs = intervalMs_;
      for (auto& [peerId, ps] : peers) r.peers.push_back(std::move(ps));
      owners[roomId].insert(owner);
      if (emit_) emit_(owner, bus::toJson(r));
    }
  }
  // Owners that had peers here last time and have none now: an empty report clears them.
  for (const auto& [roomId, before] : reportedOwners_) {
    for (const auto& owner : before) {
      if (owners[roomId].count(owner)) continue;
      bus::RoomStats r;
      r.room = roomId;
      r.intervalMs = intervalMs_;
      if (emit_) emit_(owner, bus::toJson(r));
    }
  }
  std::erase_if(owners, [](const auto& kv) { return kv.second.empty(); });
  reportedOwners_ = std::move(owners);
  GST_DEBUG("stats round: %zu legs, %zu rooms", round->legs.size(), reportedOwners_.size());
}

}  // namespace carrel::sfu
