// Moderation's internal room events ("_mod.*"), carried out on the node that holds the
// target: removing a session, muting its tracks in the SFU, the AFK check and its timeout,
// the waiting room's answers and knocks, role changes and closing the room. The third part
// of Moderation (after its hooks in Moderation.cpp and the client messages in
// ModerationActions.cpp).
#include "BusProtocol.hpp"
#include "ClientErrors.hpp"
#include "ControlNode.hpp"
#include "Moderation.hpp"
#include "ModerationErrors.hpp"

namespace carrel::control {

namespace {

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

}  // namespace

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
    // A camera a moderator turned off stops camera study counting as the owner's own would.
    node_.mediaChanged(
        s, muted ? ControlNode::MediaEvent::ForceMuted : ControlNode::MediaEvent::ForceUnmuted, "",
        kind);
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
    // Back through the join gate, as if joining now: a ban made while they waited (in this
    // room, or everywhere by an admin) still holds, and the role and flags are current.
    gate(s, room, w->ref, std::move(w->proceed), true);
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

}  // namespace carrel::control
