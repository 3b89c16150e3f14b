#include "Leaderboards.hpp"

#include <map>

namespace carrel::control {

namespace {

// Every set name ever written, so that a rebuild can drop them all without KEYS/SCAN.
constexpr const char* kIndex = "lb:keys";
// Long enough for "this month" of any zone; older sets are only in the ledger.
constexpr const char* kTtlSeconds = "8640000";

std::vector<std::string> keysFor(const StudyTotal& t) {
  std::vector<std::string> out;
  for (LbPeriod p : {LbPeriod::Day, LbPeriod::Week, LbPeriod::Month}) {
    out.push_back(Leaderboards::key(p, t.day, ""));
    out.push_back(Leaderboards::key(p, t.day, t.room));
  }
  return out;
}

}  // namespace

std::optional<LbPeriod> Leaderboards::parsePeriod(const std::string& text) {
  if (text == "today" || text == "day") return LbPeriod::Day;
  if (text == "week") return LbPeriod::Week;
  if (text == "month") return LbPeriod::Month;
  return std::nullopt;
}

const char* Leaderboards::periodName(LbPeriod p) {
  switch (p) {
    case LbPeriod::Day:
      return "today";
    case LbPeriod::Week:
      return "week";
    case LbPeriod::Month:
      return "month";
  }
  return "?";
}

std::string Leaderboards::key(LbPeriod p, int64_t day, const std::string& room) {
  std::string k = room.empty() ? "lb:" : "lb:room:" + room + ":";
  switch (p) {
    case LbPeriod::Day:
      return k + "day:" + DayBoundary::dayString(day);
    case LbPeriod::Week:
      return k + "week:" + DayBoundary::dayString(DayBoundary::weekStart(day));
    case LbPeriod::Month:
      return k + "month:" + DayBoundary::dayString(DayBoundary::monthStart(day)).substr(0, 7);
  }
  return k;
}

int64_t Leaderboards::rebuildFrom(int64_t today) {
  // Users' days differ by up to a day or so from UTC's; the previous month is kept whole too.
  int64_t prevMonth = DayBoundary::monthStart(DayBoundary::monthStart(today) - 2);
  return std::min(prevMonth, DayBoundary::weekStart(today - 2));
}

void Leaderboards::add(const std::vector<StudyTotal>& pieces) {
  for (const StudyTotal& t : pieces) {
    if (t.ms <= 0) continue;
    for (const std::string& k : keysFor(t)) {
      redis_.command({"ZINCRBY", k, std::to_string(t.ms), std::to_string(t.userId)});
      redis_.command({"EXPIRE", k, kTtlSeconds});
      redis_.command({"SADD", kIndex, k});
    }
  }
}

void Leaderboards::rebuild(const std::vector<StudyTotal>& totals, std::function<void(bool)> done) {
  std::map<std::string, std::map<int64_t, int64_t>> sets;
  for (const StudyTotal& t : totals) {
    for (const std::string& k : keysFor(t)) sets[k][t.userId] += t.ms;
  }
  redis_.command({"SMEMBERS", kIndex},
                 [this, sets = std::move(sets), done = std::move(done)](redisReply* r) {
                   if (!r || r->type != REDIS_REPLY_ARRAY) {
                     if (done) done(false);
                     return;
                   }
                   // Issued together from one callback: nothing else on this connection comes in
                   // between.
                   redis_.command({"MULTI"});
                   for (size_t i = 0; i < r->elements; ++i) {
                     redis_.command({"DEL", std::string(r->element[i]->str, r->element[i]->len)});
                   }
                   redis_.command({"DEL", kIndex});
                   for (const auto& [k, members] : sets) {
                     std::vector<std::string> args{"ZADD", k};
                     for (const auto& [user, ms] : members) {
                       args.push_back(std::to_string(ms));
                       args.push_back(std::to_string(user));
                     }
                     redis_.command(args);
                     redis_.command({"EXPIRE", k, kTtlSeconds});
                     redis_.command({"SADD", kIndex, k});
                   }
                   redis_.command({"EXEC"}, [done](redisReply* e) {
                     if (done) done(e && e->type == REDIS_REPLY_ARRAY);
                   });
                 });
}

void Leaderboards::top(LbPeriod p, int64_t day, const std::string& room, int limit,
                       std::function<void(std::optional<Entries>)> done) {
  redis_.command({"ZREVRANGE", key(p, day, room), "0", std::to_string(limit - 1), "WITHSCORES"},
                 [done](redisReply* r) {
                   if (!r || r->type != REDIS_REPLY_ARRAY) return done(std::nullopt);
                   Entries out;
                   for (size_t i = 0; i + 1 < r->elements; i += 2) {
                     out.emplace_back(
                         g_ascii_strtoll(r->element[i]->str, nullptr, 10),
                         static_cast<int64_t>(g_ascii_strtod(r->element[i + 1]->str, nullptr)));
                   }
                   done(std::move(out));
                 });
}

}  // namespace carrel::control
