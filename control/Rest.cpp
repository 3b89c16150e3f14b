#include "Rest.hpp"

#include <cstring>
#include <memory>

#include "Json.hpp"

namespace carrel::control {

void Rest::reply(SoupServerMessage* msg, guint status, const std::string& json) {
  soup_server_message_set_status(msg, status, nullptr);
  SoupMessageHeaders* h = soup_server_message_get_response_headers(msg);
  soup_message_headers_replace(h, "Cache-Control", "no-store");
  if (json.empty()) return;
  soup_server_message_set_response(msg, "application/json", SOUP_MEMORY_COPY, json.data(),
                                   json.size());
}

guint Rest::statusFor(const std::string& code) {
  if (code == "login_taken" || code == "room_exists" || code == "too_many_todos") {
    return SOUP_STATUS_CONFLICT;
  }
  if (code == "bad_credentials" || code == "unauthorized") return SOUP_STATUS_UNAUTHORIZED;
  if (code == "forbidden" || code == "admin_only" || code == "outranked") {
    return SOUP_STATUS_FORBIDDEN;
  }
  if (code == "too_large") return SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE;
  if (code == "unsupported_type") return SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE;
  if (code == "method_not_allowed") return SOUP_STATUS_METHOD_NOT_ALLOWED;
  if (code == "not_found") return SOUP_STATUS_NOT_FOUND;
  if (code == "internal") return SOUP_STATUS_INTERNAL_SERVER_ERROR;
  if (code == "unavailable" || code == "storage_unavailable") {
    return SOUP_STATUS_SERVICE_UNAVAILABLE;
  }
  return SOUP_STATUS_BAD_REQUEST;
}

void Rest::fail(SoupServerMessage* msg, const std::string& code, const std::string& message) {
  json::Object err;
  err.set("code", code).set("message", message);
  json::Object body;
  body.set("error", err.get());
  reply(msg, statusFor(code), body.str());
}

void Rest::failStorage(SoupServerMessage* msg, bool down, const std::string& message) {
  if (down) {
    return fail(msg, "storage_unavailable",
                "the database is unreachable right now; try again later");
  }
  fail(msg, "internal", message);
}

bool Rest::isMethod(SoupServerMessage* msg, const char* method) {
  return g_strcmp0(soup_server_message_get_method(msg), method) == 0;
}

JsonObjectPtr Rest::body(SoupServerMessage* msg, std::span<const Field> fields) {
  SoupMessageBody* b = soup_server_message_get_request_body(msg);
  if (!b || b->length < 0 || static_cast<size_t>(b->length) > kMaxBody) {
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

std::string Rest::bearer(SoupServerMessage* msg) {
  const char* h =
      soup_message_headers_get_one(soup_server_message_get_request_headers(msg), "Authorization");
  if (!h || std::strncmp(h, "Bearer ", 7) != 0) return {};
  return std::string(h + 7).substr(0, 512);
}

void Rest::failEarly(SoupServerMessage* msg, const std::string& code, const std::string& message) {
  soup_message_body_set_accumulate(soup_server_message_get_request_body(msg), FALSE);
  fail(msg, code, message);
  soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Connection",
                               "close");
}

void Rest::guardBodies(SoupServer* server) {
  soup_server_add_early_handler(
      server, "/api/",
      [](SoupServer*, SoupServerMessage* msg, const char*, GHashTable*, gpointer) {
        goffset length =
            soup_message_headers_get_content_length(soup_server_message_get_request_headers(msg));
        if (length > static_cast<goffset>(kMaxBody)) {
          failEarly(msg, "too_large", "the request body is over 16 KiB");
        }
      },
      nullptr, nullptr);
}

void Rest::later(SoupServerMessage* msg, const std::function<void(Finish)>& start) {
  g_object_ref(msg);
  soup_server_message_pause(msg);
  auto once = std::make_shared<bool>(false);
  start([msg, once](Answer answer) {
    if (*once) return;
    *once = true;
    answer(msg);
    soup_server_message_unpause(msg);
    g_object_unref(msg);
  });
}

}  // namespace carrel::control
