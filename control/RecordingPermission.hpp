// Who may do what with recordings. A room's moderators may start and stop recording (the role
// comes from Moderation, which read it from RoomRoles); managing a finished recording stays
// with the owner, an admin and whoever started it. Pure, unit-tested.
#pragma once

#include <cstdint>

namespace carrel::control {

struct RecordingActor {
  uint64_t userId = 0;  // 0: a guest
  bool admin = false;
  bool moderator = false;  // a moderator of the room in question (start/stop only)
};

struct RecordingRoom {
  uint64_t ownerId = 0;  // 0: the room has no owner (made by a join before accounts)
  bool isPrivate = false;
};

class RecordingPermission {
 public:
  // Start and stop recording a room: its owner, one of its moderators or an admin.
  static bool mayRecord(const RecordingActor& a, const RecordingRoom& r);
  // Delete, share, render again: the room's owner, an admin, or who started the recording.
  static bool mayManage(const RecordingActor& a, const RecordingRoom& r, uint64_t startedBy);
  // List and watch: a signed-in user for a public room; for a private one only who may manage.
  static bool mayWatch(const RecordingActor& a, const RecordingRoom& r, uint64_t startedBy);
};

}  // namespace carrel::control
