#include "AuthRoutes.hpp"

#include <array>
#include <cstring>

#include "FieldTable.hpp"
#include "Json.hpp"

namespace carrel::control {

namespace {

constexpr std::array kSignup{Field{"login", FieldType::String, true, 3, 32},
                             Field{"password", FieldType::String, true, 8, 256},
                             Field{"display_name", FieldType::String, true, 1, 64},
                             Field{"time_zone", FieldType::String, false, 1, 64}};
constexpr std::array kLogin{Field{"login", FieldType::String, true, 1, 32},
                            Field{"password", FieldType::String, true, 1, 256}};

void reply(SoupServerMessage* msg, guint status, const std::string& body) {
  soup_server_message_set_status(msg, status, nullptr);
  SoupMessageHeaders* h = soup_server_message_get_response_headers(msg);
  soup_message_headers_replace(h, "Cache-Control", "no-store");
  if (body.empty()) return;
  soup_server_message_set_response(msg, "application/json", SOUP_MEMORY_COPY, body.data(),
                                   body.size());
}

guint statusFor(const std::string& code) {
  if (code == "login_taken") return SOUP_STATUS_CONFLICT;
  if (code == "bad_credentials" || code == "unauthorized") return SOUP_STATUS_UNAUTHORIZED;
  if (code == "too_large") return SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE;
  if (code == "method_not_allowed") return SOUP_STATUS_METHOD_NOT_ALLOWED;
  if (code == "internal") return SOUP_STATUS_INTERNAL_SERVER_ERROR;
  if (code == "not_found") return SOUP_STATUS_NOT_FOUND;
  return SOUP_STATUS_BAD_REQUEST;
}

void fail(SoupServerMessage* msg, const std::string& code, const std::string& message) {
  json::Object err;
  err.set("code", code).set("message", message);
  json::Object body;
  body.set("error", err.get());
  reply(msg, statusFor(code), body.str());
}

JsonObjectPtr userJson(const User& u) {
  json::Object o;
  o.set("id", static_cast<int64_t>(u.id))
      .set("login", u.login)
      .set("display_name", u.displayName)
      .set("time_zone", u.timeZone)
      .setBool("admin", u.admin);
  return o.take();
}

// Parses and checks a JSON body; on failure answers and returns nullptr.
JsonObjectPtr body(SoupServerMessage* msg, std::span<const Field> fields) {
  if (g_strcmp0(soup_server_message_get_method(msg), "POST") != 0) {
    fail(msg, "method_not_allowed", "use POST");
    return {};
  }
  SoupMessageBody* b = soup_server_message_get_request_body(msg);
  if (!b || b->length < 0 || static_cast<size_t>(b->length) > AuthRoutes::kMaxBody) {
    fail(msg, "too_large", "the request body is over 16 KiB");
    return {};
  }
  std::string why;
  JsonObjectPtr o = json::parseObject(
      std::string_view(b->data ? b->data : "", static_cast<size_t>(b->length)), &why);
  if (!o) {
    fail(msg, "bad_json", why);
    return {};
  }
  if (auto e = validateFields(o.get(), fields)) {
    fail(msg, "invalid_field", e->message);
    return {};
  }
  return o;
}

std::string bearer(SoupServerMessage* msg) {
  const char* h =
      soup_message_headers_get_one(soup_server_message_get_request_headers(msg), "Authorization");
  if (!h || std::strncmp(h, "Bearer ", 7) != 0) return {};
  return std::string(h + 7).substr(0, 512);
}

bool validLogin(const std::string& s) {
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-')) {
      return false;
    }
  }
  return !s.empty();
}

bool validTimeZone(const std::string& tz) {
  if (tz == "UTC") return true;
  GTimeZone* z = g_time_zone_new_identifier(tz.c_str());
  if (!z) return false;
  g_time_zone_unref(z);
  return true;
}

// Keeps the message alive while the answer is computed elsewhere.
template <typename F>
void later(SoupServerMessage* msg, F&& start) {
  g_object_ref(msg);
  soup_server_message_pause(msg);
  start([msg](auto&& answer) {
    answer(msg);
    soup_server_message_unpause(msg);
    g_object_unref(msg);
  });
}

}  // namespace

void AuthRoutes::install(SoupServer* server) {
  struct Route {
    const char* path;
    void (AuthRoutes::*fn)(SoupServerMessage*);
  };
  static constexpr Route routes[] = {{"/api/v1/auth/signup", &AuthRoutes::signup},
                                     {"/api/v1/auth/login", &AuthRoutes::login},
                                     {"/api/v1/auth/logout", &AuthRoutes::logout},
                                     {"/api/v1/me", &AuthRoutes::me}};
  for (const Route& r : routes) {
    auto* bound = new std::pair<AuthRoutes*, const Route*>(this, &r);
    soup_server_add_handler(
        server, r.path,
        [](SoupServer*, SoupServerMessage* msg, const char* path, GHashTable*, gpointer data) {
          auto* b = static_cast<std::pair<AuthRoutes*, const Route*>*>(data);
          // libsoup matches prefixes: /api/v1/me/x is not /api/v1/me.
          if (g_strcmp0(path, b->second->path) != 0) {
            fail(msg, "not_found", "no such route");
            return;
          }
          (b->first->*(b->second->fn))(msg);
        },
        bound, [](gpointer d) { delete static_cast<std::pair<AuthRoutes*, const Route*>*>(d); });
  }
}

void AuthRoutes::signup(SoupServerMessage* msg) {
  JsonObjectPtr o = body(msg, kSignup);
  if (!o) return;
  std::string login = *json::getString(o.get(), "login");
  std::string tz = json::getString(o.get(), "time_zone").value_or("UTC");
  if (!validLogin(login)) {
    return fail(msg, "invalid_field", "login may hold only a-z 0-9 _ . -");
  }
  if (!validTimeZone(tz)) return fail(msg, "invalid_field", "unknown time_zone '" + tz + "'");
  later(msg, [&](auto finish) {
    auth_.signup(login, *json::getString(o.get(), "password"),
                 *json::getString(o.get(), "display_name"), tz, [finish](const AuthResult& r) {
                   finish([&r](SoupServerMessage* m) {
                     if (!r.code.empty()) return fail(m, r.code, r.message);
                     json::Object out;
                     out.set("user", userJson(r.user).get());
                     reply(m, SOUP_STATUS_CREATED, out.str());
                   });
                 });
  });
}

void AuthRoutes::login(SoupServerMessage* msg) {
  JsonObjectPtr o = body(msg, kLogin);
  if (!o) return;
  later(msg, [&](auto finish) {
    auth_.login(*json::getString(o.get(), "login"), *json::getString(o.get(), "password"),
                [finish](const AuthResult& r) {
                  finish([&r](SoupServerMessage* m) {
                    if (!r.code.empty()) return fail(m, r.code, r.message);
                    json::Object out;
                    out.set("token", r.token)
                        .set("expires_at", r.expiresAt)
                        .set("user", userJson(r.user).get());
                    reply(m, SOUP_STATUS_OK, out.str());
                  });
                });
  });
}

void AuthRoutes::logout(SoupServerMessage* msg) {
  if (g_strcmp0(soup_server_message_get_method(msg), "POST") != 0) {
    return fail(msg, "method_not_allowed", "use POST");
  }
  later(msg, [&](auto finish) {
    auth_.logout(bearer(msg), [finish](const AuthResult& r) {
      finish([&r](SoupServerMessage* m) {
        if (!r.code.empty()) return fail(m, r.code, r.message);
        reply(m, SOUP_STATUS_NO_CONTENT, "");
      });
    });
  });
}

void AuthRoutes::me(SoupServerMessage* msg) {
  if (g_strcmp0(soup_server_message_get_method(msg), "GET") != 0) {
    return fail(msg, "method_not_allowed", "use GET");
  }
  later(msg, [&](auto finish) {
    auth_.authenticate(bearer(msg), [finish](const AuthResult& r) {
      finish([&r](SoupServerMessage* m) {
        if (!r.code.empty()) return fail(m, r.code, r.message);
        json::Object out;
        out.set("user", userJson(r.user).get());
        reply(m, SOUP_STATUS_OK, out.str());
      });
    });
  });
}

}  // namespace carrel::control
