// Sessions whose WebSocket dropped while in a room, kept for a grace period so the client
// can come back (hello with the resume token it got in welcome) as the same participant in
// the same room, the others seeing no leave and no join. Past the grace the expiry callback
// makes the normal leave. Held per node: a resume reaches the node that held the session.
#pragma once

#include <glib.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ClientSession.hpp"

namespace carrel::control {

class ReconnectGrace {
 public:
  using ExpireFn = std::function<void(const std::shared_ptr<ClientSession>& s)>;

  ReconnectGrace(guint graceMs, ExpireFn onExpire);
  ~ReconnectGrace();
  ReconnectGrace(const ReconnectGrace&) = delete;
  ReconnectGrace& operator=(const ReconnectGrace&) = delete;

  bool enabled() const { return graceMs_ > 0; }
  void hold(const std::shared_ptr<ClientSession>& s);
  // The held session of this token, if its user matches (a guest's is 0); it is no longer held.
  std::shared_ptr<ClientSession> take(const std::string& resumeToken, int64_t userId);
  // Stops holding this participant's session (e.g. replaced); null when it was not held.
  std::shared_ptr<ClientSession> drop(const std::string& participant);
  std::vector<std::shared_ptr<ClientSession>> takeAll();

 private:
  struct Held {
    std::shared_ptr<ClientSession> session;
    guint timer = 0;
  };
  void expire(const std::string& token);
  guint graceMs_;
  ExpireFn onExpire_;
  std::map<std::string, Held> held_;  // by resume token
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace carrel::control
