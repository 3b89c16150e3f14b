// Today's todo list over REST (docs/protocol.md, "Todos"): a user's items of a study day,
// added, renamed, checked off and removed by their owner. Checking an item off posts to the
// board of the room the user is in ("Mina finished chapter 3"), the room's shared history.
#pragma once

#include <libsoup/soup.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "AuthService.hpp"
#include "DbWorker.hpp"
#include "Rest.hpp"
#include "RoomBoard.hpp"
#include "UserPresence.hpp"

namespace carrel::control {

class TodoRoutes {
 public:
  TodoRoutes(AuthService& auth, DbWorker& worker, UserPresence& presence, RoomBoard& board)
      : auth_(auth), worker_(worker), presence_(presence), board_(board) {}
  void install(SoupServer* server);

  // The text of an item as stored: trimmed, 1..200 bytes, no control characters; nullopt if
  // it cannot be one.
  static std::optional<std::string> cleanText(const std::string& text);

 private:
  void route(SoupServerMessage* msg, const std::string& path, GHashTable* query);
  void list(SoupServerMessage* msg, GHashTable* query);
  void add(SoupServerMessage* msg);
  void update(SoupServerMessage* msg, int64_t id);
  void remove(SoupServerMessage* msg, int64_t id);
  void withUser(SoupServerMessage* msg, std::function<void(const User&, Rest::Finish)> then);

  AuthService& auth_;
  DbWorker& worker_;
  UserPresence& presence_;
  RoomBoard& board_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace carrel::control
