#include "WsAuthGate.hpp"

#include <memory>

#include "Rest.hpp"

namespace carrel::control {

namespace {

constexpr const char* kIdentityKey = "carrel-identity";
constexpr size_t kMaxToken = 512;

void attach(SoupServerMessage* msg, const SessionIdentity& who) {
  g_object_set_data_full(G_OBJECT(msg), kIdentityKey, new SessionIdentity(who),
                         [](gpointer p) { delete static_cast<SessionIdentity*>(p); });
}

}  // namespace

WsAuthGate::WsAuthGate(CheckFn check, bool allowGuests)
    : check_(std::move(check)), allowGuests_(allowGuests) {}

void WsAuthGate::install(SoupServer* server) {
  // An early handler runs once the headers are in, before libsoup answers the handshake; a
  // status set here (or after the pause) ends the request without an upgrade.
  soup_server_add_early_handler(
      server, "/ws",
      [](SoupServer*, SoupServerMessage* msg, const char*, GHashTable*, gpointer self) {
        static_cast<WsAuthGate*>(self)->onRequest(msg);
      },
      this, nullptr);
}

const SessionIdentity* WsAuthGate::identityOf(SoupServerMessage* msg) {
  return static_cast<const SessionIdentity*>(g_object_get_data(G_OBJECT(msg), kIdentityKey));
}

std::string WsAuthGate::tokenOf(SoupServerMessage* msg) {
  GUri* uri = soup_server_message_get_uri(msg);
  const char* query = uri ? g_uri_get_query(uri) : nullptr;
  std::string token;
  if (query) {
    GHashTable* params = g_uri_parse_params(query, -1, "&", G_URI_PARAMS_NONE, nullptr);
    if (params) {
      if (auto* v = static_cast<const char*>(g_hash_table_lookup(params, "token"))) token = v;
      g_hash_table_unref(params);
    }
  }
  if (token.empty()) token = Rest::bearer(msg);
  // A token is short ASCII; anything longer is not one of ours and is not worth a lookup.
  if (token.size() > kMaxToken) token.resize(kMaxToken);
  return token;
}

void WsAuthGate::onRequest(SoupServerMessage* msg) {
  std::string token = tokenOf(msg);
  if (token.empty()) {
    if (allowGuests_) {
      attach(msg, SessionIdentity{});
      return;
    }
    Rest::fail(msg, "unauthorized", "log in first: /ws needs ?token=<access token>");
    return;
  }
  g_object_ref(msg);
  soup_server_message_pause(msg);
  check_(token,
         [msg](const std::string& code, const std::string& message, const SessionIdentity& who) {
           if (code.empty()) {
             attach(msg, who);
           } else {
             Rest::fail(msg, code, message);
           }
           soup_server_message_unpause(msg);
           g_object_unref(msg);
         });
}

}  // namespace carrel::control
