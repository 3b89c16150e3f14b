#include "BanJson.hpp"

#include "Json.hpp"

namespace carrel::control {

JsonObjectPtr banJson(const Ban& b) {
  json::Object o;
  o.set("id", static_cast<int64_t>(b.id))
      .set("user", static_cast<int64_t>(b.userId))
      .set("name", b.userName);
  if (b.room.empty()) {
    o.setNull("room");
  } else {
    o.set("room", b.room);
  }
  o.set("reason", b.reason);
  if (b.expiresAtMs) {
    o.set("until", *b.expiresAtMs);
  } else {
    o.setNull("until");
  }
  return o.take();
}

}  // namespace carrel::control
