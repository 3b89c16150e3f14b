// One audit-log row as the clients see it, the same on the WebSocket (audit_log) and in the
// admin API, so that the two cannot drift apart.
#pragma once

#include "GPtr.hpp"
#include "ModerationStore.hpp"

namespace carrel::control {

JsonObjectPtr auditJson(const AuditEntry& e);

}  // namespace carrel::control
