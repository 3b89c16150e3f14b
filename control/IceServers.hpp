// The ice_servers a client gets in welcome (what it passes to RTCPeerConnection): STUN URLs
// as they are, TURN URLs with time-limited credentials made the way coturn's
// use-auth-secret checks them (username "<expiry unix time>:<participant>", password
// base64(HMAC-SHA1(shared secret, username))), so no TURN password is ever stored or shared.
#pragma once

#include <glib.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "GPtr.hpp"

namespace carrel::control {

struct IceServerConfig {
  std::vector<std::string> stunUrls;  // stun:host[:port]
  std::vector<std::string> turnUrls;  // turn:host[:port][?transport=udp|tcp], turns:…
  std::string turnSecret;             // coturn's static-auth-secret (read from a file)
  int64_t turnTtlS = 24 * 3600;       // how long a credential stays valid
};

class IceServers {
 public:
  // base64 of HMAC-SHA1(key, data).
  static std::string hmacSha1Base64(const std::string& key, const std::string& data);
  // (username, credential) valid until expiresUnix.
  static std::pair<std::string, std::string> turnCredential(const std::string& secret,
                                                            const std::string& user,
                                                            int64_t expiresUnix);
  // [{urls:[…stun]}, {urls:[…turn], username, credential}] (entries only when configured).
  static JsonArrayPtr forClient(const IceServerConfig& c, const std::string& participant,
                                int64_t nowUnix);
  // A STUN or TURN URL in the form RTCPeerConnection accepts (RFC 7064/7065).
  static bool validUrl(const std::string& url, bool turn, std::string* why);
};

// carrel-control's ICE options as their own GOption group (--stun-url, --turn-url,
// --turn-secret-file, --turn-credential-ttl-s): add group() to the context, parse, finish().
class IceServerOptions {
 public:
  IceServerOptions();
  ~IceServerOptions();
  IceServerOptions(const IceServerOptions&) = delete;
  IceServerOptions& operator=(const IceServerOptions&) = delete;

  GOptionGroup* group();  // the caller's context takes it
  // Validates, reads the secret file; false and *error with the option at fault.
  bool finish(IceServerConfig* out, std::string* error);

 private:
  gchar** stun_ = nullptr;
  gchar** turn_ = nullptr;
  gchar* secretFile_ = nullptr;
  gint ttl_ = 24 * 3600;
};

}  // namespace carrel::control
