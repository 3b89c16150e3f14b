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

void Moderation::gate(const Session& s, const std::string& room, const std::string& ref,
                      std::function<void()> proceed, bool fromWaitingRoom) {
  RoleEntry e;
  e.userId = s->userId();
  e.name = s->name();
  e.sinceMs = nowMs();
  e.role = s->isAdmin() ? Role::Admin : Role::Member;
  if (!db_) {
    admitted(s, room, e, std::nullopt, std::move(proceed));
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
      [this, alive, weak, r, room, ref, e, fromWaitingRoom,
       proceed = std::move(proceed)]() mutable {
        auto s = weak.lock();
        if (!alive.lock() || !s) return;
        // Let in from the waiting room: only while still waiting to join this room.
        if (fromWaitingRoom && (s->roomState() != RoomState::Joining || s->room() != room)) {
          return;
        }
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
        bool privileged =
            fromWaitingRoom || Permissions::rank(e.role) >= Permissions::rank(Role::Moderator);
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
        admitted(s, room, e, r->flags, std::move(proceed));
      });
}

void Moderation::admitted(const Session& s, const std::string& room, const RoleEntry& e,
                          const std::optional<RoomFlags>& flags, std::function<void()> proceed) {
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
  if (flags) {
    // So that a joiner who may moderate sees the switches as they are.
    json::Object state;
    state.set("type", "room_moderation")
        .setBool("locked", flags->locked)
        .setBool("waiting_room", flags->waitingRoom)
        .set("camera_off_seconds", flags->afkCameraOffSeconds);
    s->deliverRoomEvent(state.str());
  }
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

void Moderation::refuseBanned(const Session& s, const Ban& ban, const std::string& ref) {
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
