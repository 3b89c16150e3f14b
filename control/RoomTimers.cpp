#include "RoomTimers.hpp"

#include "ClientErrors.hpp"
#include "Json.hpp"
#include "ModerationErrors.hpp"
#include "RoomStore.hpp"

namespace carrel::control {

namespace {

int64_t nowMs() {
  return g_get_real_time() / 1000;
}

std::string ackKey(const std::string& room, int64_t run) {
  return "timer:" + room + ":acks:" + std::to_string(run);
}

struct Fire {
  std::function<void()> fn;
};

}  // namespace

std::string timerStateMessage(const std::string& room, const TimerState& st, int64_t now,
                              const std::string& event) {
  TimerPhase p = RoomTimer::phaseAt(st, now);
  json::Object o;
  o.set("type", "timer_state")
      .set("room", room)
      .set("cause", event)
      .set("phase", p.kind)
      .setBool("running", st.running)
      .setBool("paused", p.paused)
      .set("alarm", p.alarm)
      .set("alarms_rung", p.ended)
      .set("cycle", p.cycle)
      .set("cycles", st.cycles)
      .set("study_ms", st.studyMs)
      .set("break_ms", st.breakMs)
      .set("phase_start_ms", p.startMs)
      .set("phase_end_ms", p.endMs)
      .set("remaining_ms", p.remainingMs)
      .set("run", st.run)
      .set("version", st.version)
      .set("server_time", now);
  return o.str();
}

RoomTimers::RoomTimers(RedisConnection& redis, RoomDirectory& rooms, DbWorker& worker,
                       RoomBoard& board)
    : redis_(redis), rooms_(rooms), worker_(worker), board_(board) {}

RoomTimers::~RoomTimers() {
  alive_.reset();
}

std::string RoomTimers::key(const std::string& room) {
  return "timer:" + room;
}

bool RoomTimers::mayControl(bool admin, int64_t userId, int64_t ownerId, std::optional<Role> role) {
  Role r = Role::Member;
  if (admin) {
    r = Role::Admin;
  } else if (userId && userId == ownerId) {
    r = Role::Owner;
  } else if (role) {
    r = *role;
  }
  return !Permissions::check(Action::SetRoomTimer, r).has_value();
}

void RoomTimers::load(const std::string& room, std::function<void(bool, TimerState)> done) {
  redis_.command({"GET", key(room)}, [done](redisReply* r) {
    if (!r || r->type == REDIS_REPLY_ERROR) return done(false, TimerState{});
    if (r->type != REDIS_REPLY_STRING) return done(true, TimerState{});
    auto st = TimerState::fromJson(std::string(r->str, r->len));
    done(true, st.value_or(TimerState{}));
  });
}

void RoomTimers::onEnter(const Session& s) {
  std::weak_ptr<ClientSession> weak = s;
  std::string room = s->room();
  std::weak_ptr<int> alive = alive_;
  load(room, [this, alive, weak, room](bool ok, TimerState st) {
    if (!alive.lock() || !ok) return;
    auto s = weak.lock();
    if (s && !s->closed() && s->room() == room) {
      s->send(timerStateMessage(room, st, nowMs(), "sync"));
    }
    schedule(room, st);
  });
}

void RoomTimers::onMessage(const Session& s, const ClientMessage& m) {
  if (s->userId() == 0) {
    return s->sendError(code::AccountRequired, "log in to use the room timer", m.id);
  }
  if (*json::getString(m.object.get(), "action") == "ack") return ack(s, m);
  // Commands wait for the room's earlier ones: a flood (allowed or not) must not hold the
  // owner's next command back for long.
  if (commands_.waiting(s->room()) >= kMaxWaitingCommands) {
    return s->sendError(code::RateLimited, "too many timer commands at once; try again", m.id);
  }
  auto msg = std::make_shared<ClientMessage>();
  msg->object = JsonObjectPtr(json_object_ref(m.object.get()));
  msg->type = m.type;
  msg->id = m.id;
  msg->spec = m.spec;
  std::weak_ptr<ClientSession> weak = s;
  std::string room = s->room();
  std::string participant = s->participant();
  std::weak_ptr<int> alive = alive_;
  // One command of a room at a time, permission check included, so they apply in the order
  // they came.
  commands_.push(room, [this, alive, weak, room, participant, msg](TurnPtr turn) {
    if (!alive.lock()) return;
    // Permission: admin, the room's owner (MariaDB), or a role moderation gave (Redis).
    auto owner = std::make_shared<int64_t>(0);
    worker_.run(
        [room, owner](MySqlConnection& db) {
          Room r;
          std::string why;
          if (RoomStore(db).get(room, &r, &why) == StoreResult::Ok) {
            *owner = static_cast<int64_t>(r.ownerId);
          }
        },
        [this, alive, weak, room, participant, owner, msg, turn] {
          if (!alive.lock()) return;
          RoomRoles(redis_).get(
              room, participant,
              [this, alive, weak, owner, msg, turn](bool, std::optional<RoleEntry> e) {
                auto s = weak.lock();
                if (!alive.lock() || !s || s->closed()) return;
                std::optional<Role> role;
                if (e) role = e->role;
                if (!mayControl(s->isAdmin(), s->userId(), *owner, role)) {
                  return s->sendError(mcode::Forbidden,
                                      "only the room's owner or a moderator sets the timer",
                                      msg->id);
                }
                command(s, *msg, turn);
              });
        });
  });
}

TimerState RoomTimers::applied(TimerState st, JsonObject* f, int64_t now) {
  std::string action = *json::getString(f, "action");
  TimerPhase p = RoomTimer::phaseAt(st, now);
  if (action == "set") {
    if (auto v = json::getInt(f, "study_minutes")) st.studyMs = *v * 60000;
    if (auto v = json::getInt(f, "study_seconds")) st.studyMs = *v * 1000;
    if (auto v = json::getInt(f, "break_minutes")) st.breakMs = *v * 60000;
    if (auto v = json::getInt(f, "break_seconds")) st.breakMs = *v * 1000;
    if (auto v = json::getInt(f, "cycles")) st.cycles = static_cast<int>(*v);
    st.running = false;
    st.elapsedMs = 0;
  } else if (action == "start") {
    if (!st.running) {
      if (p.kind == "idle" || p.kind == "done") {
        st.elapsedMs = 0;
        ++st.run;
      }
      st.originMs = now - st.elapsedMs;
      st.running = true;
    }
  } else if (action == "pause") {
    if (st.running && p.kind != "done") {
      st.elapsedMs = now - st.originMs;
      st.running = false;
    }
  } else {  // reset
    st.running = false;
    st.elapsedMs = 0;
  }
  ++st.version;
  return st;
}

void RoomTimers::command(const Session& s, const ClientMessage& m, TurnPtr turn, int attempt) {
  std::string room = s->room();
  std::string ref = m.id;
  std::weak_ptr<ClientSession> weak = s;
  auto fields = std::make_shared<JsonObjectPtr>(json_object_ref(m.object.get()));
  std::weak_ptr<int> alive = alive_;
  load(room, [this, alive, weak, room, ref, fields, turn, attempt](bool ok, TimerState st) {
    if (!alive.lock()) return;
    auto s = weak.lock();
    if (!ok) {
      if (s) s->sendError(code::Internal, "the timer is not reachable", ref);
      return;
    }
    int64_t expected = st.version;
    TimerState next = applied(st, fields->get(), nowMs());
    std::string action = *json::getString(fields->get(), "action");
    // Saved only over the version it was computed from: another node's command in between
    // makes this one start again from the newer state.
    static const char* kCompareAndSet =
        "local cur = redis.call('GET', KEYS[1]) local v = 0 "
        "if cur then local ok, t = pcall(cjson.decode, cur) "
        "if ok and type(t) == 'table' and tonumber(t.version) then v = tonumber(t.version) end end "
        "if v ~= tonumber(ARGV[2]) then return 0 end "
        "redis.call('SET', KEYS[1], ARGV[1]) return 1";
    redis_.command(
        {"EVAL", kCompareAndSet, "1", key(room), next.toJson(), std::to_string(expected)},
        [this, alive, weak, room, ref, next, action, fields, turn, attempt](redisReply* r) {
          if (!alive.lock()) return;
          auto s = weak.lock();
          if (!r || r->type != REDIS_REPLY_INTEGER) {
            if (s) s->sendError(code::Internal, "the timer could not be saved", ref);
            return;
          }
          if (r->integer == 0) {
            if (s && !s->closed() && attempt < kCommandAttempts) {
              ClientMessage again;
              again.object = JsonObjectPtr(json_object_ref(fields->get()));
              again.id = ref;
              return command(s, again, turn, attempt + 1);
            }
            if (s) s->sendError(code::Internal, "the timer kept changing; try again", ref);
            return;
          }
          g_message("timer of room %s: %s (version %" G_GINT64_FORMAT ")", room.c_str(),
                    action.c_str(), next.version);
          publish(room, next, action);
          schedule(room, next);
        });
  });
}

void RoomTimers::publish(const std::string& room, const TimerState& st, const std::string& event) {
  JsonObjectPtr msg = json::parseObject(timerStateMessage(room, st, nowMs(), event), nullptr);
  rooms_.broadcast(room, "", msg.get());
}

void RoomTimers::schedule(const std::string& room, const TimerState& st) {
  auto& slot = ticks_[room];
  if (!slot) slot = std::make_unique<TimeoutSource>();
  // A reply to an older read (a join's) must not replace the schedule of a newer command.
  int64_t& newest = versions_[room];
  if (st.version < newest) return;
  newest = st.version;
  slot->cancel();
  int64_t now = nowMs();
  TimerPhase p = RoomTimer::phaseAt(st, now);
  if (!st.running || p.kind == "done") return;
  int64_t version = st.version;
  // A few ms late on purpose: the phase has surely changed when it fires.
  guint delay = static_cast<guint>(std::max<int64_t>(0, p.endMs - now) + 5);
  TimeoutSource* source = slot.get();
  std::weak_ptr<int> alive = alive_;
  source->reset(g_timeout_add_full(
      G_PRIORITY_DEFAULT, delay,
      [](gpointer f) -> gboolean {
        static_cast<Fire*>(f)->fn();
        return G_SOURCE_REMOVE;
      },
      new Fire{[this, alive, source, room, version] {
        if (!alive.lock()) return;
        source->release();
        tick(room, version);
      }},
      [](gpointer f) { delete static_cast<Fire*>(f); }));
}

void RoomTimers::tick(const std::string& room, int64_t version) {
  std::weak_ptr<int> alive = alive_;
  load(room, [this, alive, room, version](bool ok, TimerState st) {
    if (!alive.lock() || !ok) return;
    if (st.version != version) {  // changed meanwhile: follow the newest state
      g_message("timer of room %s: tick of version %" G_GINT64_FORMAT
                " is stale (now %" G_GINT64_FORMAT ")",
                room.c_str(), version, st.version);
      return schedule(room, st);
    }
    TimerPhase p = RoomTimer::phaseAt(st, nowMs());
    std::string once = "timer:" + room + ":tick:" + std::to_string(st.run) + ":" +
                       std::to_string(st.version) + ":" + std::to_string(p.ended);
    redis_.command({"SET", once, "1", "NX", "PX", "600000"},
                   [this, alive, room, st, p](redisReply* r) {
                     if (!alive.lock()) return;
                     if (r && r->type == REDIS_REPLY_STATUS) {  // this node announces the change
                       g_message("timer of room %s: %s %d (alarm %d rang)", room.c_str(),
                                 p.kind.c_str(), p.cycle, p.ended);
                       publish(room, st, "phase");
                       if (p.kind == "done") crown(room, st);
                     }
                     schedule(room, st);
                   });
  });
}

void RoomTimers::ack(const Session& s, const ClientMessage& m) {
  int alarm = static_cast<int>(json::getInt(m.object.get(), "alarm").value_or(0));
  std::string room = s->room();
  std::string ref = m.id;
  std::weak_ptr<ClientSession> weak = s;
  int64_t userId = s->userId();
  std::string name = s->name();
  std::weak_ptr<int> alive = alive_;
  load(room, [this, alive, weak, room, ref, alarm, userId, name](bool ok, TimerState st) {
    if (!alive.lock()) return;
    auto s = weak.lock();
    int64_t now = nowMs();
    TimerPhase p = RoomTimer::phaseAt(st, now);
    if (!ok || p.kind == "idle" || alarm > p.ended) {
      if (s)
        s->sendError(code::InvalidField, "alarm " + std::to_string(alarm) + " has not rung", ref);
      return;
    }
    TimerState at = st;
    if (!at.running) at.originMs = now - at.elapsedMs;
    at.running = true;
    int64_t delay = std::max<int64_t>(0, now - RoomTimer::alarmAt(at, alarm));
    std::string k = ackKey(room, st.run);
    std::string field = std::to_string(alarm) + ":" + std::to_string(userId);
    redis_.command({"HSETNX", k, field, std::to_string(delay) + "|" + name},
                   [this, alive, weak, room, ref, alarm, delay, userId, name](redisReply* r) {
                     if (!alive.lock()) return;
                     auto s = weak.lock();
                     if (s && !s->closed()) {
                       json::Object a;
                       a.set("type", "timer_acked").set("alarm", alarm).set("delay_ms", delay);
                       if (!ref.empty()) a.set("ref", ref);
                       s->send(a);
                     }
                     if (r && r->type == REDIS_REPLY_INTEGER && r->integer == 1) {
                       board_.post(room, "ack", userId,
                                   name + " acknowledged the " + RoomTimer::alarmName(alarm));
                     }
                   });
    redis_.command({"EXPIRE", k, "86400"});
  });
}

void RoomTimers::crown(const std::string& room, const TimerState& st) {
  std::weak_ptr<int> alive = alive_;
  redis_.command({"HGETALL", ackKey(room, st.run)}, [this, alive, room, st](redisReply* r) {
    if (!alive.lock() || !r || r->type != REDIS_REPLY_ARRAY) return;
    std::vector<TimerAck> acks;
    for (size_t i = 0; i + 1 < r->elements; i += 2) {
      std::string field(r->element[i]->str, r->element[i]->len);
      std::string value(r->element[i + 1]->str, r->element[i + 1]->len);
      size_t colon = field.find(':'), bar = value.find('|');
      if (colon == std::string::npos || bar == std::string::npos) continue;
      acks.push_back({g_ascii_strtoll(field.c_str() + colon + 1, nullptr, 10),
                      value.substr(bar + 1),
                      static_cast<int>(g_ascii_strtoll(field.c_str(), nullptr, 10)),
                      g_ascii_strtoll(value.c_str(), nullptr, 10)});
    }
    // The last alarm rings as the run ends: the king is judged on all the ones before it.
    auto king = RoomTimer::king(acks, 2 * st.cycles - 1);
    if (!king) {
      board_.post(room, "king", 0, "No study king today: nobody acknowledged every alarm");
      return;
    }
    char avg[32];
    g_snprintf(avg, sizeof avg, "%.1f", static_cast<double>(king->averageMs) / 1000.0);
    board_.post(room, "king", king->userId,
                "Today's study king: " + king->name + " (acknowledged every alarm, " + avg +
                    " s on average)");
  });
}

}  // namespace carrel::control
