#include "AfkPolicy.hpp"

#include <algorithm>

namespace carrel::control {

namespace {

int64_t nowMs() {
  return g_get_monotonic_time() / 1000;
}

}  // namespace

void AfkPolicy::setLimit(const std::string& room, int seconds) {
  seconds = std::clamp(seconds, 0, kMaxSeconds);
  if (seconds == 0) {
    limits_.erase(room);
  } else {
    limits_[room] = seconds;
  }
  for (auto& [p, off] : off_) {
    if (off->room == room) arm(p, *off);
  }
}

int AfkPolicy::limit(const std::string& room) const {
  auto it = limits_.find(room);
  return it == limits_.end() ? 0 : it->second;
}

void AfkPolicy::cameraOff(const std::string& room, const std::string& participant, bool off) {
  if (!off) {
    off_.erase(participant);
    return;
  }
  auto& entry = off_[participant];
  // A repeated "off" keeps the first moment: the camera has been off since then.
  if (entry && entry->room == room) return;
  entry = std::make_unique<Off>();
  entry->room = room;
  entry->sinceMs = nowMs();
  arm(participant, *entry);
}

void AfkPolicy::forget(const std::string& participant) {
  off_.erase(participant);
}

void AfkPolicy::arm(const std::string& participant, Off& off) {
  off.timer.cancel();
  int seconds = limit(off.room);
  if (seconds == 0) return;
  int64_t left = std::max<int64_t>(0, int64_t(seconds) * 1000 - (nowMs() - off.sinceMs));
  struct Ctx {
    AfkPolicy* self;
    std::weak_ptr<int> alive;
    std::string participant;
  };
  off.timer.reset(g_timeout_add_full(
      G_PRIORITY_DEFAULT, static_cast<guint>(left),
      [](gpointer data) -> gboolean {
        auto* c = static_cast<Ctx*>(data);
        if (!c->alive.lock()) return G_SOURCE_REMOVE;
        auto it = c->self->off_.find(c->participant);
        if (it == c->self->off_.end()) return G_SOURCE_REMOVE;
        it->second->timer.release();
        // Counted afresh: a participant who stays away with the camera off is asked again
        // after another full period (if the check was answered).
        it->second->sinceMs = nowMs();
        std::string room = it->second->room;
        int seconds = c->self->limit(room);
        c->self->arm(c->participant, *it->second);
        c->self->due_(room, c->participant, seconds);
        return G_SOURCE_REMOVE;
      },
      new Ctx{this, alive_, participant}, [](gpointer data) { delete static_cast<Ctx*>(data); }));
}

}  // namespace carrel::control
