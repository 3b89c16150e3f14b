#include "AdminRoutes.hpp"

#include <array>
#include <cstring>
#include <map>
#include <memory>

#include "AuditJson.hpp"
#include "BanJson.hpp"
#include "ControlNode.hpp"
#include "Json.hpp"
#include "ModerationStore.hpp"
#include "UserStore.hpp"

namespace carrel::control {

namespace {

constexpr const char* kPrefix = "/api/v1/admin";
constexpr int64_t kMaxBanMinutes = 10LL * 365 * 24 * 60;

constexpr std::array kClose{Field{"reason", FieldType::String, false, 0, 500}};
constexpr std::array kBan{Field{"user", FieldType::Int, true, 1, 0},
                          Field{"reason", FieldType::String, false, 0, 500},
                          Field{"minutes", FieldType::Int, false, 0, kMaxBanMinutes}};

bool validRoomId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!g_ascii_isalnum(c) && c != '_' && c != '-') return false;
  }
  return true;
}

bool validAction(const std::string& a) {
  if (a.empty() || a.size() > 32) return false;
  for (char c : a) {
    if (!g_ascii_islower(c) && c != '_') return false;
  }
  return true;
}

const char* param(GHashTable* query, const char* name) {
  return query ? static_cast<const char*>(g_hash_table_lookup(query, name)) : nullptr;
}

// An absent parameter leaves *out alone; a present one must be a decimal in [lo, hi].
bool uintParam(GHashTable* query, const char* name, uint64_t lo, uint64_t hi, uint64_t* out) {
  const char* v = param(query, name);
  if (!v) return true;
  if (!*v || std::strlen(v) > 20) return false;
  for (const char* p = v; *p; ++p) {
    if (!g_ascii_isdigit(*p)) return false;
  }
  uint64_t n = g_ascii_strtoull(v, nullptr, 10);
  if (n < lo || n > hi) return false;
  *out = n;
  return true;
}

int64_t nowMs() {
  return g_get_real_time() / 1000;
}

JsonObjectPtr seatJson(const Seat& s) {
  json::Object p;
  p.set("participant", s.participant).set("name", s.name);
  if (s.user) {
    p.set("user", s.user);
  } else {
    p.setNull("user");
  }
  p.set("node", s.node).set("sfu", s.sfu).set("since", s.since);
  return p.take();
}

}  // namespace

void AdminRoutes::install(SoupServer* server) {
  soup_server_add_handler(
      server, kPrefix,
      [](SoupServer*, SoupServerMessage* msg, const char* path, GHashTable* query, gpointer self) {
        static_cast<AdminRoutes*>(self)->route(msg, path ? path : "", query);
      },
      this, nullptr);
}

void AdminRoutes::route(SoupServerMessage* msg, const std::string& path, GHashTable* query) {
  std::string rest = path.substr(std::strlen(kPrefix));
  auto only = [&](const char* method) {
    if (Rest::isMethod(msg, method)) return true;
    Rest::fail(msg, "method_not_allowed", std::string("use ") + method);
    return false;
  };
  if (rest == "/rooms") {
    if (only("GET")) rooms(msg, query);
    return;
  }
  if (rest == "/bans") {
    if (Rest::isMethod(msg, "GET")) return listBans(msg);
    if (only("POST")) ban(msg);
    return;
  }
  const std::string bansPrefix = "/bans/";
  if (rest.compare(0, bansPrefix.size(), bansPrefix) == 0) {
    std::string id = rest.substr(bansPrefix.size());
    bool digits = !id.empty() && id.size() <= 19;
    for (char c : id) digits = digits && g_ascii_isdigit(c);
    uint64_t user = digits ? g_ascii_strtoull(id.c_str(), nullptr, 10) : 0;
    if (!user) return Rest::fail(msg, "not_found", "no such user");
    if (only("DELETE")) unban(msg, user);
    return;
  }
  if (rest == "/audit") {
    if (only("GET")) auditLog(msg, query);
    return;
  }
  const std::string roomsPrefix = "/rooms/";
  const std::string closeSuffix = "/close";
  if (rest.size() > roomsPrefix.size() + closeSuffix.size() &&
      rest.compare(0, roomsPrefix.size(), roomsPrefix) == 0 &&
      rest.compare(rest.size() - closeSuffix.size(), closeSuffix.size(), closeSuffix) == 0) {
    std::string room =
        rest.substr(roomsPrefix.size(), rest.size() - roomsPrefix.size() - closeSuffix.size());
    if (!validRoomId(room)) return Rest::fail(msg, "not_found", "no such room");
    if (only("POST")) closeRoom(msg, room);
    return;
  }
  Rest::fail(msg, "not_found", "no such route");
}

void AdminRoutes::withAdmin(SoupServerMessage* msg,
                            std::function<void(const User&, Rest::Finish)> then) {
  std::string token = Rest::bearer(msg);
  if (token.empty()) return Rest::fail(msg, "unauthorized", "an admin's access token is needed");
  Rest::later(msg, [&](Rest::Finish finish) {
    auth_.authenticate(token, [finish, then](const AuthResult& r) {
      if (!r.code.empty()) {
        return finish([r](SoupServerMessage* m) { Rest::fail(m, r.code, r.message); });
      }
      if (!r.user.admin) {
        return finish([](SoupServerMessage* m) {
          Rest::fail(m, "admin_only", "only a global admin may use the admin API");
        });
      }
      then(r.user, finish);
    });
  });
}

void AdminRoutes::rooms(SoupServerMessage* msg, GHashTable* query) {
  std::string only;
  if (const char* r = param(query, "room")) {
    only = r;
    if (!validRoomId(only)) return Rest::fail(msg, "invalid_field", "room: not a room id");
  }
  withAdmin(msg, [this, only](const User&, Rest::Finish finish) {
    node_.roster().allSeats([finish, only](std::optional<std::vector<Seat>> seats) {
      if (!seats) {
        return finish([](SoupServerMessage* m) {
          Rest::fail(m, "unavailable", "the live state in Redis is not reachable");
        });
      }
      std::map<std::string, std::vector<const Seat*>> byRoom;
      for (const auto& s : *seats) {
        if (only.empty() || s.room == only) byRoom[s.room].push_back(&s);
      }
      JsonArrayPtr list(json_array_new());
      int64_t total = 0;
      for (const auto& [room, in] : byRoom) {
        JsonArrayPtr ps(json_array_new());
        for (const Seat* s : in) json_array_add_object_element(ps.get(), seatJson(*s).release());
        json::Object r;
        r.set("id", room).set("participants", ps.get());
        json_array_add_object_element(list.get(), r.take().release());
        total += static_cast<int64_t>(in.size());
      }
      json::Object out;
      out.set("rooms", list.get()).set("participants", total);
      std::string body = out.str();
      finish([body](SoupServerMessage* m) { Rest::reply(m, SOUP_STATUS_OK, body); });
    });
  });
}

void AdminRoutes::closeRoom(SoupServerMessage* msg, const std::string& room) {
  JsonObjectPtr o = Rest::body(msg, kClose);
  if (!o) return;
  std::string reason = json::getString(o.get(), "reason").value_or("");
  withAdmin(msg, [this, room, reason](const User& admin, Rest::Finish finish) {
    struct Read {
      std::optional<Standing> standing;
      std::string error;
      bool down = false;
    };
    auto r = std::make_shared<Read>();
    worker_.run(
        [r, room](MySqlConnection& db) {
          r->standing = ModerationStore(db).standing(room, 0, &r->error);
          r->down = db.unavailable();
        },
        [this, r, room, reason, admin, finish] {
          if (!r->standing) {
            g_warning("admin close of %s: %s", room.c_str(), r->error.c_str());
            return finish(
                [r](SoupServerMessage* m) { Rest::failStorage(m, r->down, "read failed"); });
          }
          bool exists = r->standing->roomExists;
          node_.roster().allSeats(
              [this, room, reason, admin, finish, exists](std::optional<std::vector<Seat>> seats) {
                if (!seats) {
                  return finish([](SoupServerMessage* m) {
                    Rest::fail(m, "unavailable", "the live state in Redis is not reachable");
                  });
                }
                JsonArrayPtr removed(json_array_new());
                for (const auto& s : *seats) {
                  if (s.room == room)
                    json_array_add_string_element(removed.get(), s.participant.c_str());
                }
                // A room that is neither stored nor live is a typo, not a room to close.
                if (!exists && json_array_get_length(removed.get()) == 0) {
                  return finish(
                      [](SoupServerMessage* m) { Rest::fail(m, "not_found", "no such room"); });
                }
                node_.moderation().closeRoom(room, admin.id, admin.displayName, reason);
                json::Object out;
                out.set("room", room).set("removed", removed.get());
                std::string body = out.str();
                finish([body](SoupServerMessage* m) { Rest::reply(m, SOUP_STATUS_OK, body); });
              });
        });
  });
}

void AdminRoutes::ban(SoupServerMessage* msg) {
  JsonObjectPtr o = Rest::body(msg, kBan);
  if (!o) return;
  Ban b;
  b.userId = static_cast<uint64_t>(*json::getInt(o.get(), "user"));
  b.reason = json::getString(o.get(), "reason").value_or("");
  int64_t minutes = json::getInt(o.get(), "minutes").value_or(0);
  if (minutes > 0) b.expiresAtMs = nowMs() + minutes * 60 * 1000;
  withAdmin(msg, [this, b](const User& admin, Rest::Finish finish) {
    struct Result {
      StoreResult found = StoreResult::Failed;
      User target;
      bool stored = false;
      std::string error;
      bool down = false;
    };
    auto r = std::make_shared<Result>();
    uint64_t by = admin.id;
    worker_.run(
        [r, b, by](MySqlConnection& db) {
          r->found = UserStore(db).findById(b.userId, &r->target, &r->error);
          if (r->found == StoreResult::Ok && !r->target.admin) {
            r->stored = ModerationStore(db).addBan(b, by, &r->error);
          }
          r->down = db.unavailable();
        },
        [this, r, b, admin, finish] {
          if (r->found == StoreResult::NotFound) {
            return finish([](SoupServerMessage* m) { Rest::fail(m, "not_found", "no such user"); });
          }
          if (r->found == StoreResult::Ok && r->target.admin) {
            return finish([](SoupServerMessage* m) {
              Rest::fail(m, "outranked", "an admin cannot be banned");
            });
          }
          if (!r->stored) {
            g_warning("admin ban of user %llu: %s", static_cast<unsigned long long>(b.userId),
                      r->error.c_str());
            return finish(
                [r](SoupServerMessage* m) { Rest::failStorage(m, r->down, "ban not stored"); });
          }
          AuditEntry a;
          a.actorId = admin.id;
          a.actorName = admin.displayName;
          a.action = "global_ban";
          a.targetUserId = b.userId;
          a.targetName = r->target.displayName;
          a.reason = b.reason;
          node_.moderation().audit(a);
          int64_t until = b.expiresAtMs.value_or(0);
          User target = r->target;
          node_.roster().allSeats(
              [this, b, until, target, finish](std::optional<std::vector<Seat>> seats) {
                JsonArrayPtr removed(json_array_new());
                for (const auto& s : seats ? *seats : std::vector<Seat>{}) {
                  if (s.user != static_cast<int64_t>(b.userId)) continue;
                  // The node holding the session removes it (Moderation::doRemove), as for a
                  // moderator's ban: the client is told why, its SFU peer goes.
                  json::Object rm;
                  rm.set("type", "_mod.remove")
                      .set("participant", s.participant)
                      .set("action", "ban")
                      .set("reason", b.reason)
                      .set("until", until);
                  node_.rooms().broadcast(s.room, "", rm.get());
                  json::Object p;
                  p.set("participant", s.participant).set("room", s.room).set("node", s.node);
                  json_array_add_object_element(removed.get(), p.take().release());
                }
                json::Object ban;
                ban.set("user", static_cast<int64_t>(b.userId))
                    .set("name", target.displayName)
                    .setNull("room")
                    .set("reason", b.reason);
                if (b.expiresAtMs) {
                  ban.set("until", *b.expiresAtMs);
                } else {
                  ban.setNull("until");
                }
                json::Object out;
                out.set("ban", ban.get()).set("removed", removed.get());
                // The ban is stored even when Redis failed: the sessions go at their next join.
                if (!seats) out.setBool("live_sessions_unknown", true);
                std::string body = out.str();
                finish([body](SoupServerMessage* m) { Rest::reply(m, SOUP_STATUS_CREATED, body); });
              });
        });
  });
}

void AdminRoutes::listBans(SoupServerMessage* msg) {
  withAdmin(msg, [this](const User&, Rest::Finish finish) {
    auto bans = std::make_shared<std::optional<std::vector<Ban>>>();
    auto down = std::make_shared<bool>(false);
    worker_.run(
        [bans, down](MySqlConnection& db) {
          std::string why;
          *bans = ModerationStore(db).bansInForce("", nowMs(), &why);
          if (!*bans) g_warning("admin list of bans: %s", why.c_str());
          *down = db.unavailable();
        },
        [bans, down, finish] {
          if (!*bans) {
            return finish(
                [down](SoupServerMessage* m) { Rest::failStorage(m, *down, "bans not read"); });
          }
          JsonArrayPtr list(json_array_new());
          for (const auto& b : **bans) {
            json_array_add_object_element(list.get(), banJson(b).release());
          }
          json::Object out;
          out.set("bans", list.get());
          std::string body = out.str();
          finish([body](SoupServerMessage* m) { Rest::reply(m, SOUP_STATUS_OK, body); });
        });
  });
}

void AdminRoutes::unban(SoupServerMessage* msg, uint64_t user) {
  withAdmin(msg, [this, user](const User& admin, Rest::Finish finish) {
    struct Result {
      StoreResult found = StoreResult::Failed;
      User target;
      std::optional<uint64_t> lifted;
      std::string error;
      bool down = false;
    };
    auto r = std::make_shared<Result>();
    worker_.run(
        [r, user](MySqlConnection& db) {
          r->found = UserStore(db).findById(user, &r->target, &r->error);
          if (r->found == StoreResult::Ok) {
            r->lifted = ModerationStore(db).liftBans("", user, nowMs(), &r->error);
          }
          r->down = db.unavailable();
        },
        [this, r, user, admin, finish] {
          if (r->found == StoreResult::NotFound || (r->lifted && *r->lifted == 0)) {
            return finish([](SoupServerMessage* m) {
              Rest::fail(m, "not_found", "that user has no ban from every room in force");
            });
          }
          if (!r->lifted) {
            g_warning("admin unban of user %llu: %s", static_cast<unsigned long long>(user),
                      r->error.c_str());
            return finish(
                [r](SoupServerMessage* m) { Rest::failStorage(m, r->down, "ban not lifted"); });
          }
          AuditEntry a;
          a.actorId = admin.id;
          a.actorName = admin.displayName;
          a.action = "global_unban";
          a.targetUserId = user;
          a.targetName = r->target.displayName;
          node_.moderation().audit(a);
          json::Object out;
          out.set("user", static_cast<int64_t>(user))
              .set("name", r->target.displayName)
              .set("lifted", static_cast<int64_t>(*r->lifted));
          std::string body = out.str();
          finish([body](SoupServerMessage* m) { Rest::reply(m, SOUP_STATUS_OK, body); });
        });
  });
}

void AdminRoutes::auditLog(SoupServerMessage* msg, GHashTable* query) {
  AuditFilter f;
  uint64_t limit = 50;
  const uint64_t maxId = G_MAXINT64;
  if (const char* r = param(query, "room")) {
    f.room = r;
    if (!validRoomId(f.room)) return Rest::fail(msg, "invalid_field", "room: not a room id");
  }
  if (const char* a = param(query, "action")) {
    f.action = a;
    if (!validAction(f.action)) {
      return Rest::fail(msg, "invalid_field", "action: 1-32 bytes of a-z and _");
    }
  }
  if (!uintParam(query, "actor", 1, maxId, &f.actorId)) {
    return Rest::fail(msg, "invalid_field", "actor: a user id");
  }
  if (!uintParam(query, "target", 1, maxId, &f.targetUserId)) {
    return Rest::fail(msg, "invalid_field", "target: a user id");
  }
  if (!uintParam(query, "before", 1, maxId, &f.beforeId)) {
    return Rest::fail(msg, "invalid_field", "before: an entry id");
  }
  if (!uintParam(query, "limit", 1, 200, &limit)) {
    return Rest::fail(msg, "invalid_field", "limit: 1-200");
  }
  f.limit = static_cast<int>(limit);
  withAdmin(msg, [this, f](const User&, Rest::Finish finish) {
    auto rows = std::make_shared<std::optional<std::vector<AuditEntry>>>();
    auto down = std::make_shared<bool>(false);
    worker_.run(
        [rows, f, down](MySqlConnection& db) {
          std::string why;
          *rows = ModerationStore(db).auditLog(f, &why);
          if (!*rows) g_warning("admin audit log: %s", why.c_str());
          *down = db.unavailable();
        },
        [rows, f, down, finish] {
          if (!*rows) {
            return finish([down](SoupServerMessage* m) {
              Rest::failStorage(m, *down, "audit log unreadable");
            });
          }
          JsonArrayPtr list(json_array_new());
          for (const auto& e : **rows) {
            json_array_add_object_element(list.get(), auditJson(e).release());
          }
          json::Object out;
          out.set("entries", list.get());
          // A full page may have more behind it: the next page starts below its last id.
          if (static_cast<int>((*rows)->size()) == f.limit && !(*rows)->empty()) {
            out.set("next_before", static_cast<int64_t>((*rows)->back().id));
          } else {
            out.setNull("next_before");
          }
          std::string body = out.str();
          finish([body](SoupServerMessage* m) { Rest::reply(m, SOUP_STATUS_OK, body); });
        });
  });
}

}  // namespace carrel::control
