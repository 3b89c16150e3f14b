// The rooms REST routes: create, read, update, delete, and list/search by title, tag and
// category, each room with who is in it now (from the shared Redis room directory). Owners
// (or admins) change and delete their rooms; private rooms are listed only to their owner.
#pragma once

#include <libsoup/soup.h>

#include <functional>
#include <string>

#include "AuthService.hpp"
#include "DbWorker.hpp"
#include "RecordingStore.hpp"
#include "Rest.hpp"
#include "RoomDirectory.hpp"
#include "RoomStore.hpp"

namespace carrel::control {

class RoomRoutes {
 public:
  RoomRoutes(AuthService& auth, DbWorker& worker, RoomDirectory& directory)
      : auth_(auth), worker_(worker), directory_(directory) {}
  void install(SoupServer* server);

 private:
  void route(SoupServerMessage* msg, const std::string& path, GHashTable* query);
  void create(SoupServerMessage* msg);
  void list(SoupServerMessage* msg, GHashTable* query);
  void show(SoupServerMessage* msg, const std::string& id);
  void confirmRecording(const std::string& room, const RecordingRow& row,
                        std::function<void(bool)> answer);
  void change(SoupServerMessage* msg, const std::string& id);
  void remove(SoupServerMessage* msg, const std::string& id);
  // Runs then(user) with the authenticated user; user.id is 0 when optional and anonymous.
  void withUser(SoupServerMessage* msg, bool required,
                std::function<void(const User&, Rest::Finish)> then);

  AuthService& auth_;
  DbWorker& worker_;
  RoomDirectory& directory_;
};

}  // namespace carrel::control
