// Moderation's client messages (the second half of Moderation, kept apart from
// its hooks): each checks the actor's role against the Permissions matrix (and
// the target's rank), writes the audit row, tells the room what happened and
// has the target's node carry it out.
#include "AuditJson.hpp"
#include "ClientErrors.hpp"
#include "ControlNode.hpp"
#include "Moderation.hpp"
#include "ModerationErrors.hpp"

namespace carrel::control {

namespace {

int64_t nowMs() {
  return g_get_real_time() / 1000;
}

std::string field(const ClientMessage& m, const char* name) {
  return json::getString(m.object.get(), name).value_or("");
}

}  // namespace

void Moderation::handle(const Session& s, const ClientMessage& m) {
  const Req q{m.type, m.id};
  struct Route {
    Handler fn;
    std::optional<Action> action;  // checked here; targets are checked by withTarget
  };
  static const std::map<std::string_view, Route> table{
      {"kick", {&Moderation::onKick, Action::Kick}},
      {"ban", {&Moderation::onBan, Action::Ban}},
      {"bans", {&Moderation::onListBans, Action::Ban}},
      {"unban", {&Moderation::onUnban, Action::Ban}},
      {"mute_participant", {&Moderation::onMuteParticipant, Action::MuteOther}},
      {"mute_all", {&Moderation::onMuteAll, Action::MuteAll}},
      {"stop_screen", {&Moderation::onStopScreen, Action::StopScreen}},
      {"lock_room", {&Moderation::onLock, Action::Lock}},
      {"waiting_room", {&Moderation::onWaitingRoom, Action::WaitingRoom}},
      {"admit", {&Moderation::onAdmit, Action::Admit}},
      {"close_room", {&Moderation::onCloseRoom, Action::CloseRoom}},
      {"afk_check", {&Moderation::onAfkCheck, Action::AfkCheck}},
      {"afk_confirm", {&Moderation::onAfkConfirm, std::nullopt}},
      {"afk_policy", {&Moderation::onAfkPolicy, Action::AfkCheck}},
      {"set_moderator", {&Moderation::onSetModerator, Action::SetModerator}},
      {"transfer_ownership", {&Moderation::onTransferOwnership, Action::TransferOwnership}},
      {"audit_log", {&Moderation::onAuditLog, Action::ReadAudit}},
  };
  auto it = table.find(m.type);
  if (it == table.end()) {
    s->sendError(code::Internal, "this message is not handled yet", q.id);
    return;
  }
  Role actor = roleOf(s);
  if (it->second.action) {
    if (auto d = Permissions::check(*it->second.action, actor)) {
      s->sendError(d->code, d->message, q.id);
      return;
    }
  }
  (this->*(it->second.fn))(s, m, actor);
}

void Moderation::ack(const Session& s, const Req& q) {
  json::Object a;
  a.set("type", "ack").set("action", q.type);
  if (!q.id.empty()) a.set("ref", q.id);
  s->send(a);
}

void Moderation::withTarget(
    const Session& s, const ClientMessage& m, Action action,
    std::function<void(const std::string& participant, const RoleEntry&)> act) {
  const Req q{m.type, m.id};
  std::string target = field(m, "participant");
  std::string ref = q.id;
  std::weak_ptr<ClientSession> weak = s;
  std::weak_ptr<int> alive = alive_;
  std::string room = s->room();
  roles_.get(
      room, target,
      [this, alive, weak, target, ref, action, room, act](bool ok, std::optional<RoleEntry> e) {
        auto s = weak.lock();
        if (!alive.lock() || !s || s->closed() || s->room() != room) return;
        if (!ok) {
          s->sendError(code::Internal, "the room directory is not reachable", ref);
          return;
        }
        if (!e) {
          s->sendError(mcode::NoSuchParticipant, "no participant '" + target + "' in this room",
                       ref);
          return;
        }
        if (target == s->participant()) {
          s->sendError(mcode::Outranked, "moderation actions are for other participants", ref);
          return;
        }
        if (auto d = Permissions::checkOn(action, roleOf(s), e->role)) {
          s->sendError(d->code, d->message, ref);
          return;
        }
        act(target, *e);
      });
}

void Moderation::announce(const Session& actor, const char* action, const std::string& target,
                          const std::function<void(json::Object&)>& extra) {
  json::Object by;
  by.set("participant", actor->participant()).set("name", actor->name());
  json::Object pub;
  pub.set("type", "moderated").set("action", action).set("by", by.get());
  if (!target.empty()) pub.set("participant", target);
  if (extra) extra(pub);
  node_.rooms().broadcast(actor->room(), "", pub.get());
}

void Moderation::auditBy(const Session& actor, const char* action, const std::string& participant,
                         const RoleEntry* target, const std::string& reason) {
  AuditEntry a;
  a.room = actor->room();
  a.actorId = static_cast<uint64_t>(actor->userId());
  a.actorName = actor->name();
  a.action = action;
  a.targetParticipant = participant;
  if (target) {
    a.targetUserId = static_cast<uint64_t>(target->userId);
    a.targetName = target->name;
  }
  a.reason = reason;
  audit(a);
}

void Moderation::onKick(const Session& s, const ClientMessage& m, Role) {
  const Req q{m.type, m.id};
  std::string reason = field(m, "reason");
  withTarget(s, m, Action::Kick, [this, s, q, reason](const std::string& p, const RoleEntry& e) {
    auditBy(s, "kick", p, &e, reason);
    announce(s, "kick", p, [&](json::Object& o) { o.set("reason", reason); });
    json::Object rm;
    rm.set("type", "_mod.remove").set("participant", p).set("action", "kick").set("reason", reason);
    broadcastInternal(s->room(), rm);
    ack(s, q);
  });
}

void Moderation::onBan(const Session& s, const ClientMessage& m, Role) {
  const Req q{m.type, m.id};
  std::string reason = field(m, "reason");
  int64_t minutes = json::getInt(m.object.get(), "minutes").value_or(0);
  withTarget(
      s, m, Action::Ban, [this, s, q, reason, minutes](const std::string& p, const RoleEntry& e) {
        if (!e.userId) {
          s->sendError(mcode::NotAUser, "a guest cannot be banned (kick them instead)", q.id);
          return;
        }
        Ban b;
        b.room = s->room();
        b.userId = static_cast<uint64_t>(e.userId);
        b.reason = reason;
        if (minutes > 0) b.expiresAtMs = nowMs() + minutes * 60000;
        uint64_t by = static_cast<uint64_t>(s->userId());
        auto failed = std::make_shared<std::string>();
        std::weak_ptr<ClientSession> weak = s;
        std::weak_ptr<int> alive = alive_;
        std::string room = s->room();
        db_->run(
            [b, by, failed](MySqlConnection& db) {
              if (!ModerationStore(db).addBan(b, by, failed.get()) && failed->empty()) {
                *failed = "unknown error";
              }
            },
            [this, alive, weak, q, p, e, b, reason, failed, room] {
              auto s = weak.lock();
              if (!alive.lock() || !s) return;
              if (!failed->empty()) {
                g_warning("ban in room %s not stored: %s", room.c_str(), failed->c_str());
                s->sendError(code::Internal, "the ban could not be stored", q.id);
                return;
              }
              int64_t until = b.expiresAtMs.value_or(0);
              auditBy(s, "ban", p, &e, reason);
              announce(s, "ban", p, [&](json::Object& o) {
                o.set("reason", reason);
                if (until) o.set("until", until);
              });
              removeUserFromRoom(room, e.userId, "ban", reason, until);
              ack(s, q);
            });
      });
}

void Moderation::onMuteParticipant(const Session& s, const ClientMessage& m, Role) {
  const Req q{m.type, m.id};
  std::string kind = field(m, "kind");
  bool muted = *json::getBool(m.object.get(), "muted");
  Action action = muted ? Action::MuteOther : Action::UnmuteOther;
  withTarget(s, m, action, [this, s, q, kind, muted](const std::string& p, const RoleEntry& e) {
    const char* name = muted ? "mute" : "allow_unmute";
    auditBy(s, name, p, &e, kind);
    announce(s, name, p, [&](json::Object& o) { o.set("kind", kind).setBool("muted", muted); });
    json::Object mu;
    mu.set("type", "_mod.mute").set("participant", p).set("kind", kind).setBool("muted", muted);
    broadcastInternal(s->room(), mu);
    ack(s, q);
  });
}

void Moderation::onMuteAll(const Session& s, const ClientMessage& m, Role actor) {
  const Req q{m.type, m.id};
  std::string kind = json::getString(m.object.get(), "kind").value_or("audio");
  auditBy(s, "mute_all", "", nullptr, kind);
  announce(s, "mute_all", "", [&](json::Object& o) { o.set("kind", kind).setBool("muted", true); });
  json::Object mu;
  mu.set("type", "_mod.mute")
      .set("participant", "*")
      .set("kind", kind)
      .setBool("muted", true)
      .set("below_rank", Permissions::rank(actor));
  broadcastInternal(s->room(), mu);
  ack(s, q);
}

void Moderation::onStopScreen(const Session& s, const ClientMessage& m, Role) {
  const Req q{m.type, m.id};
  withTarget(s, m, Action::StopScreen, [this, s, q](const std::string& p, const RoleEntry& e) {
    auditBy(s, "stop_screen", p, &e, "");
    announce(s, "stop_screen", p);
    json::Object mu;
    mu.set("type", "_mod.mute")
        .set("participant", p)
        .set("kind", "screen")
        .setBool("muted", true)
        .setBool("stop", true);
    broadcastInternal(s->room(), mu);
    ack(s, q);
  });
}

void Moderation::onLock(const Session& s, const ClientMessage& m, Role) {
  const Req q{m.type, m.id};
  bool on = *json::getBool(m.object.get(), "locked");
  std::string room = s->room();
  std::weak_ptr<ClientSession> weak = s;
  std::weak_ptr<int> alive = alive_;
  auto ok = std::make_shared<bool>(false);
  db_->run(
      [room, on, ok](MySqlConnection& db) {
        std::string why;
        *ok = ModerationStore(db).setLocked(room, on, &why);
      },
      [this, alive, weak, q, on, ok] {
        auto s = weak.lock();
        if (!alive.lock() || !s || s->closed()) return;
        if (!*ok) {
          s->sendError(code::Internal, "the lock could not be stored", q.id);
          return;
        }
        auditBy(s, on ? "lock_room" : "unlock_room", "", nullptr, "");
        announce(s, "lock_room", "", [&](json::Object& o) { o.setBool("locked", on); });
        ack(s, q);
      });
}

void Moderation::onWaitingRoom(const Session& s, const ClientMessage& m, Role) {
  const Req q{m.type, m.id};
  bool on = *json::getBool(m.object.get(), "enabled");
  std::string room = s->room();
  std::weak_ptr<ClientSession> weak = s;
  std::weak_ptr<int> alive = alive_;
  auto ok = std::make_shared<bool>(false);
  db_->run(
      [room, on, ok](MySqlConnection& db) {
        std::string why;
        *ok = ModerationStore(db).setWaitingRoom(room, on, &why);
      },
      [this, alive, weak, q, on, ok] {
        auto s = weak.lock();
        if (!alive.lock() || !s || s->closed()) return;
        if (!*ok) {
          s->sendError(code::Internal, "the waiting room could not be switched", q.id);
          return;
        }
        auditBy(s, on ? "waiting_room_on" : "waiting_room_off", "", nullptr, "");
        announce(s, "waiting_room", "", [&](json::Object& o) { o.setBool("enabled", on); });
        ack(s, q);
      });
}

void Moderation::onAdmit(const Session& s, const ClientMessage& m, Role) {
  const Req q{m.type, m.id};
  std::string p = field(m, "participant");
  bool admit = *json::getBool(m.object.get(), "admit");
  auditBy(s, admit ? "admit" : "refuse", p, nullptr, "");
  json::Object a;
  a.set("type", "_mod.admit").set("participant", p).setBool("admit", admit);
  broadcastInternal(s->room(), a);
  ack(s, q);
}

void Moderation::onCloseRoom(const Session& s, const ClientMessage& m, Role) {
  const Req q{m.type, m.id};
  ack(s, q);
  closeRoom(s->room(), static_cast<uint64_t>(s->userId()), s->name(), field(m, "reason"));
}

void Moderation::onAfkCheck(const Session& s, const ClientMessage& m, Role) {
  const Req q{m.type, m.id};
  withTarget(s, m, Action::AfkCheck, [this, s, q](const std::string& p, const RoleEntry& e) {
    auditBy(s, "afk_check", p, &e, "");
    json::Object a;
    a.set("type", "_mod.afk").set("participant", p);
    broadcastInternal(s->room(), a);
    ack(s, q);
  });
}

void Moderation::onAfkConfirm(const Session& s, const ClientMessage& m, Role) {
  const Req q{m.type, m.id};
  Local* l = local(s);
  if (!l || !l->afk.active()) {
    s->sendError(mcode::NoAfkCheck, "no presence check is waiting for an answer", q.id);
    return;
  }
  l->afk.cancel();
  ack(s, q);
}

void Moderation::onAfkPolicy(const Session& s, const ClientMessage& m, Role) {
  const Req q{m.type, m.id};
  int seconds = static_cast<int>(*json::getInt(m.object.get(), "camera_off_seconds"));
  std::string room = s->room();
  std::weak_ptr<ClientSession> weak = s;
  std::weak_ptr<int> alive = alive_;
  auto ok = std::make_shared<bool>(false);
  db_->run(
      [room, seconds, ok](MySqlConnection& db) {
        std::string why;
        *ok = ModerationStore(db).setAfkCameraOff(room, seconds, &why);
      },
      [this, alive, weak, q, seconds, ok] {
        auto s = weak.lock();
        if (!alive.lock() || !s || s->closed()) return;
        if (!*ok) {
          s->sendError(code::Internal, "the AFK policy could not be stored", q.id);
          return;
        }
        auditBy(s, "afk_policy", "", nullptr,
                seconds ? "camera off for " + std::to_string(seconds) + " s" : "off");
        json::Object p;
        p.set("type", "_mod.policy").set("camera_off_seconds", seconds);
        broadcastInternal(s->room(), p);
        announce(s, "afk_policy", "",
                 [&](json::Object& o) { o.set("camera_off_seconds", seconds); });
        ack(s, q);
      });
}

void Moderation::doPolicy(const std::string& room, JsonObject* msg) {
  afkPolicy_.setLimit(room, static_cast<int>(json::getInt(msg, "camera_off_seconds").value_or(0)));
}

void Moderation::onSelfMute(const Session& s, const std::string& kind, bool muted) {
  if (kind != "video" || !local(s)) return;
  afkPolicy_.cameraOff(s->room(), s->participant(), muted);
}

void Moderation::onCameraOffTooLong(const std::string& room, const std::string& participant,
                                    int seconds) {
  auto s = node_.sessionFor(participant);
  if (!s || s->closed() || s->roomState() != RoomState::InRoom || s->room() != room) return;
  Local* l = local(s);
  if (!l || l->afk.active()) return;
  AuditEntry a;
  a.room = room;
  a.action = "afk_check";
  a.targetUserId = static_cast<uint64_t>(l->userId);
  a.targetParticipant = participant;
  a.targetName = s->name();
  a.reason = "camera off for " + std::to_string(seconds) + " s (room policy)";
  audit(a);
  startAfkCheck(s, room);
}

void Moderation::onSetModerator(const Session& s, const ClientMessage& m, Role) {
  const Req q{m.type, m.id};
  bool on = *json::getBool(m.object.get(), "moderator");
  withTarget(
      s, m, Action::SetModerator, [this, s, q, on](const std::string& p, const RoleEntry& e) {
        if (!e.userId) {
          s->sendError(mcode::NotAUser, "only signed-in participants can be moderators", q.id);
          return;
        }
        std::string room = s->room();
        uint64_t by = static_cast<uint64_t>(s->userId());
        auto ok = std::make_shared<bool>(false);
        std::weak_ptr<ClientSession> weak = s;
        std::weak_ptr<int> alive = alive_;
        db_->run(
            [room, e, on, by, ok](MySqlConnection& db) {
              std::string why;
              *ok = ModerationStore(db).setModerator(room, static_cast<uint64_t>(e.userId), on, by,
                                                     &why);
            },
            [this, alive, weak, q, p, e, on, ok, room] {
              auto s = weak.lock();
              if (!alive.lock() || !s) return;
              if (!*ok) {
                s->sendError(code::Internal, "the role could not be stored", q.id);
                return;
              }
              auditBy(s, on ? "appoint_moderator" : "remove_moderator", p, &e, "");
              changeRole(room, e.userId, on ? Role::Moderator : Role::Member);
              ack(s, q);
            });
      });
}

void Moderation::onTransferOwnership(const Session& s, const ClientMessage& m, Role actor) {
  const Req q{m.type, m.id};
  withTarget(s, m, Action::TransferOwnership,
             [this, s, q, actor](const std::string& p, const RoleEntry& e) {
               if (!e.userId) {
                 s->sendError(mcode::NotAUser, "only a signed-in participant can own a room", q.id);
                 return;
               }
               std::string room = s->room();
               auto ok = std::make_shared<bool>(false);
               std::weak_ptr<ClientSession> weak = s;
               std::weak_ptr<int> alive = alive_;
               db_->run(
                   [room, e, ok](MySqlConnection& db) {
                     std::string why;
                     *ok =
                         ModerationStore(db).setOwner(room, static_cast<uint64_t>(e.userId), &why);
                   },
                   [this, alive, weak, q, p, e, ok, room, actor] {
                     auto s = weak.lock();
                     if (!alive.lock() || !s) return;
                     if (!*ok) {
                       s->sendError(code::Internal, "the new owner could not be stored", q.id);
                       return;
                     }
                     auditBy(s, "transfer_ownership", p, &e, "");
                     if (actor == Role::Owner) changeRole(room, s->userId(), Role::Member);
                     changeRole(room, e.userId, Role::Owner);
                     ack(s, q);
                   });
             });
}

void Moderation::onAuditLog(const Session& s, const ClientMessage& m, Role) {
  const Req q{m.type, m.id};
  std::string room = s->room();
  uint64_t before = static_cast<uint64_t>(json::getInt(m.object.get(), "before").value_or(0));
  int limit = static_cast<int>(json::getInt(m.object.get(), "limit").value_or(50));
  auto rows = std::make_shared<std::optional<std::vector<AuditEntry>>>();
  std::weak_ptr<ClientSession> weak = s;
  std::weak_ptr<int> alive = alive_;
  db_->run(
      [room, before, limit, rows](MySqlConnection& db) {
        std::string why;
        *rows = ModerationStore(db).auditLog(room, before, limit, &why);
      },
      [alive, weak, q, rows] {
        auto s = weak.lock();
        if (!alive.lock() || !s || s->closed()) return;
        if (!*rows) {
          s->sendError(code::Internal, "the audit log could not be read", q.id);
          return;
        }
        JsonArrayPtr list(json_array_new());
        for (const auto& e : **rows)
          json_array_add_object_element(list.get(), auditJson(e).release());
        json::Object r;
        r.set("type", "audit_log").set("entries", list.get());
        if (!q.id.empty()) r.set("ref", q.id);
        s->send(r);
      });
}

}  // namespace carrel::control
