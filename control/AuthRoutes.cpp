#include "AuthRoutes.hpp"

#include <array>
#include <cstring>

#include "FieldTable.hpp"
#include "Json.hpp"
#include "Rest.hpp"

namespace carrel::control {

namespace {

constexpr std::array kSignup{Field{"login", FieldType::String, true, 3, 32},
                             Field{"password", FieldType::String, true, 8, 256},
                             Field{"display_name", FieldType::String, true, 1, 64},
                             Field{"time_zone", FieldType::String, false, 1, 64}};
constexpr std::array kLogin{Field{"login", FieldType::String, true, 1, 32},
                            Field{"password", FieldType::String, true, 1, 256}};

JsonObjectPtr userJson(const User& u) {
  json::Object o;
  o.set("id", static_cast<int64_t>(u.id))
      .set("login", u.login)
      .set("display_name", u.displayName)
      .set("time_zone", u.timeZone)
      .setBool("admin", u.admin);
  return o.take();
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
            Rest::fail(msg, "not_found", "no such route");
            return;
          }
          (b->first->*(b->second->fn))(msg);
        },
        bound, [](gpointer d) { delete static_cast<std::pair<AuthRoutes*, const Route*>*>(d); });
  }
}

void AuthRoutes::signup(SoupServerMessage* msg) {
  if (!Rest::isMethod(msg, "POST")) return Rest::fail(msg, "method_not_allowed", "use POST");
  JsonObjectPtr o = Rest::body(msg, kSignup);
  if (!o) return;
  std::string login = *json::getString(o.get(), "login");
  std::string tz = json::getString(o.get(), "time_zone").value_or("UTC");
  if (!validLogin(login)) {
    return Rest::fail(msg, "invalid_field", "login may hold only a-z 0-9 _ . -");
  }
  if (!validTimeZone(tz)) return Rest::fail(msg, "invalid_field", "unknown time_zone '" + tz + "'");
  Rest::later(msg, [&](Rest::Finish finish) {
    auth_.signup(login, *json::getString(o.get(), "password"),
                 *json::getString(o.get(), "display_name"), tz, [finish](const AuthResult& r) {
                   finish([&r](SoupServerMessage* m) {
                     if (!r.code.empty()) return Rest::fail(m, r.code, r.message);
                     json::Object out;
                     out.set("user", userJson(r.user).get());
                     Rest::reply(m, SOUP_STATUS_CREATED, out.str());
                   });
                 });
  });
}

void AuthRoutes::login(SoupServerMessage* msg) {
  if (!Rest::isMethod(msg, "POST")) return Rest::fail(msg, "method_not_allowed", "use POST");
  JsonObjectPtr o = Rest::body(msg, kLogin);
  if (!o) return;
  Rest::later(msg, [&](Rest::Finish finish) {
    auth_.login(*json::getString(o.get(), "login"), *json::getString(o.get(), "password"),
                [finish](const AuthResult& r) {
                  finish([&r](SoupServerMessage* m) {
                    if (!r.code.empty()) return Rest::fail(m, r.code, r.message);
                    json::Object out;
                    out.set("token", r.token)
                        .set("expires_at", r.expiresAt)
                        .set("user", userJson(r.user).get());
                    Rest::reply(m, SOUP_STATUS_OK, out.str());
                  });
                });
  });
}

void AuthRoutes::logout(SoupServerMessage* msg) {
  if (!Rest::isMethod(msg, "POST")) return Rest::fail(msg, "method_not_allowed", "use POST");
  Rest::later(msg, [&](Rest::Finish finish) {
    auth_.logout(Rest::bearer(msg), [finish](const AuthResult& r) {
      finish([&r](SoupServerMessage* m) {
        if (!r.code.empty()) return Rest::fail(m, r.code, r.message);
        Rest::reply(m, SOUP_STATUS_NO_CONTENT, "");
      });
    });
  });
}

void AuthRoutes::me(SoupServerMessage* msg) {
  if (!Rest::isMethod(msg, "GET")) return Rest::fail(msg, "method_not_allowed", "use GET");
  Rest::later(msg, [&](Rest::Finish finish) {
    auth_.authenticate(Rest::bearer(msg), [finish](const AuthResult& r) {
      finish([&r](SoupServerMessage* m) {
        if (!r.code.empty()) return Rest::fail(m, r.code, r.message);
        json::Object out;
        out.set("user", userJson(r.user).get());
        Rest::reply(m, SOUP_STATUS_OK, out.str());
      });
    });
  });
}

}  // namespace carrel::control
