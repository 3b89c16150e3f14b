#include "RoomRoles.hpp"

#include <vector>

#include "Json.hpp"

namespace carrel::control {

std::string RoomRoles::key(const std::string& room) {
  return "carrel:room:" + room + ":roles";
}

std::string RoomRoles::encode(const RoleEntry& e) {
  json::Object o;
  o.set("user", e.userId)
      .set("role", Permissions::name(e.role))
      .set("since", e.sinceMs)
      .set("name", e.name);
  return o.str();
}

std::optional<RoleEntry> RoomRoles::decode(const std::string& text) {
  JsonObjectPtr o = json::parseObject(text, nullptr);
  if (!o) return std::nullopt;
  auto role = Permissions::roleNamed(json::getString(o.get(), "role").value_or(""));
  auto user = json::getInt(o.get(), "user");
  if (!role || !user) return std::nullopt;
  RoleEntry e;
  e.userId = *user;
  e.role = *role;
  e.sinceMs = json::getInt(o.get(), "since").value_or(0);
  e.name = json::getString(o.get(), "name").value_or("");
  return e;
}

std::optional<std::string> RoomRoles::successor(const std::map<std::string, RoleEntry>& present,
                                                const std::string& leaving) {
  const std::string* best = nullptr;
  const RoleEntry* bestEntry = nullptr;
  auto better = [](const RoleEntry& a, const RoleEntry& b) {
    bool am = a.role == Role::Moderator, bm = b.role == Role::Moderator;
    if (am != bm) return am;
    return a.sinceMs < b.sinceMs;
  };
  for (const auto& [p, e] : present) {
    // Admins already rule every room; the owner's own other connections are the leaver too.
    if (p == leaving || e.userId == 0 || e.role == Role::Admin || e.role == Role::Owner) continue;
    if (!bestEntry || better(e, *bestEntry)) {
      best = &p;
      bestEntry = &e;
    }
  }
  if (!best) return std::nullopt;
  return *best;
}

void RoomRoles::set(const std::string& room, const std::string& participant, const RoleEntry& e) {
  redis_.command({"HSET", key(room), participant, encode(e)});
}

void RoomRoles::remove(const std::string& room, const std::string& participant) {
  redis_.command({"HDEL", key(room), participant});
}

void RoomRoles::list(const std::string& room, ListFn done) {
  redis_.command({"HGETALL", key(room)}, [done](redisReply* r) {
    if (!r || r->type != REDIS_REPLY_ARRAY) {
      done(std::nullopt);
      return;
    }
    std::map<std::string, RoleEntry> out;
    for (size_t i = 0; i + 1 < r->elements; i += 2) {
      std::string p(r->element[i]->str, r->element[i]->len);
      auto e = decode(std::string(r->element[i + 1]->str, r->element[i + 1]->len));
      if (e) out[p] = *e;
    }
    done(std::move(out));
  });
}

void RoomRoles::get(const std::string& room, const std::string& participant,
                    std::function<void(bool ok, std::optional<RoleEntry>)> done) {
  redis_.command({"HGET", key(room), participant}, [done](redisReply* r) {
    if (!r || (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_NIL)) {
      done(false, std::nullopt);
      return;
    }
    if (r->type == REDIS_REPLY_NIL) {
      done(true, std::nullopt);
      return;
    }
    done(true, decode(std::string(r->str, r->len)));
  });
}

void RoomRoles::setRoleOfUser(const std::string& room, int64_t userId, Role role,
                              std::function<void(std::vector<std::string>)> done) {
  std::weak_ptr<int> alive = alive_;
  list(room, [this, alive, room, userId, role, done](auto all) {
    if (!alive.lock()) return;
    std::vector<std::string> changed;
    if (all) {
      for (auto& [p, e] : *all) {
        if (e.userId != userId || e.role == Role::Admin) continue;
        e.role = role;
        set(room, p, e);
        changed.push_back(p);
      }
    }
    if (done) done(std::move(changed));
  });
}

}  // namespace carrel::control
