#include "LobbyRoutes.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "Json.hpp"
#include "Rest.hpp"
#include "RoomStore.hpp"

namespace carrel::control {

namespace {

constexpr const char* kUsersPrefix = "/api/v1/users/";

struct PublicRoom {
  std::string title;
  std::string category;
};

// The public rooms among ids, with their titles (runs on the DB thread).
std::optional<std::map<std::string, PublicRoom>> publicRooms(MySqlConnection& db,
                                                             const std::set<std::string>& ids) {
  std::map<std::string, PublicRoom> out;
  RoomStore store(db);
  for (const auto& id : ids) {
    Room r;
    std::string err;
    StoreResult got = store.get(id, &r, &err);
    if (got == StoreResult::Failed) {
      g_warning("lobby: room %s: %s", id.c_str(), err.c_str());
      return std::nullopt;
    }
    if (got == StoreResult::Ok && !r.isPrivate) out[id] = PublicRoom{r.title, r.category};
  }
  return out;
}

}  // namespace

void LobbyRoutes::install(SoupServer* server) {
  soup_server_add_handler(
      server, "/api/v1/lobby",
      [](SoupServer*, SoupServerMessage* msg, const char* path, GHashTable*, gpointer self) {
        if (g_strcmp0(path, "/api/v1/lobby") != 0)
          return Rest::fail(msg, "not_found", "no such route");
        static_cast<LobbyRoutes*>(self)->lobby(msg);
      },
      this, nullptr);
  soup_server_add_handler(
      server, kUsersPrefix,
      [](SoupServer*, SoupServerMessage* msg, const char* path, GHashTable*, gpointer self) {
        static_cast<LobbyRoutes*>(self)->presence(msg, path ? path : "");
      },
      this, nullptr);
}

void LobbyRoutes::lobby(SoupServerMessage* msg) {
  if (!Rest::isMethod(msg, "GET")) return Rest::fail(msg, "method_not_allowed", "use GET");
  Rest::later(msg, [&](Rest::Finish finish) {
    roster_.allSeats([this, finish](std::optional<std::vector<Seat>> seats) {
      if (!seats) {
        return finish(
            [](SoupServerMessage* m) { Rest::fail(m, "unavailable", "Redis is not reachable"); });
      }
      auto all = std::make_shared<std::vector<Seat>>(std::move(*seats));
      std::set<std::string> ids;
      for (const auto& s : *all) ids.insert(s.room);
      auto rooms = std::make_shared<std::optional<std::map<std::string, PublicRoom>>>();
      auto down = std::make_shared<bool>(false);
      worker_.run(
          [ids, rooms, down](MySqlConnection& db) {
            *rooms = publicRooms(db, ids);
            *down = db.unavailable();
          },
          [all, rooms, down, finish] {
            finish([all, rooms, down](SoupServerMessage* m) {
              if (!*rooms) return Rest::failStorage(m, *down, "the rooms could not be read");
              std::map<std::string, std::vector<const Seat*>> byRoom;
              for (const auto& s : *all) {
                if ((*rooms)->count(s.room)) byRoom[s.room].push_back(&s);
              }
              std::vector<std::pair<std::string, std::vector<const Seat*>>> order(byRoom.begin(),
                                                                                  byRoom.end());
              std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
                return a.second.size() > b.second.size();
              });
              JsonArrayPtr list(json_array_new());
              int64_t studying = 0;
              for (auto& [id, people] : order) {
                std::sort(people.begin(), people.end(),
                          [](const Seat* a, const Seat* b) { return a->since < b->since; });
                JsonArrayPtr ps(json_array_new());
                for (const Seat* s : people) {
                  json::Object p;
                  p.set("participant", s->participant).set("name", s->name).set("since", s->since);
                  if (s->user) {
                    p.set("user", s->user);
                  } else {
                    p.setNull("user");
                  }
                  json_array_add_object_element(ps.get(), p.take().release());
                }
                studying += static_cast<int64_t>(people.size());
                const PublicRoom& r = (*rooms)->at(id);
                json::Object o;
                o.set("id", id).set("title", r.title).set("category", r.category);
                o.set("participants", ps.get());
                json_array_add_object_element(list.get(), o.take().release());
              }
              json::Object out;
              out.set("rooms", list.get()).set("studying", studying);
              Rest::reply(m, SOUP_STATUS_OK, out.str());
            });
          });
    });
  });
}

void LobbyRoutes::presence(SoupServerMessage* msg, const std::string& path) {
  std::string rest = path.substr(std::string(kUsersPrefix).size());
  size_t slash = rest.find('/');
  std::string id = rest.substr(0, slash);
  bool digits = !id.empty() && id.size() <= 18 &&
                std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (slash == std::string::npos || rest.substr(slash) != "/presence" || !digits) {
    return Rest::fail(msg, "not_found", "no such route");
  }
  if (!Rest::isMethod(msg, "GET")) return Rest::fail(msg, "method_not_allowed", "use GET");
  int64_t user = g_ascii_strtoll(id.c_str(), nullptr, 10);
  std::string token = Rest::bearer(msg);
  Rest::later(msg, [&](Rest::Finish finish) {
    auth_.authenticate(token, [this, user, finish](const AuthResult& a) {
      if (!a.code.empty()) {
        return finish([a](SoupServerMessage* m) { Rest::fail(m, a.code, a.message); });
      }
      presence_.get(user, [this, user, finish](std::optional<PresenceInfo> p) {
        if (!p) {
          return finish(
              [](SoupServerMessage* m) { Rest::fail(m, "unavailable", "Redis is not reachable"); });
        }
        auto info = std::make_shared<PresenceInfo>(*p);
        auto visible = std::make_shared<bool>(false);
        std::string room = info->room;
        worker_.run(
            [room, visible](MySqlConnection& db) {
              if (room.empty()) return;
              auto rooms = publicRooms(db, {room});
              *visible = rooms && rooms->count(room);
            },
            [info, visible, user, finish] {
              finish([info, visible, user](SoupServerMessage* m) {
                json::Object o;
                o.set("user", user).setBool("online", info->online);
                if (info->online) {
                  o.set("online_since", info->onlineSince);
                } else {
                  o.setNull("online_since");
                }
                if (info->online && !info->room.empty() && *visible) {
                  o.set("room", info->room).set("since", info->since);
                } else {
                  o.setNull("room").setNull("since");
                }
                // In a room others may not see: busy, but not where.
                o.setBool("in_room", info->online && !info->room.empty());
                Rest::reply(m, SOUP_STATUS_OK, o.str());
              });
            });
      });
    });
  });
}

}  // namespace carrel::control
