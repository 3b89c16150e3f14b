#include "RoomRoutes.hpp"

#include <array>
#include <cstring>
#include <memory>

#include "AccessTokens.hpp"
#include "BusProtocol.hpp"
#include "Json.hpp"
#include "PasswordHasher.hpp"
#include "RecordingStore.hpp"

namespace carrel::control {

namespace {

constexpr const char* kPrefix = "/api/v1/rooms";

constexpr std::array kCreate{Field{"id", FieldType::String, false, 1, 64},
                             Field{"title", FieldType::String, true, 1, 200},
                             Field{"description", FieldType::String, false, 0, 2000},
                             Field{"category", FieldType::String, false, 0, 32},
                             Field{"tags", FieldType::Array, false, 0, 10},
                             Field{"private", FieldType::Bool, false},
                             Field{"password", FieldType::String, false, 8, 128},
                             Field{"capacity", FieldType::Int, false, 1, 500}};
// The same fields, all optional; an empty password removes it.
constexpr std::array kChange{Field{"title", FieldType::String, false, 1, 200},
                             Field{"description", FieldType::String, false, 0, 2000},
                             Field{"category", FieldType::String, false, 0, 32},
                             Field{"tags", FieldType::Array, false, 0, 10},
                             Field{"private", FieldType::Bool, false},
                             Field{"password", FieldType::String, false, 0, 128},
                             Field{"capacity", FieldType::Int, false, 1, 500}};

bool validRoomId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-')) {
      return false;
    }
  }
  return true;
}

// Tags must be strings; returns false (and answers) otherwise.
bool readTags(SoupServerMessage* msg, JsonObject* o, std::vector<std::string>* out) {
  JsonArray* arr = json::getArray(o, "tags");
  if (!arr) return true;
  for (guint i = 0; i < json_array_get_length(arr); ++i) {
    JsonNode* n = json_array_get_element(arr, i);
    if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING ||
        std::strlen(json_node_get_string(n)) > 32) {
      Rest::fail(msg, "invalid_field", "tags must be strings of at most 32 bytes");
      return false;
    }
    out->push_back(json_node_get_string(n));
  }
  return true;
}

JsonObjectPtr roomJson(const Room& r, bool forOwner) {
  json::Object o;
  JsonArrayPtr tags(json_array_new());
  for (const auto& t : r.tags) json_array_add_string_element(tags.get(), t.c_str());
  o.set("id", r.id)
      .set("title", r.title)
      .set("description", r.description)
      .set("category", r.category)
      .set("tags", tags.get())
      .setBool("private", r.isPrivate)
      .setBool("password", r.hasPassword)
      .set("capacity", r.capacity)
      .set("created_at", r.createdAt);
  if (r.ownerId) {
    json::Object owner;
    owner.set("id", static_cast<int64_t>(r.ownerId)).set("display_name", r.ownerName);
    o.set("owner", owner.get());
  } else {
    o.setNull("owner");
  }
  if (forOwner && !r.inviteCode.empty()) o.set("invite_code", r.inviteCode);
  return o.take();
}

bool mayChange(const User& u, const Room& r) {
  return u.admin || (u.id && u.id == r.ownerId);
}

const char* param(GHashTable* query, const char* name) {
  return query ? static_cast<const char*>(g_hash_table_lookup(query, name)) : nullptr;
}

bool intParam(GHashTable* query, const char* name, int lo, int hi, int* out) {
  const char* v = param(query, name);
  if (!v) return true;
  char* end = nullptr;
  long n = std::strtol(v, &end, 10);
  if (!*v || *end || n < lo || n > hi) return false;
  *out = static_cast<int>(n);
  return true;
}

// Inside the caller's transaction; returns the error code, empty when the room was written.
std::string applyChange(RoomStore& store, const std::string& id, const User& u, JsonObject* p,
                        const std::vector<std::string>& tags, bool hasTags, Room* room) {
  std::string err;
  StoreResult r = store.lockForUpdate(id, &err);
  if (r == StoreResult::Ok) r = store.get(id, room, &err);
  if (r != StoreResult::Ok) return r == StoreResult::NotFound ? "not_found" : "internal";
  if (!mayChange(u, *room)) return room->isPrivate ? "not_found" : "forbidden";
  room->title = json::getString(p, "title").value_or(room->title);
  room->description = json::getString(p, "description").value_or(room->description);
  room->category = json::getString(p, "category").value_or(room->category);
  room->isPrivate = json::getBool(p, "private").value_or(room->isPrivate);
  room->capacity = static_cast<int>(json::getInt(p, "capacity").value_or(room->capacity));
  room->tags = RoomStore::normalizeTags(room->title, hasTags ? tags : room->tags);
  std::optional<std::string> hash;
  if (auto pw = json::getString(p, "password")) {
    if (!pw->empty() && pw->size() < 8) return "invalid_field";
    hash = pw->empty() ? "" : PasswordHasher().hash(*pw);
  }
  return store.update(*room, hash, &err) == StoreResult::Ok ? "" : "internal";
}

}  // namespace

void RoomRoutes::install(SoupServer* server) {
  soup_server_add_handler(
      server, kPrefix,
      [](SoupServer*, SoupServerMessage* msg, const char* path, GHashTable* query, gpointer self) {
        static_cast<RoomRoutes*>(self)->route(msg, path ? path : "", query);
      },
      this, nullptr);
}

void RoomRoutes::route(SoupServerMessage* msg, const std::string& path, GHashTable* query) {
  std::string rest = path.substr(std::string(kPrefix).size());
  if (rest.empty() || rest == "/") {
    if (Rest::isMethod(msg, "GET")) return list(msg, query);
    if (Rest::isMethod(msg, "POST")) return create(msg);
    return Rest::fail(msg, "method_not_allowed", "use GET or POST");
  }
  std::string id = rest.substr(1);
  if (rest[0] != '/' || !validRoomId(id)) return Rest::fail(msg, "not_found", "no such room");
  if (Rest::isMethod(msg, "GET")) return show(msg, id);
  if (Rest::isMethod(msg, "PATCH")) return change(msg, id);
  if (Rest::isMethod(msg, "DELETE")) return remove(msg, id);
  Rest::fail(msg, "method_not_allowed", "use GET, PATCH or DELETE");
}

void RoomRoutes::withUser(SoupServerMessage* msg, bool required,
                          std::function<void(const User&, Rest::Finish)> then) {
  std::string token = Rest::bearer(msg);
  Rest::later(msg, [&](Rest::Finish finish) {
    if (token.empty() && !required) return then(User{}, finish);
    auth_.authenticate(token, [finish, then](const AuthResult& r) {
      if (!r.code.empty()) {
        return finish([r](SoupServerMessage* m) { Rest::fail(m, r.code, r.message); });
      }
      then(r.user, finish);
    });
  });
}

void RoomRoutes::create(SoupServerMessage* msg) {
  JsonObjectPtr o = Rest::body(msg, kCreate);
  if (!o) return;
  auto room = std::make_shared<Room>();
  room->id =
      json::getString(o.get(), "id").value_or("r" + AccessTokens::newSessionId().substr(0, 15));
  if (!validRoomId(room->id)) {
    return Rest::fail(msg, "invalid_field", "id may hold only A-Z a-z 0-9 _ -");
  }
  std::vector<std::string> tags;
  if (!readTags(msg, o.get(), &tags)) return;
  room->title = *json::getString(o.get(), "title");
  room->description = json::getString(o.get(), "description").value_or("");
  room->category = json::getString(o.get(), "category").value_or("");
  room->tags = RoomStore::normalizeTags(room->title, tags);
  room->isPrivate = json::getBool(o.get(), "private").value_or(false);
  room->capacity = static_cast<int>(json::getInt(o.get(), "capacity").value_or(50));
  std::string password = json::getString(o.get(), "password").value_or("");
  // A private room is reached by its invite link (or its password, when it has one).
  if (room->isPrivate) room->inviteCode = AccessTokens::newSessionId();
  withUser(msg, true, [this, room, password](const User& u, Rest::Finish finish) {
    room->ownerId = u.id;
    room->ownerName = u.displayName;
    auto result = std::make_shared<StoreResult>(StoreResult::Failed);
    auto down = std::make_shared<bool>(false);
    worker_.run(
        [room, password, result, down](MySqlConnection& db) {
          std::string hash = password.empty() ? "" : PasswordHasher().hash(password);
          std::string err;
          *result = RoomStore(db).create(*room, hash, &err);
          if (*result == StoreResult::Ok) RoomStore(db).get(room->id, room.get(), &err);
          if (*result == StoreResult::Failed) g_warning("room create: %s", err.c_str());
          *down = db.unavailable();
        },
        [room, result, down, finish] {
          finish([room, result, down](SoupServerMessage* m) {
            if (*result == StoreResult::Conflict) {
              return Rest::fail(m, "room_exists", "a room with the id '" + room->id + "' exists");
            }
            if (*result != StoreResult::Ok) return Rest::failStorage(m, *down, "could not create");
            json::Object out;
            out.set("room", roomJson(*room, true).get());
            Rest::reply(m, SOUP_STATUS_CREATED, out.str());
          });
        });
  });
}

void RoomRoutes::list(SoupServerMessage* msg, GHashTable* query) {
  RoomQuery q;
  auto text = [&](const char* name, size_t max, std::string* out) {
    const char* v = param(query, name);
    if (!v) return true;
    if (std::strlen(v) > max || !g_utf8_validate(v, -1, nullptr)) return false;
    *out = v;
    return true;
  };
  if (!text("q", 100, &q.text) || !text("tag", 32, &q.tag) || !text("category", 32, &q.category) ||
      !intParam(query, "limit", 1, 50, &q.limit) ||
      !intParam(query, "offset", 0, 100000, &q.offset)) {
    return Rest::fail(msg, "invalid_field",
                      "q <= 100 bytes, tag and category <= 32, limit 1..50, offset 0..100000");
  }
  if (!q.tag.empty() && q.tag[0] == '#') q.tag.erase(0, 1);
  withUser(msg, false, [this, q](const User& u, Rest::Finish finish) mutable {
    q.viewer = u.id;
    auto rooms = std::make_shared<std::optional<std::vector<Room>>>();
    auto down = std::make_shared<bool>(false);
    worker_.run(
        [q, rooms, down](MySqlConnection& db) {
          std::string err;
          *rooms = RoomStore(db).search(q, &err);
          if (!*rooms) g_warning("room search: %s", err.c_str());
          *down = db.unavailable();
        },
        [this, rooms, down, finish, q, viewer = u] {
          if (!*rooms) {
            return finish(
                [down](SoupServerMessage* m) { Rest::failStorage(m, *down, "search failed"); });
          }
          // Who is in each room now, from the shared directory; answer when all are in.
          struct Gather {
            JsonArrayPtr out{json_array_new()};
            std::vector<JsonObjectPtr> items;
            size_t pending = 0;
          };
          auto g = std::make_shared<Gather>();
          auto respond = [g, finish, q] {
            for (auto& item : g->items) json_array_add_object_element(g->out.get(), item.release());
            finish([g, q](SoupServerMessage* m) {
              json::Object o;
              o.set("rooms", g->out.get()).set("offset", q.offset).set("limit", q.limit);
              Rest::reply(m, SOUP_STATUS_OK, o.str());
            });
          };
          g->pending = (*rooms)->size();
          if (g->pending == 0) return respond();
          for (const Room& r : **rooms) {
            g->items.push_back(roomJson(r, mayChange(viewer, r)));
            JsonObject* item = g->items.back().get();
            // From the catalog; a capture whose media node died shows until control's sweep
            // closes it (seconds).
            json_object_set_boolean_member(item, "recording", r.recording);
            directory_.list(r.id,
                            [g, item, respond](std::optional<std::vector<ParticipantEntry>> ps) {
                              JsonArrayPtr now(json_array_new());
                              if (ps) {
                                for (const auto& p : *ps) {
                                  json::Object who;
                                  who.set("participant", p.participant).set("name", p.name);
                                  json_array_add_object_element(now.get(), who.take().release());
                                }
                              }
                              json_object_set_array_member(item, "participants", now.release());
                              if (--g->pending == 0) respond();
                            });
          }
        });
  });
}

void RoomRoutes::show(SoupServerMessage* msg, const std::string& id) {
  std::string invite;
  GUri* uri = soup_server_message_get_uri(msg);
  if (const char* q = g_uri_get_query(uri)) {
    GHashTable* params = g_uri_parse_params(q, -1, "&", G_URI_PARAMS_NONE, nullptr);
    if (params) {
      if (const char* v = param(params, "invite")) invite = std::string(v).substr(0, 64);
      g_hash_table_unref(params);
    }
  }
  withUser(msg, false, [this, id, invite](const User& u, Rest::Finish finish) {
    auto room = std::make_shared<Room>();
    auto result = std::make_shared<StoreResult>(StoreResult::Failed);
    auto active = std::make_shared<std::optional<RecordingRow>>();
    auto down = std::make_shared<bool>(false);
    worker_.run(
        [id, room, result, active, down](MySqlConnection& db) {
          std::string err;
          *result = RoomStore(db).get(id, room.get(), &err);
          // From the catalog, so every control node answers alike: a joiner is told before
          // joining, wherever the recording was started.
          if (*result == StoreResult::Ok) *active = RecordingStore(db).activeInRoom(id, &err);
          *down = db.unavailable();
        },
        [this, id, room, result, active, down, finish, u, invite] {
          auto answer = [room, result, down, u, invite, finish](bool recording) {
            finish([room, result, down, recording, u, invite](SoupServerMessage* m) {
              bool owner = mayChange(u, *room);
              bool visible =
                  !room->isPrivate || owner || (!invite.empty() && invite == room->inviteCode);
              if (*result == StoreResult::NotFound || (*result == StoreResult::Ok && !visible)) {
                return Rest::fail(m, "not_found", "no such room");
              }
              if (*result != StoreResult::Ok) return Rest::failStorage(m, *down, "lookup failed");
              json::Object out;
              JsonObjectPtr info = roomJson(*room, owner);
              json_object_set_boolean_member(info.get(), "recording", recording);
              out.set("room", info.get());
              Rest::reply(m, SOUP_STATUS_OK, out.str());
            });
          };
          if (!active->has_value()) return answer(false);
          confirmRecording(id, **active, answer);
        });
  });
}

void RoomRoutes::confirmRecording(const std::string& room, const RecordingRow& row,
                                  std::function<void(bool)> answer) {
  // The row says a recording started; the media node's heartbeat says whether it still runs.
  // A row its node stopped renewing is closed by RecordingService's sweep; until then it is
  // not announced here.
  directory_.runningRecording(room, [row, answer](bool ok, const std::string& running) {
    if (!ok || running == row.id) return answer(true);  // Redis down: rather warn than not
    answer(row.keyMayBeMissing(g_get_real_time() / 1000));
  });
}

void RoomRoutes::change(SoupServerMessage* msg, const std::string& id) {
  JsonObjectPtr o = Rest::body(msg, kChange);
  if (!o) return;
  std::vector<std::string> tags;
  if (!readTags(msg, o.get(), &tags)) return;
  auto patch = std::shared_ptr<JsonObject>(json_object_ref(o.get()), json_object_unref);
  bool hasTags = json::getArray(o.get(), "tags") != nullptr;
  withUser(msg, true, [this, id, patch, tags, hasTags](const User& u, Rest::Finish finish) {
    auto code = std::make_shared<std::string>();
    auto room = std::make_shared<Room>();
    worker_.run(
        [id, patch, tags, hasTags, u, code, room](MySqlConnection& db) {
          // The row is read, changed and written back whole (tags with it) under its lock, in
          // one transaction: two edits of one room on two control nodes would otherwise each
          // write back, as they read them, the fields the other one changed.
          std::string err;
          if (!db.setAutocommit(false, &err)) {
            *code = db.unavailable() ? "storage_unavailable" : "internal";
            return;
          }
          RoomStore store(db);
          *code = applyChange(store, id, u, patch.get(), tags, hasTags, room.get());
          if (code->empty() && !db.commit(&err)) *code = "internal";
          if (!code->empty()) db.rollback();
          db.setAutocommit(true, nullptr);
          if (*code == "internal" && db.unavailable()) *code = "storage_unavailable";
          if (code->empty()) store.get(id, room.get(), &err);
        },
        [code, room, finish] {
          finish([code, room](SoupServerMessage* m) {
            if (!code->empty()) return Rest::fail(m, *code, "cannot change the room");
            json::Object out;
            out.set("room", roomJson(*room, true).get());
            Rest::reply(m, SOUP_STATUS_OK, out.str());
          });
        });
  });
}

void RoomRoutes::remove(SoupServerMessage* msg, const std::string& id) {
  withUser(msg, true, [this, id](const User& u, Rest::Finish finish) {
    auto code = std::make_shared<std::string>();
    worker_.run(
        [id, u, code](MySqlConnection& db) {
          RoomStore store(db);
          Room room;
          std::string err;
          StoreResult r = store.get(id, &room, &err);
          if (r != StoreResult::Ok) {
            *code = r == StoreResult::NotFound ? "not_found" : "internal";
          } else if (!mayChange(u, room)) {
            *code = room.isPrivate ? "not_found" : "forbidden";
          } else if (store.remove(id, &err) != StoreResult::Ok) {
            *code = "internal";
          }
          if (*code == "internal" && db.unavailable()) *code = "storage_unavailable";
        },
        [code, finish] {
          finish([code](SoupServerMessage* m) {
            if (!code->empty()) return Rest::fail(m, *code, "cannot delete the room");
            Rest::reply(m, SOUP_STATUS_NO_CONTENT, "");
          });
        });
  });
}

}  // namespace carrel::control
