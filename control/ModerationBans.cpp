// Moderation's room-level bans seen from inside the room: the list of those in force, and
// lifting them (a ban's banned user is not in the room, so these go by user id, not by
// participant). The same permission as a ban.
#include "BanJson.hpp"
#include "ClientErrors.hpp"
#include "ControlNode.hpp"
#include "Moderation.hpp"
#include "ModerationErrors.hpp"

namespace carrel::control {

namespace {

int64_t nowMs() {
  return g_get_real_time() / 1000;
}

}  // namespace

void Moderation::onListBans(const Session& s, const ClientMessage& m, Role) {
  const Req q{m.type, m.id};
  std::string room = s->room();
  auto bans = std::make_shared<std::optional<std::vector<Ban>>>();
  auto down = std::make_shared<bool>(false);
  std::weak_ptr<ClientSession> weak = s;
  std::weak_ptr<int> alive = alive_;
  db_->run(
      [room, bans, down](MySqlConnection& db) {
        std::string why;
        *bans = ModerationStore(db).bansInForce(room, nowMs(), &why);
        *down = db.unavailable();
      },
      [alive, weak, q, bans, down] {
        auto s = weak.lock();
        if (!alive.lock() || !s || s->closed()) return;
        if (!*bans) {
          s->sendError(*down ? code::StorageUnavailable : code::Internal,
                       "the bans could not be read", q.id);
          return;
        }
        JsonArrayPtr list(json_array_new());
        for (const auto& b : **bans)
          json_array_add_object_element(list.get(), banJson(b).release());
        json::Object r;
        r.set("type", "bans").set("bans", list.get());
        if (!q.id.empty()) r.set("ref", q.id);
        s->send(r);
      });
}

void Moderation::onUnban(const Session& s, const ClientMessage& m, Role) {
  const Req q{m.type, m.id};
  std::string room = s->room();
  auto user = static_cast<uint64_t>(*json::getInt(m.object.get(), "user"));
  struct Result {
    std::optional<uint64_t> lifted;
    std::string name;
    bool down = false;
  };
  auto r = std::make_shared<Result>();
  std::weak_ptr<ClientSession> weak = s;
  std::weak_ptr<int> alive = alive_;
  db_->run(
      [room, user, r](MySqlConnection& db) {
        std::string why;
        // The name first (for the audit row): a read, so a lost connection may run it again.
        auto rows =
            db.query("SELECT display_name FROM users WHERE id = ?", {std::to_string(user)}, &why);
        if (rows && !rows->empty() && (*rows)[0][0]) r->name = *(*rows)[0][0];
        if (rows) r->lifted = ModerationStore(db).liftBans(room, user, nowMs(), &why);
        if (!r->lifted) g_warning("unban in room %s: %s", room.c_str(), why.c_str());
        r->down = db.unavailable();
      },
      [this, alive, weak, q, user, r] {
        auto s = weak.lock();
        if (!alive.lock() || !s || s->closed()) return;
        if (!r->lifted) {
          s->sendError(r->down ? code::StorageUnavailable : code::Internal,
                       "the ban could not be lifted", q.id);
          return;
        }
        if (*r->lifted == 0) {
          s->sendError(mcode::NotBanned, "that user has no ban in force in this room", q.id);
          return;
        }
        RoleEntry target;
        target.userId = static_cast<int64_t>(user);
        target.name = r->name;
        auditBy(s, "unban", "", &target, "");
        announce(s, "unban", "", [&](json::Object& o) {
          o.set("user", static_cast<int64_t>(user)).set("name", r->name);
        });
        ack(s, q);
      });
}

}  // namespace carrel::control
