#include "RoomTimer.hpp"

#include <algorithm>

#include "Json.hpp"

namespace carrel::control {

std::string TimerState::toJson() const {
  json::Object o;
  o.set("study_ms", studyMs)
      .set("break_ms", breakMs)
      .set("cycles", cycles)
      .setBool("running", running)
      .set("origin_ms", originMs)
      .set("elapsed_ms", elapsedMs)
      .set("run", run)
      .set("version", version);
  return o.str();
}

std::optional<TimerState> TimerState::fromJson(const std::string& text) {
  JsonObjectPtr o = json::parseObject(text, nullptr);
  if (!o) return std::nullopt;
  TimerState s;
  auto i = [&](const char* k, int64_t* out) {
    auto v = json::getInt(o.get(), k);
    if (!v) return false;
    *out = *v;
    return true;
  };
  int64_t cycles = 0;
  auto running = json::getBool(o.get(), "running");
  if (!i("study_ms", &s.studyMs) || !i("break_ms", &s.breakMs) || !i("cycles", &cycles) ||
      !running || !i("origin_ms", &s.originMs) || !i("elapsed_ms", &s.elapsedMs) ||
      !i("run", &s.run) || !i("version", &s.version) || s.studyMs <= 0 || s.breakMs <= 0 ||
      cycles < 1 || cycles > 100) {
    return std::nullopt;
  }
  s.cycles = static_cast<int>(cycles);
  s.running = *running;
  return s;
}

int64_t RoomTimer::totalMs(const TimerState& s) {
  return (s.studyMs + s.breakMs) * s.cycles;
}

TimerPhase RoomTimer::phaseAt(const TimerState& s, int64_t nowMs) {
  TimerPhase p;
  int64_t elapsed = s.running ? nowMs - s.originMs : s.elapsedMs;
  int64_t origin = nowMs - elapsed;
  if (!s.running && elapsed <= 0) {
    p.kind = "idle";
    return p;
  }
  p.paused = !s.running;
  if (elapsed >= totalMs(s)) {
    p.kind = "done";
    p.ended = 2 * s.cycles;
    p.alarm = 2 * s.cycles;
    p.cycle = s.cycles;
    p.startMs = p.endMs = origin + totalMs(s);
    return p;
  }
  int64_t pair = s.studyMs + s.breakMs;
  int64_t cycle = elapsed / pair;
  int64_t into = elapsed % pair;
  bool study = into < s.studyMs;
  p.kind = study ? "study" : "break";
  p.cycle = static_cast<int>(cycle) + 1;
  p.alarm = static_cast<int>(2 * cycle + (study ? 1 : 2));
  p.ended = p.alarm - 1;
  p.startMs = origin + cycle * pair + (study ? 0 : s.studyMs);
  p.endMs = p.startMs + (study ? s.studyMs : s.breakMs);
  p.remainingMs = p.endMs - nowMs;
  return p;
}

int64_t RoomTimer::alarmAt(const TimerState& s, int alarm) {
  int64_t origin = s.running ? s.originMs : 0;
  int64_t cycles = (alarm - 1) / 2;
  return origin + cycles * (s.studyMs + s.breakMs) + s.studyMs + (alarm % 2 == 0 ? s.breakMs : 0);
}

std::string RoomTimer::alarmName(int alarm) {
  int n = (alarm + 1) / 2;
  const char* suffix = "th";
  if (n % 100 < 11 || n % 100 > 13) {
    if (n % 10 == 1) suffix = "st";
    if (n % 10 == 2) suffix = "nd";
    if (n % 10 == 3) suffix = "rd";
  }
  return std::to_string(n) + suffix + (alarm % 2 ? " study" : " break");
}

std::optional<StudyKing> RoomTimer::king(const std::vector<TimerAck>& acks, int alarms) {
  struct Tally {
    std::string name;
    std::map<int, int64_t> delays;  // first ack of each alarm
  };
  std::map<int64_t, Tally> by;
  for (const TimerAck& a : acks) {
    if (a.alarm < 1 || a.alarm > alarms) continue;
    Tally& t = by[a.userId];
    t.name = a.name;
    t.delays.emplace(a.alarm, a.delayMs);
  }
  std::optional<StudyKing> best;
  for (const auto& [user, t] : by) {
    if (static_cast<int>(t.delays.size()) != alarms || alarms < 1) continue;
    int64_t sum = 0;
    for (const auto& [alarm, d] : t.delays) sum += d;
    int64_t avg = sum / alarms;
    if (!best || avg < best->averageMs) best = StudyKing{user, t.name, avg};
  }
  return best;
}

}  // namespace carrel::control
