// Appends one JSON object per line to a session's manifest.jsonl. Each line is one write()
// on an O_APPEND descriptor, so a crash leaves whole lines plus at most one partial last
// line, which SessionManifest skips. Main context only.
#pragma once

#include <string>

#include "GPtr.hpp"

namespace carrel::recorder {

class ManifestWriter {
 public:
  ManifestWriter() = default;
  ~ManifestWriter();
  ManifestWriter(const ManifestWriter&) = delete;
  ManifestWriter& operator=(const ManifestWriter&) = delete;

  bool open(const std::string& path, std::string* error);
  // Writes the object as one line, with "type" and "t_us" set.
  bool append(const char* type, int64_t tUs, JsonObject* fields);
  void close();

 private:
  int fd_ = -1;
};

}  // namespace carrel::recorder
