// The peer's report on stdout: one JSON object per line (--json) or one readable line per
// event. Every line is flushed at once, since a test reads it while the peer runs.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>

#include "GPtr.hpp"

namespace carrel::peer {

class Output {
 public:
  explicit Output(bool json, FILE* out = stdout) : json_(json), out_(out) {}

  // `event` becomes the object's first member "event".
  void emit(const std::string& event, JsonObject* fields);
  void emit(const std::string& event);

  // The text a call to emit() writes, without the newline (exposed for tests).
  std::string format(const std::string& event, JsonObject* fields) const;

 private:
  bool json_;
  FILE* out_;
  std::mutex mu_;
};

}  // namespace carrel::peer
