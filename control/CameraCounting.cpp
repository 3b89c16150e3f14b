#include "CameraCounting.hpp"

#include "ClientErrors.hpp"
#include "Json.hpp"
#include "ModerationErrors.hpp"
#include "RoomRoles.hpp"
#include "RoomStore.hpp"
#include "RoomTimers.hpp"
#include "StudyLedger.hpp"

namespace carrel::control {

namespace {

int64_t nowMs() {
  return g_get_real_time() / 1000;
}

}  // namespace

CameraCounting::CameraCounting(ControlNode& node, DbWorker& worker, StudyTracker& tracker,
                               Reply reply)
    : node_(node), worker_(worker), tracker_(tracker), reply_(std::move(reply)) {}

CameraCounting::~CameraCounting() {
  alive_.reset();
}

void CameraCounting::modeMessage(const std::string& room, const std::string& mode,
                                 const char* cause, json::Object* out) const {
  out->set("type", "study_mode").set("room", room).set("mode", mode).set("cause", cause);
}

void CameraCounting::onMode(const Session& s, const ClientMessage& m) {
  // Who may: admin, the room's owner (MariaDB), or a moderator (Redis), as for the timer.
  std::weak_ptr<ClientSession> weak = s;
  std::string room = s->room();
  std::string participant = s->participant();
  std::string ref = m.id;
  std::string mode = *json::getString(m.object.get(), "mode");
  auto owner = std::make_shared<int64_t>(0);
  std::weak_ptr<int> alive = alive_;
  worker_.run(
      [room, owner](MySqlConnection& db) {
        Room r;
        std::string why;
        if (RoomStore(db).get(room, &r, &why) == StoreResult::Ok) {
          *owner = static_cast<int64_t>(r.ownerId);
        }
      },
      [this, alive, weak, room, participant, owner, mode, ref] {
        if (!alive.lock()) return;
        RoomRoles(node_.redis())
            .get(room, participant,
                 [this, alive, weak, owner, mode, ref](bool, std::optional<RoleEntry> e) {
                   auto s = weak.lock();
                   if (!alive.lock() || !s || s->closed()) return;
                   std::optional<Role> role;
                   if (e) role = e->role;
                   if (!RoomTimers::mayControl(s->isAdmin(), s->userId(), *owner, role)) {
                     return s->sendError(
                         mcode::Forbidden,
                         "only the room's owner or a moderator sets how the room counts", ref);
                   }
                   setMode(s, mode, ref);
                 });
      });
}

void CameraCounting::setMode(const Session& s, const std::string& mode, const std::string& ref) {
  std::string room = s->room();
  std::weak_ptr<ClientSession> weak = s;
  auto ok = std::make_shared<bool>(false);
  auto down = std::make_shared<bool>(false);
  std::weak_ptr<int> alive = alive_;
  worker_.run(
      [room, mode, ok, down](MySqlConnection& db) {
        std::string why;
        *ok = StudyLedger(db).setRoomMode(room, mode, &why);
        if (!*ok) g_warning("study mode of room %s: %s", room.c_str(), why.c_str());
        *down = db.unavailable();
      },
      [this, alive, weak, room, mode, ref, ok, down] {
        if (!alive.lock()) return;
        if (!*ok) {
          if (auto s = weak.lock(); s && !s->closed()) {
            s->sendError(*down ? code::StorageUnavailable : code::Internal,
                         "the room's study mode could not be saved", ref);
          }
          return;
        }
        json::Object m;
        modeMessage(room, mode, "set", &m);
        node_.rooms().broadcast(room, "", m.get());
        g_message("study: room %s now counts %s", room.c_str(),
                  mode == "camera" ? "while the camera is on" : "by start and stop");
        // This node's members follow at once; those of other nodes at their next camera change.
        if (mode == "camera") {
          for (const std::string& p : watch_.participantsOn()) {
            auto member = node_.sessionFor(p);
            if (member && member->room() == room) cameraOn(member);
          }
          return;
        }
        std::set<std::string> counting = counting_;
        for (const std::string& p : counting) {
          auto member = node_.sessionFor(p);
          if (member && member->room() == room) closeNow(p, nowMs());
        }
      });
}

void CameraCounting::onEnter(const Session& s) {
  std::weak_ptr<ClientSession> weak = s;
  std::string room = s->room();
  auto mode = std::make_shared<std::optional<std::string>>();
  worker_.run(
      [room, mode](MySqlConnection& db) {
        std::string why;
        *mode = StudyLedger(db).roomMode(room, &why);
      },
      [this, weak, room, mode, alive = std::weak_ptr<int>(alive_)] {
        auto s = weak.lock();
        if (!alive.lock() || !*mode || !s || s->closed() || s->room() != room) return;
        json::Object m;
        modeMessage(room, **mode, "sync", &m);
        s->send(m);
      });
}

void CameraCounting::onMedia(const Session& s, ControlNode::MediaEvent e, const std::string& track,
                             const std::string& kind) {
  const std::string& p = s->participant();
  std::optional<bool> change;
  switch (e) {
    case ControlNode::MediaEvent::Published:
      change = watch_.published(p, track, kind);
      break;
    case ControlNode::MediaEvent::Ended:
      change = watch_.ended(p, track);
      break;
    case ControlNode::MediaEvent::Muted:
    case ControlNode::MediaEvent::Unmuted:
      if (kind == "video") change = watch_.muted(p, e == ControlNode::MediaEvent::Muted);
      break;
    case ControlNode::MediaEvent::ForceMuted:
    case ControlNode::MediaEvent::ForceUnmuted:
      if (kind == "video") {
        change = watch_.forceMuted(p, e == ControlNode::MediaEvent::ForceMuted);
      }
      break;
  }
  if (!change) return;
  if (!*change) {
    if (counting_.count(p)) cameraOff(s, nowMs());
    return;
  }
  // Back within the settle time: the interval goes on unbroken.
  if (pending_.erase(p) && counting_.count(p) && tracker_.heldBy(p)) return;
  cameraOn(s);
}

void CameraCounting::cameraOn(const Session& s) {
  if (s->userId() == 0) return;  // a guest's time is nobody's
  std::weak_ptr<ClientSession> weak = s;
  std::string room = s->room();
  auto mode = std::make_shared<std::optional<std::string>>();
  std::weak_ptr<int> alive = alive_;
  worker_.run(
      [room, mode](MySqlConnection& db) {
        std::string why;
        *mode = StudyLedger(db).roomMode(room, &why);
        if (!*mode) g_warning("study mode of room %s: %s", room.c_str(), why.c_str());
      },
      [this, alive, weak, room, mode] {
        auto s = weak.lock();
        if (!alive.lock() || !s || s->closed() || s->room() != room) return;
        if (*mode != "camera" || !watch_.on(s->participant())) return;
        StudyTracker::Done told = reply_(s, "", true);
        std::string p = s->participant();
        tracker_.start(s->userId(), room, p, [this, alive, p, told](const StudyTracker::Result& r) {
          if (!alive.lock()) return;
          if (r.code) {  // e.g. another device counts: nothing to tell
            g_message("study: %s's camera is on but it does not count: %s", p.c_str(),
                      r.message.c_str());
            return;
          }
          counting_.insert(p);
          told(r);
          // The camera went off while the start was under way.
          if (!watch_.on(p)) {
            if (auto s = node_.sessionFor(p)) cameraOff(s, nowMs());
          }
        });
      });
}

void CameraCounting::cameraOff(const Session& s, int64_t offAtMs) {
  std::string p = s->participant();
  auto pending = std::make_unique<Pending>();
  pending->offAtMs = offAtMs;
  struct Call {
    CameraCounting* self;
    std::string participant;
  };
  pending->timer.reset(g_timeout_add_full(
      G_PRIORITY_DEFAULT, kSettleMs,
      [](gpointer data) -> gboolean {
        auto* c = static_cast<Call*>(data);
        auto it = c->self->pending_.find(c->participant);
        if (it != c->self->pending_.end()) {
          it->second->timer.release();  // this source ends by returning G_SOURCE_REMOVE
          c->self->closeNow(c->participant, it->second->offAtMs);
        }
        return G_SOURCE_REMOVE;
      },
      new Call{this, p}, [](gpointer data) { delete static_cast<Call*>(data); }));
  pending_[p] = std::move(pending);
}

void CameraCounting::closeNow(const std::string& participant, int64_t endMs) {
  pending_.erase(participant);
  counting_.erase(participant);
  const OpenInterval* held = tracker_.heldBy(participant);
  if (!held) return;  // stopped by hand meanwhile
  auto s = node_.sessionFor(participant);
  StudyTracker::Done told = s ? reply_(s, "", false) : StudyTracker::Done{};
  tracker_.stop(
      held->userId, participant, "camera_off",
      [told](const StudyTracker::Result& r) {
        if (told) told(r);
      },
      endMs);
}

void CameraCounting::onLeave(const std::string& participant) {
  // A camera already off stopped counting when it went off, not now.
  if (auto it = pending_.find(participant); it != pending_.end()) {
    closeNow(participant, it->second->offAtMs);
  }
  watch_.forget(participant);
  counting_.erase(participant);
}

}  // namespace carrel::control
