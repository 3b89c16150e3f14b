// The room's AFK policy on one control node: a participant who has kept their own camera off
// for longer than the room's limit is due a presence check (the same check a moderator sends).
// Only the participants this node holds are timed; the limit itself lives in MariaDB
// (room_moderation.afk_camera_off_seconds) and reaches every node by a room broadcast.
#pragma once

#include <glib.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "GPtr.hpp"

namespace carrel::control {

class AfkPolicy {
 public:
  // The participant's camera has been off for the room's limit (seconds).
  using DueFn =
      std::function<void(const std::string& room, const std::string& participant, int seconds)>;
  static constexpr int kMaxSeconds = 24 * 3600;

  explicit AfkPolicy(DueFn due) : due_(std::move(due)) {}
  AfkPolicy(const AfkPolicy&) = delete;
  AfkPolicy& operator=(const AfkPolicy&) = delete;

  // A new limit (0: none) for the room; cameras already off count from when they went off.
  void setLimit(const std::string& room, int seconds);
  int limit(const std::string& room) const;
  void cameraOff(const std::string& room, const std::string& participant, bool off);
  // The participant left (or was removed): nothing more is timed for it.
  void forget(const std::string& participant);

 private:
  struct Off {
    std::string room;
    int64_t sinceMs = 0;
    TimeoutSource timer;
  };
  void arm(const std::string& participant, Off& off);

  DueFn due_;
  std::map<std::string, int> limits_;                // room -> seconds
  std::map<std::string, std::unique_ptr<Off>> off_;  // participant -> camera off since
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace carrel::control
