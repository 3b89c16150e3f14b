#include "TrackTable.hpp"

#include "Json.hpp"

namespace carrel::peer {

int64_t TrackTable::ms(Clock::time_point from, Clock::time_point to) const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count();
}

void TrackTable::setJoined(Clock::time_point t) {
  std::lock_guard lock(mu_);
  joined_ = t;
}

TrackSnapshot TrackTable::snap(const Entry& e) const {
  TrackSnapshot s;
  s.info = e.info;
  s.packets = e.packets;
  s.bytes = e.bytes;
  s.frames = e.frames;
  s.appearedMs = ms(start_, e.appeared);
  if (e.firstPacket) s.firstPacketMs = ms(start_, *e.firstPacket);
  if (e.firstFrame) {
    s.firstFrameMs = ms(start_, *e.firstFrame);
    if (joined_) s.firstFrameSinceJoinMs = ms(*joined_, *e.firstFrame);
  }
  s.ended = e.ended;
  return s;
}

std::vector<TrackSnapshot> TrackTable::applyOffer(const std::vector<TrackInfo>& tracks,
                                                  const std::set<std::string>& inactiveMids,
                                                  Clock::time_point now) {
  std::lock_guard lock(mu_);
  std::map<std::string, const TrackInfo*> offered;
  for (const TrackInfo& t : tracks) {
    if (!inactiveMids.contains(t.mid)) offered[t.mid] = &t;
  }
  std::vector<TrackSnapshot> ended;
  for (auto it = current_.begin(); it != current_.end();) {
    Entry& e = entries_[it->second];
    auto o = offered.find(it->first);
    bool same = o != offered.end() && o->second->participant == e.info.participant &&
                o->second->track == e.info.track && o->second->kind == e.info.kind;
    if (same) {
      ++it;
      continue;
    }
    e.ended = true;
    ended.push_back(snap(e));
    it = current_.erase(it);
  }
  for (const auto& [mid, info] : offered) {
    if (current_.contains(mid)) continue;
    entries_.push_back(Entry{*info, now});
    current_[mid] = entries_.size() - 1;
  }
  return ended;
}

std::vector<TrackSnapshot> TrackTable::endWhere(bool (*match)(const Entry&, const std::string&,
                                                              const std::string&),
                                                const std::string& a, const std::string& b) {
  std::lock_guard lock(mu_);
  std::vector<TrackSnapshot> ended;
  for (auto it = current_.begin(); it != current_.end();) {
    Entry& e = entries_[it->second];
    if (!match(e, a, b)) {
      ++it;
      continue;
    }
    e.ended = true;
    ended.push_back(snap(e));
    it = current_.erase(it);
  }
  return ended;
}

std::vector<TrackSnapshot> TrackTable::endParticipant(const std::string& participant) {
  return endWhere([](const Entry& e, const std::string& p,
                     const std::string&) { return e.info.participant == p; },
                  participant, {});
}

std::vector<TrackSnapshot> TrackTable::endTrack(const std::string& participant,
                                                const std::string& track) {
  return endWhere([](const Entry& e, const std::string& p,
                     const std::string& t) { return e.info.participant == p && e.info.track == t; },
                  participant, track);
}

std::optional<TrackSnapshot> TrackTable::onPacket(const std::string& mid, uint64_t bytes,
                                                  Clock::time_point now) {
  std::lock_guard lock(mu_);
  auto it = current_.find(mid);
  if (it == current_.end()) {
    ++unattributed_;
    return std::nullopt;
  }
  Entry& e = entries_[it->second];
  ++e.packets;
  e.bytes += bytes;
  if (e.firstPacket) return std::nullopt;
  e.firstPacket = now;
  return snap(e);
}

std::optional<TrackSnapshot> TrackTable::onFrame(const std::string& mid, Clock::time_point now) {
  std::lock_guard lock(mu_);
  auto it = current_.find(mid);
  if (it == current_.end()) return std::nullopt;
  Entry& e = entries_[it->second];
  ++e.frames;
  if (e.firstFrame) return std::nullopt;
  e.firstFrame = now;
  return snap(e);
}

std::optional<TrackInfo> TrackTable::current(const std::string& mid) const {
  std::lock_guard lock(mu_);
  auto it = current_.find(mid);
  if (it == current_.end()) return std::nullopt;
  return entries_[it->second].info;
}

std::vector<TrackSnapshot> TrackTable::snapshot() const {
  std::lock_guard lock(mu_);
  std::vector<TrackSnapshot> out;
  out.reserve(entries_.size());
  for (const Entry& e : entries_) out.push_back(snap(e));
  return out;
}

uint64_t TrackTable::unattributedPackets() const {
  std::lock_guard lock(mu_);
  return unattributed_;
}

JsonObjectPtr TrackTable::toJson(const TrackSnapshot& s) {
  json::Object o;
  o.set("participant", s.info.participant)
      .set("track", s.info.track)
      .set("kind", s.info.kind)
      .set("source", s.info.source)
      .set("mid", s.info.mid)
      .set("packets", static_cast<int64_t>(s.packets))
      .set("bytes", static_cast<int64_t>(s.bytes))
      .set("frames", static_cast<int64_t>(s.frames))
      .set("appeared_ms", s.appearedMs);
  auto optional = [&o](const char* k, const std::optional<int64_t>& v) {
    if (v) {
      o.set(k, *v);
    } else {
      o.setNull(k);
    }
  };
  optional("first_packet_ms", s.firstPacketMs);
  optional("first_frame_ms", s.firstFrameMs);
  optional("first_frame_since_join_ms", s.firstFrameSinceJoinMs);
  o.setBool("ended", s.ended);
  return o.take();
}

JsonArrayPtr TrackTable::toJson(const std::vector<TrackSnapshot>& all) {
  JsonArrayPtr array(json_array_new());
  for (const TrackSnapshot& s : all)
    json_array_add_object_element(array.get(), toJson(s).release());
  return array;
}

}  // namespace carrel::peer
