// Study materials over REST: upload a file into a room (streamed to disk as it arrives, its
// type sniffed from its bytes, kept under the data folder by SHA-256, never by the client's
// name), list a room's files, and download one, each checked against room membership:
// admins, the room's owner, and users who have joined the room (room_visitors).
#pragma once

#include <libsoup/soup.h>

#include <cstdint>
#include <string>

#include "AuthService.hpp"
#include "ControlOptions.hpp"
#include "DbWorker.hpp"
#include "Rest.hpp"

namespace carrel::control {

class MaterialRoutes {
 public:
  MaterialRoutes(AuthService& auth, DbWorker& worker, const ControlOptions& options);
  // Makes the folders (and empties this node's leftovers of a crash mid-upload); false and
  // why when the data folder cannot be used.
  bool prepare(std::string* error);
  void install(SoupServer* server);

  // Where a file of this content lives.
  std::string pathFor(const std::string& sha256) const;

 private:
  void early(SoupServerMessage* msg, const std::string& path, GHashTable* query);
  void route(SoupServerMessage* msg, const std::string& path, GHashTable* query);
  void upload(SoupServerMessage* msg, GHashTable* query);
  void list(SoupServerMessage* msg, GHashTable* query);
  void download(SoupServerMessage* msg, uint64_t id, GHashTable* query);
  // Authenticates (Bearer header, or ?token= for plain links) and runs then with the user.
  void withUser(SoupServerMessage* msg, GHashTable* query,
                std::function<void(const User&, Rest::Finish)> then);

  AuthService& auth_;
  DbWorker& worker_;
  std::string root_;  // <data>/materials; "" when the server has no data folder
  std::string tmp_;   // <root>/tmp/<node>: partial uploads of this node only
  int64_t max_;
};

}  // namespace carrel::control
