// The recordings REST routes (docs/protocol.md, "Recordings"): the catalog per room, one
// recording, delete, render again, share links, the rendered video (HTTP range requests, so
// browsers can seek) and the timeline of room events for the review page. Files are served
// only from under the configured recordings folder, whatever a catalog row says.
#pragma once

#include <libsoup/soup.h>

#include <functional>
#include <optional>
#include <string>

#include "AuthService.hpp"
#include "DbWorker.hpp"
#include "RecordingService.hpp"
#include "RecordingStore.hpp"
#include "Rest.hpp"
#include "ShareLinks.hpp"

namespace carrel::control {

class RecordingRoutes {
 public:
  RecordingRoutes(AuthService& auth, DbWorker& worker, RecordingService& service,
                  std::string secret)
      : auth_(auth), worker_(worker), service_(service), links_(std::move(secret)) {}
  void install(SoupServer* server);

 private:
  struct Access;
  using Then = std::function<void(const Access&, Rest::Finish)>;

  void route(SoupServerMessage* msg, const std::string& path, GHashTable* query);
  void list(SoupServerMessage* msg, GHashTable* query);
  // Looks the recording up and checks who asks (share link, ?token= or Bearer) before then.
  void withRecording(SoupServerMessage* msg, GHashTable* query, const std::string& id, bool manage,
                     Then then);
  void video(SoupServerMessage* msg, const Access& a);
  void timeline(SoupServerMessage* msg, const Access& a);
  void share(SoupServerMessage* msg, const Access& a, int64_t ttl);

  AuthService& auth_;
  DbWorker& worker_;
  RecordingService& service_;
  ShareLinks links_;
};

}  // namespace carrel::control
