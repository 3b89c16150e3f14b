#include "StudyRoutes.hpp"

#include <array>
#include <memory>

#include "ClientMessages.hpp"
#include "Json.hpp"
#include "RoomBoard.hpp"
#include "RoomStore.hpp"
#include "StudyLedger.hpp"
#include "StudyStats.hpp"

namespace carrel::control {

namespace {

constexpr const char* kPrefix = "/api/v1/study";
constexpr std::array kSettings{Field{"daily_goal_minutes", FieldType::Int, false, 0, 1440},
                               Field{"day_boundary_minutes", FieldType::Int, false, 0, 1439},
                               Field{"time_zone", FieldType::String, false, 1, 64}};

int64_t nowMs() {
  return g_get_real_time() / 1000;
}

const char* param(GHashTable* query, const char* name) {
  return query ? static_cast<const char*>(g_hash_table_lookup(query, name)) : nullptr;
}

// What the stats and the calendar are made of: the profile, the ledger's days, and the open
// interval's time so far.
struct Snapshot {
  StudyProfile profile;
  StudyStats::Days days;
  std::optional<OpenInterval> open;
  int64_t now = 0;
  int64_t today = 0;
  bool ok = false;
  bool down = false;  // not ok because the database could not be reached
};

void load(MySqlConnection& db, int64_t userId, int64_t fromDay, int64_t toDay, Snapshot* s) {
  std::string why;
  StudyLedger ledger(db);
  s->profile = ledger.profile(userId, &why);
  DayBoundary b = s->profile.days();
  s->now = nowMs();
  s->today = b.dayOf(s->now);
  auto days =
      ledger.dayTotals(userId, std::min(fromDay, s->today - 400), std::max(toDay, s->today), &why);
  if (!days) {
    g_warning("study stats for user %" G_GINT64_FORMAT ": %s", userId, why.c_str());
    s->down = db.unavailable();
    return;
  }
  s->days = std::move(*days);
  s->open = ledger.openOf(userId, &why);
  if (s->open) {
    for (const DayPiece& p : b.split(s->open->startedMs, s->now))
      s->days[p.day] += p.toMs - p.fromMs;
  }
  s->ok = true;
}

JsonObjectPtr settingsJson(const StudyProfile& p) {
  json::Object o;
  o.set("time_zone", p.timeZone)
      .set("day_boundary_minutes", p.boundaryMinutes)
      .set("daily_goal_minutes", p.goalMinutes);
  return o.take();
}

}  // namespace

void StudyRoutes::install(SoupServer* server) {
  soup_server_add_handler(
      server, kPrefix,
      [](SoupServer*, SoupServerMessage* msg, const char* path, GHashTable* query, gpointer self) {
        static_cast<StudyRoutes*>(self)->route(msg, path ? path : "", query);
      },
      this, nullptr);
}

void StudyRoutes::route(SoupServerMessage* msg, const std::string& path, GHashTable* query) {
  std::string rest = path.substr(std::string(kPrefix).size());
  bool get = Rest::isMethod(msg, "GET");
  if (rest == "/stats") return get ? stats(msg) : Rest::fail(msg, "method_not_allowed", "use GET");
  if (rest == "/calendar") {
    return get ? calendar(msg, query) : Rest::fail(msg, "method_not_allowed", "use GET");
  }
  if (rest == "/leaderboard") {
    return get ? leaderboard(msg, query) : Rest::fail(msg, "method_not_allowed", "use GET");
  }
  if (rest == "/board") {
    return get ? board(msg, query) : Rest::fail(msg, "method_not_allowed", "use GET");
  }
  if (rest == "/settings") {
    if (get || Rest::isMethod(msg, "PUT")) return settings(msg);
    return Rest::fail(msg, "method_not_allowed", "use GET or PUT");
  }
  Rest::fail(msg, "not_found", "no such study route");
}

void StudyRoutes::withUser(SoupServerMessage* msg, bool required,
                           std::function<void(const User&, Rest::Finish)> then) {
  std::string token = Rest::bearer(msg);
  Rest::later(msg, [&](Rest::Finish finish) {
    if (token.empty() && !required) return then(User{}, finish);
    auth_.authenticate(token, [finish, then](const AuthResult& r) {
      if (!r.code.empty()) {
        return finish([r](SoupServerMessage* m) { Rest::fail(m, r.code, r.message); });
      }
      then(r.user, finish);
    });
  });
}

void StudyRoutes::stats(SoupServerMessage* msg) {
  withUser(msg, true, [this](const User& u, Rest::Finish finish) {
    auto snap = std::make_shared<Snapshot>();
    int64_t id = static_cast<int64_t>(u.id);
    worker_.run([id, snap](MySqlConnection& db) { load(db, id, 0, 0, snap.get()); },
                [snap, finish] {
                  finish([snap](SoupServerMessage* m) {
                    if (!snap->ok)
                      return Rest::failStorage(m, snap->down, "the ledger is not readable");
                    const auto& d = snap->days;
                    int64_t t = snap->today;
                    int64_t goalMs = int64_t(snap->profile.goalMinutes) * 60000;
                    int64_t todayMs = StudyStats::sum(d, t, t);
                    json::Object o;
                    o.set("day", DayBoundary::dayString(t))
                        .set("settings", settingsJson(snap->profile).get())
                        .set("today_ms", todayMs)
                        .set("week_ms", StudyStats::sum(d, DayBoundary::weekStart(t), t))
                        .set("month_ms", StudyStats::sum(d, DayBoundary::monthStart(t), t))
                        .set("streak_days", StudyStats::streak(d, goalMs, t))
                        .setBool("goal_met_today", todayMs >= goalMs)
                        .set("server_time", snap->now);
                    if (snap->open) {
                      json::Object open;
                      open.set("room", snap->open->room).set("started_ms", snap->open->startedMs);
                      o.set("open", open.get());
                    } else {
                      o.setNull("open");
                    }
                    Rest::reply(m, SOUP_STATUS_OK, o.str());
                  });
                });
  });
}

void StudyRoutes::calendar(SoupServerMessage* msg, GHashTable* query) {
  std::optional<int64_t> first;
  if (const char* month = param(query, "month")) {
    std::string text = month;
    if (text.size() == 7) first = DayBoundary::parseDay(text + "-01");
    if (!first) return Rest::fail(msg, "invalid_field", "month must be YYYY-MM");
  }
  withUser(msg, true, [this, first](const User& u, Rest::Finish finish) {
    auto snap = std::make_shared<Snapshot>();
    auto from = std::make_shared<int64_t>(first.value_or(0));
    int64_t id = static_cast<int64_t>(u.id);
    worker_.run(
        [id, snap, from, first](MySqlConnection& db) {
          if (!first) {  // this month of the user's own days
            std::string why;
            *from =
                DayBoundary::monthStart(StudyLedger(db).profile(id, &why).days().dayOf(nowMs()));
          }
          load(db, id, *from, *from + 31, snap.get());
        },
        [snap, from, finish] {
          finish([snap, from](SoupServerMessage* m) {
            if (!snap->ok) return Rest::failStorage(m, snap->down, "the ledger is not readable");
            int64_t goalMs = int64_t(snap->profile.goalMinutes) * 60000;
            JsonArrayPtr days(json_array_new());
            int64_t next = DayBoundary::monthStart(*from + 31);
            for (int64_t d = *from; d < next; ++d) {
              int64_t ms = StudyStats::sum(snap->days, d, d);
              json::Object o;
              o.set("day", DayBoundary::dayString(d))
                  .set("ms", ms)
                  .setBool("goal_met", ms > 0 && ms >= goalMs);
              json_array_add_object_element(days.get(), o.take().release());
            }
            json::Object out;
            out.set("month", DayBoundary::dayString(*from).substr(0, 7))
                .set("today", DayBoundary::dayString(snap->today))
                .set("daily_goal_minutes", snap->profile.goalMinutes)
                .set("days", days.get());
            Rest::reply(m, SOUP_STATUS_OK, out.str());
          });
        });
  });
}

void StudyRoutes::settings(SoupServerMessage* msg) {
  JsonObjectPtr body;
  if (Rest::isMethod(msg, "PUT")) {
    body = Rest::body(msg, kSettings);
    if (!body) return;
    if (auto tz = json::getString(body.get(), "time_zone"); tz && !DayBoundary::make(*tz)) {
      return Rest::fail(msg, "invalid_field", "time_zone must be a known IANA zone name");
    }
  }
  auto change = std::make_shared<JsonObjectPtr>(std::move(body));
  withUser(msg, true, [this, change](const User& u, Rest::Finish finish) {
    auto p = std::make_shared<StudyProfile>();
    auto ok = std::make_shared<bool>(true);
    auto down = std::make_shared<bool>(false);
    int64_t id = static_cast<int64_t>(u.id);
    worker_.run(
        [id, change, p, ok, down](MySqlConnection& db) {
          std::string why;
          StudyLedger ledger(db);
          *p = ledger.profile(id, &why);
          if (JsonObject* c = change->get()) {
            p->timeZone = json::getString(c, "time_zone").value_or(p->timeZone);
            p->boundaryMinutes = static_cast<int>(
                json::getInt(c, "day_boundary_minutes").value_or(p->boundaryMinutes));
            p->goalMinutes =
                static_cast<int>(json::getInt(c, "daily_goal_minutes").value_or(p->goalMinutes));
            *ok = ledger.saveProfile(id, *p, &why);
            if (!*ok) g_warning("study settings: %s", why.c_str());
          }
          *down = db.unavailable();
        },
        [p, ok, down, finish] {
          finish([p, ok, down](SoupServerMessage* m) {
            if (!*ok) return Rest::failStorage(m, *down, "the settings could not be saved");
            json::Object o;
            o.set("settings", settingsJson(*p).get());
            Rest::reply(m, SOUP_STATUS_OK, o.str());
          });
        });
  });
}

void StudyRoutes::leaderboard(SoupServerMessage* msg, GHashTable* query) {
  auto period =
      Leaderboards::parsePeriod(param(query, "period") ? param(query, "period") : "today");
  std::string room = param(query, "room") ? param(query, "room") : "";
  std::optional<int64_t> day;
  if (const char* d = param(query, "day")) day = DayBoundary::parseDay(d);
  int limit = 20;
  if (const char* l = param(query, "limit"))
    limit = static_cast<int>(g_ascii_strtoll(l, nullptr, 10));
  if (!period || (!room.empty() && !isValidRoomId(room)) || (param(query, "day") && !day) ||
      limit < 1 || limit > 100) {
    return Rest::fail(msg, "invalid_field",
                      "period is today, week or month; room a room id; day YYYY-MM-DD; limit "
                      "1..100");
  }
  withUser(msg, false, [this, period, room, day, limit](const User& u, Rest::Finish finish) {
    auto target = std::make_shared<int64_t>(day.value_or(0));
    int64_t id = static_cast<int64_t>(u.id);
    auto answer = [this, period, room, limit, target, finish] {
      boards_.top(*period, *target, room, limit,
                  [this, period, room, target, finish](std::optional<Leaderboards::Entries> e) {
                    if (!e) {
                      return finish([](SoupServerMessage* m) {
                        Rest::fail(m, "unavailable", "the leaderboards are not reachable");
                      });
                    }
                    auto entries = std::make_shared<Leaderboards::Entries>(std::move(*e));
                    auto names = std::make_shared<std::map<int64_t, std::string>>();
                    worker_.run(
                        [entries, names](MySqlConnection& db) {
                          std::vector<int64_t> ids;
                          for (const auto& [user, ms] : *entries) ids.push_back(user);
                          std::string why;
                          *names = StudyLedger(db).names(ids, &why);
                        },
                        [period, room, target, entries, names, finish] {
                          finish([=](SoupServerMessage* m) {
                            JsonArrayPtr list(json_array_new());
                            int rank = 0;
                            for (const auto& [user, ms] : *entries) {
                              json::Object o;
                              auto n = names->find(user);
                              o.set("rank", ++rank)
                                  .set("user_id", user)
                                  .set("display_name", n == names->end() ? "" : n->second)
                                  .set("ms", ms);
                              json_array_add_object_element(list.get(), o.take().release());
                            }
                            json::Object out;
                            out.set("period", Leaderboards::periodName(*period))
                                .set("day", DayBoundary::dayString(*target))
                                .set("key", Leaderboards::key(*period, *target, room));
                            if (room.empty()) {
                              out.setNull("room");
                            } else {
                              out.set("room", room);
                            }
                            out.set("entries", list.get());
                            Rest::reply(m, SOUP_STATUS_OK, out.str());
                          });
                        });
                  });
    };
    if (day) return answer();
    // "today" is the viewer's own study day (UTC with the 05:00 boundary for a guest).
    worker_.run(
        [id, target](MySqlConnection& db) {
          std::string why;
          StudyProfile p = id ? StudyLedger(db).profile(id, &why) : StudyProfile{};
          *target = p.days().dayOf(nowMs());
        },
        answer);
  });
}

void StudyRoutes::board(SoupServerMessage* msg, GHashTable* query) {
  std::string room = param(query, "room") ? param(query, "room") : "";
  int limit = 50;
  if (const char* l = param(query, "limit"))
    limit = static_cast<int>(g_ascii_strtoll(l, nullptr, 10));
  if (!isValidRoomId(room) || limit < 1 || limit > 200) {
    return Rest::fail(msg, "invalid_field", "room is a room id; limit 1..200");
  }
  // The board is room history (names, what they did): for signed-in users only, and a private
  // room's only for those it let in (owner, visitors, admins). To anyone else a private room
  // does not exist, as for GET /rooms/<id>.
  withUser(msg, true, [this, room, limit](const User& u, Rest::Finish finish) {
    auto posts = std::make_shared<std::optional<std::vector<BoardPost>>>();
    auto hidden = std::make_shared<bool>(false);
    worker_.run(
        [room, limit, posts, hidden, u](MySqlConnection& db) {
          std::string why;
          Room r;
          StoreResult got = RoomStore(db).get(room, &r, &why);
          if (got == StoreResult::Failed) {
            g_warning("board of %s: %s", room.c_str(), why.c_str());
            return;
          }
          if (got == StoreResult::Ok && r.isPrivate && !u.admin) {
            std::optional<bool> member = RoomStore(db).isMember(room, u.id, &why);
            if (!member) {
              g_warning("board of %s: %s", room.c_str(), why.c_str());
              return;
            }
            if (!*member) {
              *hidden = true;
              return;
            }
          }
          *posts = RoomBoard::recent(db, room, limit, &why);
          if (!*posts) g_warning("board of %s: %s", room.c_str(), why.c_str());
        },
        [room, posts, hidden, finish] {
          finish([room, posts, hidden](SoupServerMessage* m) {
            if (*hidden) return Rest::fail(m, "not_found", "no such room");
            if (!*posts) return Rest::fail(m, "unavailable", "the board is not readable now");
            JsonArrayPtr list(json_array_new());
            for (const BoardPost& p : **posts) {
              json_array_add_object_element(list.get(), RoomBoard::toJson(p).release());
            }
            json::Object out;
            out.set("room", room).set("posts", list.get());
            Rest::reply(m, SOUP_STATUS_OK, out.str());
          });
        });
  });
}

}  // namespace carrel::control
