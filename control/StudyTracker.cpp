#include "StudyTracker.hpp"

#include <glib.h>

#include <algorithm>
#include <memory>

namespace carrel::control {

namespace {

int64_t nowMs() {
  return g_get_real_time() / 1000;
}

// Deletes the key only if it still names this interval (it may have expired and been taken).
constexpr const char* kDeleteIfSame =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end "
    "return 0";

std::string keyValue(const std::string& participant, int64_t startedMs) {
  return participant + "|" + std::to_string(startedMs);
}

guint every(int ms, void (*fn)(gpointer), gpointer self) {
  struct Call {
    void (*fn)(gpointer);
    gpointer self;
  };
  return g_timeout_add_full(
      G_PRIORITY_DEFAULT, static_cast<guint>(ms),
      [](gpointer c) -> gboolean {
        static_cast<Call*>(c)->fn(static_cast<Call*>(c)->self);
        return G_SOURCE_CONTINUE;
      },
      new Call{fn, self}, [](gpointer c) { delete static_cast<Call*>(c); });
}

}  // namespace

StudyTracker::StudyTracker(DbWorker& worker, RedisConnection& redis, Leaderboards& boards,
                           std::string node, int heartbeatMs)
    : worker_(worker),
      redis_(redis),
      boards_(boards),
      node_(std::move(node)),
      heartbeatMs_(heartbeatMs) {}

StudyTracker::~StudyTracker() {
  alive_.reset();
}

std::string StudyTracker::redisKey(int64_t userId) {
  return "study:open:" + std::to_string(userId);
}

void StudyTracker::begin() {
  heartbeatTimer_.reset(every(
      heartbeatMs_, [](gpointer s) { static_cast<StudyTracker*>(s)->heartbeat(); }, this));
  sweepTimer_.reset(every(
      heartbeatMs_, [](gpointer s) { static_cast<StudyTracker*>(s)->sweep(); }, this));
  sweep();
}

const OpenInterval* StudyTracker::heldBy(const std::string& participant) const {
  for (const auto& [user, o] : held_) {
    if (o.participant == participant) return &o;
  }
  return nullptr;
}

void StudyTracker::recorded(const std::vector<StudyTotal>& pieces) {
  if (pieces.empty()) return;
  boards_.add(pieces);
  if (onClosed) onClosed(pieces);
}

void StudyTracker::start(int64_t userId, const std::string& room, const std::string& participant,
                         Done done) {
  auto h = held_.find(userId);
  if (h != held_.end()) {
    if (h->second.participant == participant) {  // a repeated start changes nothing
      return done({nullptr, "", h->second.room, h->second.startedMs});
    }
    return done({code::StudyElsewhere, "already counting on another device or in another room",
                 h->second.room, h->second.startedMs});
  }
  if (opening_.count(participant)) {
    return done({"study_busy", "a start is already under way", room, 0});
  }
  int64_t started = nowMs();
  std::string key = redisKey(userId);
  std::string value = keyValue(participant, started);
  opening_.insert(participant);
  std::weak_ptr<int> alive = alive_;
  redis_.command(
      {"SET", key, value, "NX", "PX", std::to_string(3 * heartbeatMs_ + 1000)},
      [this, alive, userId, room, participant, started, key, value, done](redisReply* r) {
        if (!alive.lock()) return;
        if (!r || r->type == REDIS_REPLY_ERROR) {
          opening_.erase(participant);
          cancelled_.erase(participant);
          return done({code::Internal, "the study state is not reachable", room, 0});
        }
        if (r->type == REDIS_REPLY_NIL) {
          opening_.erase(participant);
          cancelled_.erase(participant);
          return done({code::StudyElsewhere,
                       "already counting on another device or in another room", room, 0});
        }
        OpenInterval o{userId, room, participant, node_, started, started};
        auto recovered = std::make_shared<std::vector<StudyTotal>>();
        auto ok = std::make_shared<bool>(false);
        worker_.run(
            [o, recovered, ok](MySqlConnection& db) {
              std::string why;
              *ok = StudyLedger(db).open(o, recovered.get(), &why);
              if (!*ok)
                g_warning("study: open for user %" G_GINT64_FORMAT ": %s", o.userId, why.c_str());
            },
            [this, alive, o, recovered, ok, key, value, done] {
              if (!alive.lock()) return;
              opening_.erase(o.participant);
              recorded(*recovered);
              if (!*ok) {
                redis_.command({"EVAL", kDeleteIfSame, "1", key, value});
                cancelled_.erase(o.participant);
                return done({code::Internal, "the study ledger is not reachable", o.room, 0});
              }
              held_[o.userId] = o;
              g_message("study: user %" G_GINT64_FORMAT " (%s) started in room %s", o.userId,
                        o.participant.c_str(), o.room.c_str());
              done({nullptr, "", o.room, o.startedMs});
              if (cancelled_.erase(o.participant)) closeHeld(o.userId, "left", {});
            });
      });
}

void StudyTracker::stop(int64_t userId, const std::string& participant, const std::string& reason,
                        Done done, int64_t endMs) {
  auto h = held_.find(userId);
  if (h == held_.end() || h->second.participant != participant) {
    return done({code::NotStudying, "this connection is not counting study time", "", 0});
  }
  closeHeld(userId, reason, std::move(done), endMs);
}

void StudyTracker::leave(const std::string& participant, const std::string& reason, int64_t endMs) {
  if (opening_.count(participant)) cancelled_.insert(participant);
  if (const OpenInterval* o = heldBy(participant)) closeHeld(o->userId, reason, {}, endMs);
}

void StudyTracker::closeHeld(int64_t userId, const std::string& reason, Done done, int64_t endMs) {
  auto h = held_.find(userId);
  if (h == held_.end()) return;
  OpenInterval o = h->second;
  held_.erase(h);
  int64_t ended = nowMs();
  if (endMs) ended = std::clamp(endMs, o.startedMs, ended);
  redis_.command(
      {"EVAL", kDeleteIfSame, "1", redisKey(userId), keyValue(o.participant, o.startedMs)});
  auto pieces = std::make_shared<std::optional<std::vector<StudyTotal>>>();
  std::weak_ptr<int> alive = alive_;
  worker_.run(
      [o, ended, reason, pieces](MySqlConnection& db) {
        std::string why;
        *pieces = StudyLedger(db).close(o.userId, o.startedMs, ended, reason, &why);
        if (!*pieces) {
          g_warning("study: close for user %" G_GINT64_FORMAT
                    ": %s (the sweep will close it at "
                    "its last heartbeat)",
                    o.userId, why.c_str());
        }
      },
      [this, alive, o, ended, reason, pieces, done] {
        if (!alive.lock()) return;
        if (*pieces) recorded(**pieces);
        g_message("study: user %" G_GINT64_FORMAT " (%s) stopped in room %s after %" G_GINT64_FORMAT
                  " ms (%s)",
                  o.userId, o.participant.c_str(), o.room.c_str(), ended - o.startedMs,
                  reason.c_str());
        if (done) done({*pieces ? nullptr : "internal", "", o.room, o.startedMs});
      });
}

void StudyTracker::heartbeat() {
  if (held_.empty()) return;
  std::vector<int64_t> users;
  for (const auto& [user, o] : held_) {
    users.push_back(user);
    redis_.command({"PEXPIRE", redisKey(user), std::to_string(3 * heartbeatMs_ + 1000)});
  }
  int64_t now = nowMs();
  worker_.run([users, now](MySqlConnection& db) {
    std::string why;
    if (!StudyLedger(db).heartbeat(users, now, &why)) {
      g_warning("study: heartbeat: %s", why.c_str());
    }
  });
}

void StudyTracker::sweep() {
  if (sweeping_) return;
  sweeping_ = true;
  int64_t staleBefore = nowMs() - 3 * int64_t(heartbeatMs_);
  auto closed = std::make_shared<std::vector<StudyTotal>>();
  auto orphans = std::make_shared<std::vector<OpenInterval>>();
  std::set<int64_t> mine;
  for (const auto& [user, o] : held_) mine.insert(user);
  std::weak_ptr<int> alive = alive_;
  worker_.run(
      [staleBefore, closed, orphans, mine](MySqlConnection& db) {
        std::string why;
        StudyLedger ledger(db);
        auto stale = ledger.stale(staleBefore, &why);
        if (!stale) return;
        for (const OpenInterval& o : *stale) {
          if (mine.count(o.userId)) continue;
          auto pieces = ledger.close(o.userId, o.startedMs, o.heartbeatMs, "recovered", &why);
          if (!pieces) continue;
          closed->insert(closed->end(), pieces->begin(), pieces->end());
          orphans->push_back(o);
        }
      },
      [this, alive, closed, orphans] {
        if (!alive.lock()) return;
        sweeping_ = false;
        for (const OpenInterval& o : *orphans) {
          g_message("study: closed user %" G_GINT64_FORMAT
                    "'s orphaned interval in room %s at "
                    "its last heartbeat (%" G_GINT64_FORMAT " ms counted)",
                    o.userId, o.room.c_str(), o.heartbeatMs - o.startedMs);
          redis_.command({"EVAL", kDeleteIfSame, "1", redisKey(o.userId),
                          keyValue(o.participant, o.startedMs)});
        }
        recorded(*closed);
      });
}

}  // namespace carrel::control
