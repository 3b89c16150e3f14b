#include "TodoRoutes.hpp"

#include <array>
#include <memory>

#include "DayBoundary.hpp"
#include "Json.hpp"
#include "StudyLedger.hpp"
#include "TodoStore.hpp"

namespace carrel::control {

namespace {

constexpr const char* kPrefix = "/api/v1/study/todos";
constexpr std::array kAddFields{Field{"text", FieldType::String, true, 1, TodoStore::kMaxText}};
constexpr std::array kUpdateFields{Field{"text", FieldType::String, false, 1, TodoStore::kMaxText},
                                   Field{"done", FieldType::Bool, false}};

int64_t nowMs() {
  return g_get_real_time() / 1000;
}

JsonObjectPtr todoJson(const Todo& t) {
  json::Object o;
  o.set("id", t.id)
      .set("day", DayBoundary::dayString(t.day))
      .set("text", t.text)
      .setBool("done", t.doneMs != 0)
      .set("created_ms", t.createdMs);
  if (t.doneMs) {
    o.set("done_ms", t.doneMs);
  } else {
    o.setNull("done_ms");
  }
  return o.take();
}

void failStatus(SoupServerMessage* m, TodoStore::Status s, const std::string& why) {
  switch (s) {
    case TodoStore::Status::NotFound:
      return Rest::fail(m, "not_found", "no such todo of yours");
    case TodoStore::Status::TooMany:
      return Rest::fail(
          m, "too_many_todos",
          "a day's list holds at most " + std::to_string(TodoStore::kMaxPerDay) + " items");
    default:
      g_warning("todos: %s", why.c_str());
      return Rest::failStorage(m, s == TodoStore::Status::Unavailable,
                               "the todo list is not reachable");
  }
}

TodoStore::Status orUnavailable(TodoStore::Status s, const MySqlConnection& db) {
  return s == TodoStore::Status::Failed && db.unavailable() ? TodoStore::Status::Unavailable : s;
}

int64_t todayOf(MySqlConnection& db, int64_t userId) {
  std::string why;
  return StudyLedger(db).profile(userId, &why).days().dayOf(nowMs());
}

}  // namespace

std::optional<std::string> TodoRoutes::cleanText(const std::string& text) {
  size_t from = text.find_first_not_of(" \t\r\n");
  if (from == std::string::npos) return std::nullopt;
  std::string t = text.substr(from, text.find_last_not_of(" \t\r\n") - from + 1);
  if (t.size() > static_cast<size_t>(TodoStore::kMaxText)) return std::nullopt;
  for (unsigned char c : t) {
    if (c < 0x20 || c == 0x7f) return std::nullopt;
  }
  if (!g_utf8_validate(t.data(), static_cast<gssize>(t.size()), nullptr)) return std::nullopt;
  return t;
}

void TodoRoutes::install(SoupServer* server) {
  soup_server_add_handler(
      server, kPrefix,
      [](SoupServer*, SoupServerMessage* msg, const char* path, GHashTable* query, gpointer self) {
        static_cast<TodoRoutes*>(self)->route(msg, path ? path : "", query);
      },
      this, nullptr);
}

void TodoRoutes::route(SoupServerMessage* msg, const std::string& path, GHashTable* query) {
  std::string rest = path.substr(std::string(kPrefix).size());
  if (rest.empty()) {
    if (Rest::isMethod(msg, "GET")) return list(msg, query);
    if (Rest::isMethod(msg, "POST")) return add(msg);
    return Rest::fail(msg, "method_not_allowed", "use GET or POST");
  }
  // "/<id>", the id in decimal digits only.
  std::string digits = rest.substr(1);
  bool numeric = rest[0] == '/' && !digits.empty() && digits.size() <= 18 &&
                 digits.find_first_not_of("0123456789") == std::string::npos;
  if (!numeric) return Rest::fail(msg, "not_found", "no such todo route");
  int64_t id = g_ascii_strtoll(digits.c_str(), nullptr, 10);
  if (Rest::isMethod(msg, "PATCH")) return update(msg, id);
  if (Rest::isMethod(msg, "DELETE")) return remove(msg, id);
  Rest::fail(msg, "method_not_allowed", "use PATCH or DELETE");
}

void TodoRoutes::withUser(SoupServerMessage* msg,
                          std::function<void(const User&, Rest::Finish)> then) {
  std::string token = Rest::bearer(msg);
  Rest::later(msg, [&](Rest::Finish finish) {
    auth_.authenticate(token, [finish, then](const AuthResult& r) {
      if (!r.code.empty()) {
        return finish([r](SoupServerMessage* m) { Rest::fail(m, r.code, r.message); });
      }
      then(r.user, finish);
    });
  });
}

void TodoRoutes::list(SoupServerMessage* msg, GHashTable* query) {
  std::optional<int64_t> day;
  const char* d = query ? static_cast<const char*>(g_hash_table_lookup(query, "day")) : nullptr;
  if (d) {
    day = DayBoundary::parseDay(d);
    if (!day) return Rest::fail(msg, "invalid_field", "day must be YYYY-MM-DD");
  }
  withUser(msg, [this, day](const User& u, Rest::Finish finish) {
    auto items = std::make_shared<std::optional<std::vector<Todo>>>();
    auto which = std::make_shared<int64_t>(day.value_or(0));
    auto why = std::make_shared<std::string>();
    auto status = std::make_shared<TodoStore::Status>(TodoStore::Status::Failed);
    int64_t id = static_cast<int64_t>(u.id);
    worker_.run(
        [id, day, items, which, why, status](MySqlConnection& db) {
          if (!day) *which = todayOf(db, id);
          *items = TodoStore(db).list(id, *which, why.get());
          *status = orUnavailable(*items ? TodoStore::Status::Ok : TodoStore::Status::Failed, db);
        },
        [items, which, why, status, finish] {
          finish([items, which, why, status](SoupServerMessage* m) {
            if (!*items) return failStatus(m, *status, *why);
            JsonArrayPtr list(json_array_new());
            for (const Todo& t : **items) {
              json_array_add_object_element(list.get(), todoJson(t).release());
            }
            json::Object out;
            out.set("day", DayBoundary::dayString(*which)).set("todos", list.get());
            Rest::reply(m, SOUP_STATUS_OK, out.str());
          });
        });
  });
}

void TodoRoutes::add(SoupServerMessage* msg) {
  JsonObjectPtr body = Rest::body(msg, kAddFields);
  if (!body) return;
  auto text = cleanText(*json::getString(body.get(), "text"));
  if (!text) {
    return Rest::fail(msg, "invalid_field",
                      "text must be 1..200 bytes, not blank, without control characters");
  }
  withUser(msg, [this, text](const User& u, Rest::Finish finish) {
    auto todo = std::make_shared<Todo>();
    auto status = std::make_shared<TodoStore::Status>(TodoStore::Status::Failed);
    auto why = std::make_shared<std::string>();
    int64_t id = static_cast<int64_t>(u.id);
    worker_.run(
        [id, text, todo, status, why](MySqlConnection& db) {
          *status = orUnavailable(
              TodoStore(db).add(id, todayOf(db, id), *text, nowMs(), todo.get(), why.get()), db);
        },
        [todo, status, why, finish] {
          finish([todo, status, why](SoupServerMessage* m) {
            if (*status != TodoStore::Status::Ok) return failStatus(m, *status, *why);
            json::Object out;
            out.set("todo", todoJson(*todo).get());
            Rest::reply(m, SOUP_STATUS_CREATED, out.str());
          });
        });
  });
}

void TodoRoutes::update(SoupServerMessage* msg, int64_t todoId) {
  JsonObjectPtr body = Rest::body(msg, kUpdateFields);
  if (!body) return;
  std::optional<std::string> text;
  if (auto t = json::getString(body.get(), "text")) {
    text = cleanText(*t);
    if (!text) {
      return Rest::fail(msg, "invalid_field",
                        "text must be 1..200 bytes, not blank, without control characters");
    }
  }
  std::optional<bool> done = json::getBool(body.get(), "done");
  std::weak_ptr<int> alive = alive_;
  withUser(msg, [this, alive, todoId, text, done](const User& u, Rest::Finish finish) {
    int64_t id = static_cast<int64_t>(u.id);
    std::string name = u.displayName.empty() ? u.login : u.displayName;
    // The board post goes to the room the user is in now (on whichever node), never to one
    // the client names: nobody posts into a room they are not in.
    auto write = [this, alive, id, name, todoId, text, done, finish](const std::string& room) {
      auto todo = std::make_shared<Todo>();
      auto status = std::make_shared<TodoStore::Status>(TodoStore::Status::Failed);
      auto checkedOff = std::make_shared<bool>(false);
      auto why = std::make_shared<std::string>();
      worker_.run(
          [id, todoId, text, done, room, todo, status, checkedOff, why](MySqlConnection& db) {
            *status = orUnavailable(TodoStore(db).update(id, todoId, text, done, nowMs(), room,
                                                         todo.get(), checkedOff.get(), why.get()),
                                    db);
          },
          [this, alive, id, name, room, todo, status, checkedOff, why, finish] {
            bool posted = false;
            if (alive.lock() && *status == TodoStore::Status::Ok && *checkedOff && !room.empty()) {
              board_.post(room, "todo", id, name + " finished " + todo->text);
              posted = true;
            }
            finish([todo, status, why, room, posted](SoupServerMessage* m) {
              if (*status != TodoStore::Status::Ok) return failStatus(m, *status, *why);
              json::Object out;
              out.set("todo", todoJson(*todo).get());
              if (posted) {
                out.set("posted_to", room);
              } else {
                out.setNull("posted_to");
              }
              Rest::reply(m, SOUP_STATUS_OK, out.str());
            });
          });
    };
    if (!done.value_or(false)) return write("");
    presence_.get(id, [alive, write](std::optional<PresenceInfo> p) {
      if (!alive.lock()) return;
      write(p && p->online ? p->room : "");
    });
  });
}

void TodoRoutes::remove(SoupServerMessage* msg, int64_t todoId) {
  withUser(msg, [this, todoId](const User& u, Rest::Finish finish) {
    auto status = std::make_shared<TodoStore::Status>(TodoStore::Status::Failed);
    auto why = std::make_shared<std::string>();
    int64_t id = static_cast<int64_t>(u.id);
    worker_.run(
        [id, todoId, status, why](MySqlConnection& db) {
          *status = orUnavailable(TodoStore(db).remove(id, todoId, why.get()), db);
        },
        [status, why, finish] {
          finish([status, why](SoupServerMessage* m) {
            if (*status != TodoStore::Status::Ok) return failStatus(m, *status, *why);
            Rest::reply(m, SOUP_STATUS_NO_CONTENT, "");
          });
        });
  });
}

}  // namespace carrel::control
