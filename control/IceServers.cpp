#include "IceServers.hpp"

#include <fstream>

#include "Json.hpp"

namespace carrel::control {

std::string IceServers::hmacSha1Base64(const std::string& key, const std::string& data) {
  GHmac* hmac =
      g_hmac_new(G_CHECKSUM_SHA1, reinterpret_cast<const guchar*>(key.data()), key.size());
  g_hmac_update(hmac, reinterpret_cast<const guchar*>(data.data()),
                static_cast<gssize>(data.size()));
  guint8 digest[20];
  gsize len = sizeof digest;
  g_hmac_get_digest(hmac, digest, &len);
  g_hmac_unref(hmac);
  GCharPtr b64(g_base64_encode(digest, len));
  return b64.get();
}

std::pair<std::string, std::string> IceServers::turnCredential(const std::string& secret,
                                                               const std::string& user,
                                                               int64_t expiresUnix) {
  std::string username = std::to_string(expiresUnix) + ":" + user;
  return {username, hmacSha1Base64(secret, username)};
}

JsonArrayPtr IceServers::forClient(const IceServerConfig& c, const std::string& participant,
                                   int64_t nowUnix) {
  JsonArrayPtr out(json_array_new());
  auto urls = [](const std::vector<std::string>& list) {
    JsonArrayPtr a(json_array_new());
    for (const auto& u : list) json_array_add_string_element(a.get(), u.c_str());
    return a;
  };
  if (!c.stunUrls.empty()) {
    json::Object s;
    s.set("urls", urls(c.stunUrls).get());
    json_array_add_object_element(out.get(), s.take().release());
  }
  if (!c.turnUrls.empty() && !c.turnSecret.empty()) {
    auto [user, credential] = turnCredential(c.turnSecret, participant, nowUnix + c.turnTtlS);
    json::Object t;
    t.set("urls", urls(c.turnUrls).get()).set("username", user).set("credential", credential);
    json_array_add_object_element(out.get(), t.take().release());
  }
  return out;
}

bool IceServers::validUrl(const std::string& url, bool turn, std::string* why) {
  // scheme:host[:port][?transport=udp|tcp]; no "//", no user info (RFC 7064, 7065).
  std::string rest;
  if (!turn && url.rfind("stun:", 0) == 0) {
    rest = url.substr(5);
  } else if (!turn && url.rfind("stuns:", 0) == 0) {
    rest = url.substr(6);
  } else if (turn && url.rfind("turn:", 0) == 0) {
    rest = url.substr(5);
  } else if (turn && url.rfind("turns:", 0) == 0) {
    rest = url.substr(6);
  } else {
    *why = "'" + url + "' must start with " + (turn ? "turn: or turns:" : "stun: or stuns:");
    return false;
  }
  std::string query;
  if (auto q = rest.find('?'); q != std::string::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  if (!query.empty() && (!turn || (query != "transport=udp" && query != "transport=tcp"))) {
    *why = "'" + url + "': only turn URLs take ?transport=udp or ?transport=tcp";
    return false;
  }
  std::string host = rest, port;
  if (auto colon = rest.rfind(':');
      colon != std::string::npos && rest.find(']') == std::string::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  } else if (auto close = rest.find("]:"); close != std::string::npos) {
    host = rest.substr(0, close + 1);
    port = rest.substr(close + 2);
  }
  bool hostOk = !host.empty() && host.find_first_of("/@ ") == std::string::npos;
  int p = port.empty() ? 1 : std::atoi(port.c_str());
  bool portOk = port.empty() ||
                (port.find_first_not_of("0123456789") == std::string::npos && p > 0 && p <= 65535);
  if (!hostOk || !portOk) {
    *why = "'" + url + "' must be " +
           (turn ? "turn:HOST[:PORT][?transport=udp|tcp]" : "stun:HOST[:PORT]");
    return false;
  }
  return true;
}

IceServerOptions::IceServerOptions() = default;

IceServerOptions::~IceServerOptions() {
  g_strfreev(stun_);
  g_strfreev(turn_);
  g_free(secretFile_);
}

GOptionGroup* IceServerOptions::group() {
  static const char* kDesc = "ICE servers given to clients in welcome";
  GOptionGroup* g =
      g_option_group_new("ice", kDesc, "Show the ICE server options", nullptr, nullptr);
  GOptionEntry entries[] = {
      {"stun-url", 0, 0, G_OPTION_ARG_STRING_ARRAY, &stun_,
       "A STUN server for clients, stun:HOST[:PORT]; repeatable", "URL"},
      {"turn-url", 0, 0, G_OPTION_ARG_STRING_ARRAY, &turn_,
       "A TURN server for clients, turn:HOST[:PORT][?transport=udp|tcp] or turns:…; repeatable "
       "(needs --turn-secret-file)",
       "URL"},
      {"turn-secret-file", 0, 0, G_OPTION_ARG_FILENAME, &secretFile_,
       "File whose first line is coturn's static-auth-secret (use-auth-secret)", "PATH"},
      {"turn-credential-ttl-s", 0, 0, G_OPTION_ARG_INT, &ttl_,
       "How long a TURN credential handed out in welcome stays valid (86400)", "S"},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr}};
  g_option_group_add_entries(g, entries);
  return g;
}

bool IceServerOptions::finish(IceServerConfig* out, std::string* error) {
  std::string why;
  for (gchar** s = stun_; s && *s; ++s) {
    if (!IceServers::validUrl(*s, false, &why)) {
      *error = "--stun-url " + why;
      return false;
    }
    out->stunUrls.emplace_back(*s);
  }
  for (gchar** t = turn_; t && *t; ++t) {
    if (!IceServers::validUrl(*t, true, &why)) {
      *error = "--turn-url " + why;
      return false;
    }
    out->turnUrls.emplace_back(*t);
  }
  if (ttl_ < 60 || ttl_ > 7 * 24 * 3600) {
    *error = "--turn-credential-ttl-s must be 60..604800";
    return false;
  }
  out->turnTtlS = ttl_;
  if (!out->turnUrls.empty() && !secretFile_) {
    *error = "--turn-url needs --turn-secret-file (coturn's static-auth-secret)";
    return false;
  }
  if (secretFile_) {
    std::ifstream in(secretFile_);
    std::string secret;
    if (!in || !std::getline(in, secret) || secret.size() < 16) {
      *error = std::string("--turn-secret-file: cannot read a secret of 16+ characters from ") +
               secretFile_;
      return false;
    }
    out->turnSecret = secret;
  }
  return true;
}

}  // namespace carrel::control
