#include "IceServerUri.hpp"

#include <glib.h>

#include <memory>
#include <sstream>
#include <vector>

namespace carrel::sfu {

namespace {

struct UriFree {
  void operator()(GUri* u) const { g_uri_unref(u); }
};

bool check(const std::string& uri, const char* option, bool turn, std::string* why) {
  GError* raw = nullptr;
  std::unique_ptr<GUri, UriFree> u(g_uri_parse(uri.c_str(), G_URI_FLAGS_HAS_PASSWORD, &raw));
  if (!u) {
    *why = std::string(option) + " '" + uri + "' is not a URI: " + (raw ? raw->message : "?");
    if (raw) g_error_free(raw);
    return false;
  }
  std::string scheme = g_uri_get_scheme(u.get()) ? g_uri_get_scheme(u.get()) : "";
  const char* host = g_uri_get_host(u.get());
  int port = g_uri_get_port(u.get());
  const char* form = turn ? "turn://USER:PASSWORD@HOST:PORT (or turns://)" : "stun://HOST:PORT";
  bool schemeOk = turn ? (scheme == "turn" || scheme == "turns") : scheme == "stun";
  if (!schemeOk || !host || !*host || port <= 0 || port > 65535) {
    *why = std::string(option) + " '" + uri + "' must look like " + form;
    return false;
  }
  if (turn && (!g_uri_get_user(u.get()) || !*g_uri_get_user(u.get()) ||
               !g_uri_get_password(u.get()) || !*g_uri_get_password(u.get()))) {
    *why = std::string(option) + " '" + uri + "' needs a user and a password: " + form;
    return false;
  }
  return true;
}

}  // namespace

bool IceServerUri::checkStun(const std::string& uri, std::string* why) {
  return check(uri, "--stun-server", false, why);
}

bool IceServerUri::checkTurn(const std::string& uri, std::string* why) {
  return check(uri, "--turn-server", true, why);
}

std::string IceServerUri::rewriteHostAddress(const std::string& candidate,
                                             const std::string& localAddress,
                                             const std::string& publicAddress) {
  // candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> …
  std::istringstream in(candidate);
  std::vector<std::string> f;
  for (std::string w; in >> w;) f.push_back(w);
  if (f.size() < 8 || f[6] != "typ" || f[7] != "host" || f[4] != localAddress) return candidate;
  f[4] = publicAddress;
  std::string out;
  for (size_t i = 0; i < f.size(); ++i) out += (i ? " " : "") + f[i];
  return out;
}

}  // namespace carrel::sfu
