#include "Moderation.hpp"

#include "BusProtocol.hpp"
#include "ClientErrors.hpp"
#include "ControlNode.hpp"
#include "ModerationErrors.hpp"

namespace carrel::control {

namespace {

int64_t nowMs() {
  return g_get_real_time() / 1000;
}

guint addTimeout(guint ms, std::function<void()> fn) {
  struct Holder {
    std::function<void()> fn;
  };
  return g_timeout_add_full(
      G_PRIORITY_DEFAULT, ms,
      [](gpointer h) -> gboolean {
        static_cast<Holder*>(h)->fn();
        return G_SOURCE_REMOVE;
      },
      new Holder{std::move(fn)}, [](gpointer h) { delete static_cast<Holder*>(h); });
}

// The typed refusal of a banned user's join (docs/protocol.md, "Moderation").
void refuseBanned(const std::shared_ptr<ClientSession>& s, const Ban& ban, const std::string& ref) {
  json::Object err;
  err.set("type", "error").set("code", mcode::Banned);
  std::string msg =
      ban.room.empty() ? "you are banned from every room" : "you are banned from this room";
  if (!ban.reason.empty()) msg += ": " + ban.reason;
  err.set("message", msg).set("reason", ban.reason);
  if (ban.expiresAtMs) {
    err.set("until", *ban.expiresAtMs);
  } else {
    err.setNull("until");
  }
  if (!ref.empty()) err.set("ref", ref);
  s->clearRoom();
  s->send(err);
}

bool isInternal(JsonObject* msg) {
  auto type = json::getString(msg, "type");
  return type && type->rfind("_mod.", 0) == 0;
}

}  // namespace

Moderation::Moderation(ControlNode& node, DbWorker* db)
    : node_(node),
      db_(db),
      roles_(node.redis()),
      afkPolicy_([this](const std::string& room, const std::string& p, int seconds) {
        onCameraOffTooLong(room, p, seconds);
      }) {}

Moderation::~Moderation() {
  alive_.reset();
}

Moderation::Local* Moderation::local(const Session& s) {
  auto it = local_.find(s->participant());
  if (it == local_.end() || it->second->session.lock() != s || it->second->room != s->room()) {
    return nullptr;
  }
  return it->second.get();
}

const Moderation::Local* Moderation::local(const Session& s) const {
  return const_cast<Moderation*>(this)->local(s);
}

Role Moderation::roleOf(const Session& s) const {
  if (s->roomState() == RoomState::None) return Role::Outsider;
  const Local* l = local(s);
  return l ? l->role : Role::Member;
}

bool Moderation::isForceMuted(const Session& s, const std::string& kind) const {
  const Local* l = local(s);
  return l && l->forcedMuted.count(kind);
}

bool Moderation::mayDeleteAnyChat(const Session& s) const {
  return !Permissions::check(Action::DeleteAnyChat, roleOf(s));
}

void Moderation::admitJoin(const Session& s, const std::string& room, const std::string& ref,
                           std::function<void()> proceed) {
  RoleEntry e;
  e.userId = s->userId();
  e.name = s->name();
  e.sinceMs = nowMs();
  e.role = s->isAdmin() ? Role::Admin : Role::Member;
  if (!db_) {
    admitted(s, room, e, std::move(proceed));
    return;
  }
  struct Read {
    std::optional<Standing> standing;
    std::optional<Ban> ban;
    std::optional<RoomFlags> flags;
    bool failed = false;
    std::string error;
  };
  auto r = std::make_shared<Read>();
  uint64_t user = static_cast<uint64_t>(e.userId);
  int64_t now = e.sinceMs;
  std::weak_ptr<ClientSession> weak = s;
  std::weak_ptr<int> alive = alive_;
  db_->run(
      [r, room, user, now](MySqlConnection& db) {
        ModerationStore store(db);
        r->flags = store.flags(room, &r->error);
        if (!r->flags) {
          r->failed = true;
          return;
        }
        if (!user) return;
        r->standing = store.standing(room, user, &r->error);
        r->ban = store.activeBan(room, user, now, &r->error, &r->failed);
        if (!r->standing) r->failed = true;
      },
      [this, alive, weak, r, room, ref, e, proceed = std::move(proceed)]() mutable {
        auto s = weak.lock();
        if (!alive.lock() || !s) return;
        if (s->closed()) {
          s->clearRoom();
          return;
        }
        if (r->failed) {
          g_warning("%s: moderation state of room %s unreadable: %s", s->participant().c_str(),
                    room.c_str(), r->error.c_str());
          s->clearRoom();
          s->sendError(code::Internal, "the room's moderation state could not be read", ref);
          return;
        }
        if (e.role != Role::Admin && r->standing) {
          if (r->standing->ownerId && r->standing->ownerId == static_cast<uint64_t>(e.userId)) {
            e.role = Role::Owner;
          } else if (r->standing->moderator) {
            e.role = Role::Moderator;
          }
        }
        afkPolicy_.setLimit(room, r->flags->afkCameraOffSeconds);
        bool privileged = Permissions::rank(e.role) >= Permissions::rank(Role::Moderator);
        if (r->ban && e.role != Role::Admin) return refuseBanned(s, *r->ban, ref);
        if (r->flags->locked && !privileged) {
          s->clearRoom();
          s->sendError(mcode::LockedByModerator, "the room is locked: no new participants for now",
                       ref);
          return;
        }
        if (r->flags->waitingRoom && !privileged) {
          auto w = std::make_unique<Waiting>();
          w->session = s;
          w->room = room;
          w->ref = ref;
          w->entry = e;
          w->proceed = std::move(proceed);
          waiting_[s->participant()] = std::move(w);
          json::Object wait;
          wait.set("type", "waiting").set("room", room);
          if (!ref.empty()) wait.set("ref", ref);
          s->send(wait);
          json::Object knock;
          knock.set("type", "_mod.knock").set("participant", s->participant()).set("name", e.name);
          broadcastInternal(room, knock);
          return;
        }
        admitted(s, room, e, std::move(proceed));
      });
}

void Moderation::admitted(const Session& s, const std::string& room, const RoleEntry& e,
                          std::function<void()> proceed) {
  auto l = std::make_unique<Local>();
  l->session = s;
  l->room = room;
  l->userId = e.userId;
  l->role = e.role;
  local_[s->participant()] = std::move(l);
  roles_.set(room, s->participant(), e);
  // Held by the session until "joined" has gone out (it is still joining).
  json::Object you;
  you.set("type", "role").set("role", Permissions::name(e.role));
  s->deliverRoomEvent(you.str());
  std::weak_ptr<ClientSession> weak = s;
  std::weak_ptr<int> alive = alive_;
  roles_.list(room, [alive, weak](auto all) {
    auto s = weak.lock();
    if (!alive.lock() || !s || !all) return;
    json::Object roles;
    for (const auto& [p, entry] : *all) roles.set(p.c_str(), Permissions::name(entry.role));
    json::Object m;
    m.set("type", "roles").set("roles", roles.get());
    s->deliverRoomEvent(m.str());
  });
  if (e.role != Role::Member) {
    json::Object changed;
    changed.set("type", "role_changed")
        .set("participant", s->participant())
        .set("role", Permissions::name(e.role));
    node_.rooms().broadcast(room, s->participant(), changed.get());
  }
  proceed();
}

void Moderation::onLeft(const Session& s, const std::string& room, std::string_view reason) {
  auto it = local_.find(s->participant());
  if (it == local_.end()) return;
  Role role = it->second->role;
  int64_t user = it->second->userId;
  local_.erase(it);
  afkPolicy_.forget(s->participant());
  roles_.remove(room, s->participant());
  // A session replaced by the same account's newer one has not left for good: the owner is
  // coming straight back (as in a second tab), so ownership stays.
  if (role == Role::Owner && db_ && reason != "replaced") {
    passOwnership(room, s->participant(), user);
  }
}

void Moderation::passOwnership(const std::string& room, const std::string& leaving,
                               int64_t userId) {
  std::weak_ptr<int> alive = alive_;
  roles_.list(room, [this, alive, room, leaving, userId](auto roles) {
    if (!alive.lock() || !roles) return;
    // Only who the room directory still lists (a dead node's participants are swept from it).
    node_.rooms().list(room, [this, alive, room, leaving, userId, roles](auto present) {
      if (!alive.lock() || !present) return;
      std::map<std::string, RoleEntry> all;
      for (const auto& p : *present) {
        auto it = roles->find(p.participant);
        if (it != roles->end()) all[p.participant] = it->second;
      }
      handOver(room, leaving, userId, all);
    });
  });
}

void Moderation::handOver(const std::string& room, const std::string& leaving, int64_t userId,
                          const std::map<std::string, RoleEntry>& all) {
  for (const auto& [p, e] : all) {
    if (p != leaving && e.userId == userId) return;  // the owner is still here elsewhere
  }
  auto next = RoomRoles::successor(all, leaving);
  if (!next) return;
  RoleEntry heir = all.at(*next);
  std::string participant = *next;
  std::weak_ptr<int> alive2 = alive_;
  db_->run(
      [room, heir](MySqlConnection& db) {
        std::string why;
        if (!ModerationStore(db).setOwner(room, static_cast<uint64_t>(heir.userId), &why)) {
          g_warning("room %s: ownership not passed: %s", room.c_str(), why.c_str());
        }
      },
      [this, alive2, room, heir, participant] {
        if (!alive2.lock()) return;
        changeRole(room, heir.userId, Role::Owner);
        AuditEntry a;
        a.room = room;
        a.action = "owner_passed";
        a.targetUserId = static_cast<uint64_t>(heir.userId);
        a.targetParticipant = participant;
        a.targetName = heir.name;
        a.reason = "the owner left";
        audit(a);
        g_message("room %s: ownership passed to %s ('%s')", room.c_str(), participant.c_str(),
                  heir.name.c_str());
      });
}

void Moderation::changeRole(const std::string& room, int64_t userId, Role role) {
  std::weak_ptr<int> alive = alive_;
  roles_.setRoleOfUser(room, userId, role, [this, alive, room, role](std::vector<std::string> ps) {
    if (!alive.lock()) return;
    for (const auto& p : ps) {
      json::Object internal;
      internal.set("type", "_mod.role").set("participant", p).set("role", Permissions::name(role));
      broadcastInternal(room, internal);
      json::Object pub;
      pub.set("type", "role_changed").set("participant", p).set("role", Permissions::name(role));
      node_.rooms().broadcast(room, "", pub.get());
    }
  });
}

void Moderation::onTrackPublished(const Session& s, const std::string& track,
                                  const std::string& kind) {
  if (!isForceMuted(s, kind)) return;
  json::Object d;
  d.set("room", s->room()).set("peer", s->participant()).set("track", track).setBool("muted", true);
  node_.bus().request(s->sfuNode(), bus::method::TrackMute, d.take(), {},
                      static_cast<guint>(node_.options().sfuTimeoutMs));
}

void Moderation::broadcastInternal(const std::string& room, json::Object& msg) {
  node_.rooms().broadcast(room, "", msg.get());
}

bool Moderation::onRoomEvent(const std::string& room, JsonObject* msg) {
  if (!isInternal(msg)) return false;
  using Fn = void (Moderation::*)(const std::string&, JsonObject*);
  static const std::map<std::string, Fn> table{
      {"_mod.remove", &Moderation::doRemove}, {"_mod.mute", &Moderation::doMute},
      {"_mod.afk", &Moderation::doAfk},       {"_mod.admit", &Moderation::doAdmit},
      {"_mod.knock", &Moderation::doKnock},   {"_mod.role", &Moderation::doRole},
      {"_mod.close", &Moderation::doClose},   {"_mod.policy", &Moderation::doPolicy},
  };
  auto it = table.find(json::getString(msg, "type").value_or(""));
  if (it != table.end()) (this->*(it->second))(room, msg);
  return true;
}

void Moderation::removeSession(const Session& s, const std::string& action,
                               const std::string& reason, int64_t untilMs) {
  json::Object r;
  r.set("type", "removed").set("room", s->room()).set("action", action).set("reason", reason);
  if (untilMs > 0) r.set("until", untilMs);
  s->send(r);
  std::string why = action == "kick" ? "kicked" : action == "ban" ? "banned" : action;
  node_.leaveRoom(s, why.c_str(), true);
}

void Moderation::doRemove(const std::string& room, JsonObject* msg) {
  auto s = node_.sessionFor(json::getString(msg, "participant").value_or(""));
  if (!s || s->closed() || s->roomState() != RoomState::InRoom || s->room() != room) return;
  removeSession(s, json::getString(msg, "action").value_or("kick"),
                json::getString(msg, "reason").value_or(""),
                json::getInt(msg, "until").value_or(0));
}

void Moderation::removeUserFromRoom(const std::string& room, int64_t userId,
                                    const std::string& action, const std::string& reason,
                                    int64_t untilMs) {
  std::weak_ptr<int> alive = alive_;
  roles_.list(room, [this, alive, room, userId, action, reason, untilMs](auto all) {
    if (!alive.lock() || !all) return;
    for (const auto& [p, e] : *all) {
      if (e.userId != userId) continue;
      json::Object rm;
      rm.set("type", "_mod.remove")
          .set("participant", p)
          .set("action", action)
          .set("reason", reason)
          .set("until", untilMs);
      broadcastInternal(room, rm);
    }
  });
}

void Moderation::muteTracks(const Session& s, const std::string& kind, bool muted) {
  JsonArray* tracks = s->tracks();
  for (guint i = 0; tracks && i < json_array_get_length(tracks); ++i) {
    JsonObject* t = json_array_get_object_element(tracks, i);
    if (json::getString(t, "kind").value_or("") != kind) continue;
    json::Object d;
    d.set("room", s->room())
        .set("peer", s->participant())
        .set("track", json::getString(t, "track").value_or(""))
        .setBool("muted", muted);
    std::string who = s->participant();
    node_.bus().request(
        s->sfuNode(), bus::method::TrackMute, d.take(),
        [who](const bus::Response& r) {
          if (!r.ok) g_warning("%s: track.mute failed: %s", who.c_str(), r.error.message.c_str());
        },
        static_cast<guint>(node_.options().sfuTimeoutMs));
  }
}

void Moderation::doMute(const std::string& room, JsonObject* msg) {
  std::string target = json::getString(msg, "participant").value_or("");
  std::string kind = json::getString(msg, "kind").value_or("");
  bool muted = json::getBool(msg, "muted").value_or(true);
  bool stop = json::getBool(msg, "stop").value_or(false);
  // "*": everyone the actor outranks (mute all).
  int below = static_cast<int>(json::getInt(msg, "below_rank").value_or(0));
  for (auto& [p, l] : local_) {
    if (target != "*" && p != target) continue;
    auto s = l->session.lock();
    if (!s || s->closed() || s->roomState() != RoomState::InRoom || s->room() != room) continue;
    if (target == "*" && Permissions::rank(l->role) >= below) continue;
    if (muted) {
      l->forcedMuted.insert(kind);
    } else {
      l->forcedMuted.erase(kind);
    }
    muteTracks(s, kind, muted);
    json::Object m;
    m.set("type", stop ? "stop_screen" : "force_muted").set("kind", kind).setBool("muted", muted);
    s->send(m);
  }
}

void Moderation::doAfk(const std::string& room, JsonObject* msg) {
  auto s = node_.sessionFor(json::getString(msg, "participant").value_or(""));
  if (!s || s->roomState() != RoomState::InRoom || s->room() != room) return;
  startAfkCheck(s, room);
}

void Moderation::startAfkCheck(const Session& s, const std::string& room) {
  Local* l = local(s);
  if (!l) return;
  int timeout = node_.options().afkTimeoutMs;
  json::Object check;
  check.set("type", "afk_check").set("timeout_ms", timeout);
  s->send(check);
  std::weak_ptr<ClientSession> weak = s;
  std::weak_ptr<int> alive = alive_;
  l->afk.reset(addTimeout(static_cast<guint>(timeout), [this, alive, weak, room] {
    auto s = weak.lock();
    if (!alive.lock() || !s) return;
    Local* l = local(s);
    if (!l) return;
    l->afk.release();
    AuditEntry a;
    a.room = room;
    a.action = "afk_removed";
    a.targetUserId = static_cast<uint64_t>(l->userId);
    a.targetParticipant = s->participant();
    a.targetName = s->name();
    a.reason = "no answer to the AFK check";
    audit(a);
    json::Object pub;
    pub.set("type", "moderated").set("action", "afk_removed").set("participant", s->participant());
    node_.rooms().broadcast(room, s->participant(), pub.get());
    removeSession(s, "afk", "no answer to the presence check", 0);
  }));
}

void Moderation::doAdmit(const std::string& room, JsonObject* msg) {
  auto it = waiting_.find(json::getString(msg, "participant").value_or(""));
  if (it == waiting_.end() || it->second->room != room) return;
  std::unique_ptr<Waiting> w = std::move(it->second);
  waiting_.erase(it);
  auto s = w->session.lock();
  if (!s || s->closed() || s->roomState() != RoomState::Joining || s->room() != room) return;
  if (json::getBool(msg, "admit").value_or(false)) {
    if (!db_ || w->entry.userId <= 0 || w->entry.role == Role::Admin) {
      return admitted(s, room, w->entry, std::move(w->proceed));
    }
    // A ban made while they waited (in this room, or everywhere by an admin) still holds.
    std::shared_ptr<Waiting> held = std::move(w);
    auto ban = std::make_shared<std::optional<Ban>>();
    uint64_t user = static_cast<uint64_t>(held->entry.userId);
    std::weak_ptr<int> alive = alive_;
    db_->run(
        [ban, room, user](MySqlConnection& db) {
          std::string why;
          bool failed = false;
          *ban = ModerationStore(db).activeBan(room, user, nowMs(), &why, &failed);
          if (failed) g_warning("ban check at admission in %s: %s", room.c_str(), why.c_str());
        },
        [this, alive, held, ban, room] {
          auto s = held->session.lock();
          if (!alive.lock() || !s || s->closed() || s->roomState() != RoomState::Joining ||
              s->room() != room) {
            return;
          }
          if (*ban) return refuseBanned(s, **ban, held->ref);
          admitted(s, room, held->entry, std::move(held->proceed));
        });
  } else {
    s->clearRoom();
    s->sendError(mcode::Refused, "a moderator did not let you in", w->ref);
  }
}

void Moderation::doKnock(const std::string& room, JsonObject* msg) {
  json::Object k;
  k.set("type", "knock")
      .set("participant", json::getString(msg, "participant").value_or(""))
      .set("name", json::getString(msg, "name").value_or(""));
  std::string text = k.str();
  for (auto& [p, l] : local_) {
    auto s = l->session.lock();
    if (!s || l->room != room || s->roomState() != RoomState::InRoom) continue;
    if (Permissions::rank(l->role) >= Permissions::rank(Role::Moderator)) s->send(text);
  }
}

void Moderation::doRole(const std::string& room, JsonObject* msg) {
  auto it = local_.find(json::getString(msg, "participant").value_or(""));
  auto role = Permissions::roleNamed(json::getString(msg, "role").value_or(""));
  if (it == local_.end() || it->second->room != room || !role) return;
  it->second->role = *role;
  if (auto s = it->second->session.lock()) {
    json::Object you;
    you.set("type", "role").set("role", Permissions::name(*role));
    s->send(you);
  }
}

void Moderation::doClose(const std::string& room, JsonObject* msg) {
  std::string reason = json::getString(msg, "reason").value_or("");
  std::vector<Session> inRoom;
  for (auto& [p, l] : local_) {
    auto s = l->session.lock();
    if (s && !s->closed() && l->room == room && s->roomState() == RoomState::InRoom &&
        s->room() == room) {
      inRoom.push_back(s);
    }
  }
  for (auto& s : inRoom) removeSession(s, "room_closed", reason, 0);
  std::vector<std::string> refused;
  for (auto& [p, w] : waiting_) {
    if (w->room == room) refused.push_back(p);
  }
  for (const auto& p : refused) {
    auto w = std::move(waiting_[p]);
    waiting_.erase(p);
    auto s = w->session.lock();
    if (!s || s->closed() || s->roomState() != RoomState::Joining) continue;
    s->clearRoom();
    s->sendError(mcode::RoomClosed, "the room was closed", w->ref);
  }
}

void Moderation::closeRoom(const std::string& room, uint64_t actorId, const std::string& actorName,
                           const std::string& reason) {
  json::Object pub;
  pub.set("type", "moderated").set("action", "close_room").set("reason", reason);
  node_.rooms().broadcast(room, "", pub.get());
  json::Object c;
  c.set("type", "_mod.close").set("reason", reason);
  broadcastInternal(room, c);
  AuditEntry a;
  a.room = room;
  a.actorId = actorId;
  a.actorName = actorName;
  a.action = "close_room";
  a.reason = reason;
  audit(a);
  for (auto& fn : roomClosed_) fn(room);
}

void Moderation::audit(AuditEntry e) {
  if (!db_) return;
  db_->run([e](MySqlConnection& db) {
    std::string why;
    if (!ModerationStore(db).audit(e, &why)) {
      g_warning("audit log: %s in room %s not written: %s", e.action.c_str(), e.room.c_str(),
                why.c_str());
    }
  });
}

}  // namespace carrel::control
