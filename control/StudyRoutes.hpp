// The study REST routes (docs/protocol.md, "Study time"): a user's stats (today, week, month,
// streak), a month calendar, the goal/boundary/time-zone settings, and the leaderboards.
#pragma once

#include <libsoup/soup.h>

#include <functional>
#include <string>

#include "AuthService.hpp"
#include "DbWorker.hpp"
#include "Leaderboards.hpp"
#include "Rest.hpp"

namespace carrel::control {

class StudyRoutes {
 public:
  StudyRoutes(AuthService& auth, DbWorker& worker, Leaderboards& boards)
      : auth_(auth), worker_(worker), boards_(boards) {}
  void install(SoupServer* server);

 private:
  void route(SoupServerMessage* msg, const std::string& path, GHashTable* query);
  void stats(SoupServerMessage* msg);
  void calendar(SoupServerMessage* msg, GHashTable* query);
  void settings(SoupServerMessage* msg);
  void leaderboard(SoupServerMessage* msg, GHashTable* query);
  void board(SoupServerMessage* msg, GHashTable* query);
  void withUser(SoupServerMessage* msg, bool required,
                std::function<void(const User&, Rest::Finish)> then);

  AuthService& auth_;
  DbWorker& worker_;
  Leaderboards& boards_;
};

}  // namespace carrel::control
