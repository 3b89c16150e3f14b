// Who may open /ws. With accounts (a database), the upgrade carries an access token
// (?token=… since browsers cannot set headers on a WebSocket, or Authorization: Bearer) and
// is checked before the switch: a missing, bad, expired or logged-out token gets HTTP 401 with
// a typed JSON error and no WebSocket. --allow-guests lets an upgrade without a token through
// as a guest (name from hello). Without accounts no gate is installed: everyone is a guest.
#pragma once

#include <libsoup/soup.h>

#include <cstdint>
#include <functional>
#include <string>

namespace carrel::control {

// The account behind a connection; userId 0 is a guest.
struct SessionIdentity {
  int64_t userId = 0;
  std::string displayName;
  bool admin = false;
};

class WsAuthGate {
 public:
  // code is "" when the token is good; else a REST error code and its message.
  using Verdict = std::function<void(const std::string& code, const std::string& message,
                                     const SessionIdentity& who)>;
  using CheckFn = std::function<void(const std::string& token, Verdict done)>;

  WsAuthGate(CheckFn check, bool allowGuests);
  // Adds the early handler for /ws; the server must not outlive this object.
  void install(SoupServer* server);

  // The identity the gate attached to an upgrade (null when no gate ran: a guest).
  static const SessionIdentity* identityOf(SoupServerMessage* msg);
  // The token of ?token= (first) or of Authorization: Bearer; "" when neither.
  static std::string tokenOf(SoupServerMessage* msg);

 private:
  void onRequest(SoupServerMessage* msg);
  CheckFn check_;
  bool allowGuests_;
};

}  // namespace carrel::control
