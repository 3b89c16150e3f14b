#include "RecordingPermission.hpp"

namespace carrel::control {

bool RecordingPermission::mayRecord(const RecordingActor& a, const RecordingRoom& r) {
  if (a.admin || a.moderator) return true;
  return a.userId != 0 && a.userId == r.ownerId;
}

bool RecordingPermission::mayManage(const RecordingActor& a, const RecordingRoom& r,
                                    uint64_t startedBy) {
  if (a.admin || (a.userId != 0 && a.userId == r.ownerId)) return true;
  return a.userId != 0 && a.userId == startedBy;
}

bool RecordingPermission::mayWatch(const RecordingActor& a, const RecordingRoom& r,
                                   uint64_t startedBy) {
  if (mayManage(a, r, startedBy)) return true;
  return a.userId != 0 && !r.isPrivate;
}

}  // namespace carrel::control
