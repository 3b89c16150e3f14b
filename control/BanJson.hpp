// One ban in force as the clients see it, the same on the WebSocket (bans) and in the admin
// API (GET /api/v1/admin/bans).
#pragma once

#include "GPtr.hpp"
#include "ModerationStore.hpp"

namespace carrel::control {

JsonObjectPtr banJson(const Ban& b);

}  // namespace carrel::control
