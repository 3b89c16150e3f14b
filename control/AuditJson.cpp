#include "AuditJson.hpp"

#include "Json.hpp"

namespace carrel::control {

JsonObjectPtr auditJson(const AuditEntry& e) {
  json::Object o;
  o.set("id", static_cast<int64_t>(e.id))
      .set("room", e.room)
      .set("action", e.action)
      .set("reason", e.reason)
      .set("at", e.createdAt);
  json::Object actor;
  actor.set("user", static_cast<int64_t>(e.actorId)).set("name", e.actorName);
  o.set("actor", actor.get());
  json::Object target;
  target.set("user", static_cast<int64_t>(e.targetUserId))
      .set("participant", e.targetParticipant)
      .set("name", e.targetName);
  o.set("target", target.get());
  return o.take();
}

}  // namespace carrel::control
