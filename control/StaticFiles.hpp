// The web client's static files: one root folder, GET/HEAD only, no way out of the root
// (".." segments are refused and symlinks must resolve inside it), Cache-Control: no-cache.
#pragma once

#include <libsoup/soup.h>

#include <optional>
#include <string>
#include <string_view>

namespace carrel::control {

class StaticFiles {
 public:
  explicit StaticFiles(std::string root);

  void serve(SoupServerMessage* msg);

  // The file a request path names, or nullopt (404) when it names none inside the root.
  std::optional<std::string> resolve(std::string_view urlPath) const;
  static const char* contentTypeFor(std::string_view path);

 private:
  std::string root_;  // canonical, without a trailing slash
};

}  // namespace carrel::control
