// Reads a captured-track file (RtpLogFormat.hpp) front to back. Never throws: a file cut
// short by a crash simply ends at its last complete record (truncated() then says so).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace carrel::recorder {

class RtpLogReader {
 public:
  struct Packet {
    int64_t arrivalUs = 0;
    std::vector<uint8_t> data;
  };

  RtpLogReader() = default;
  ~RtpLogReader();
  RtpLogReader(const RtpLogReader&) = delete;
  RtpLogReader& operator=(const RtpLogReader&) = delete;

  // Opens read-only and reads the header. False and why when it is not a track file.
  bool open(const std::string& path, std::string* error);
  const std::string& caps() const { return caps_; }
  // The next packet; false at the end (or at a damaged or incomplete record).
  bool next(Packet* out);
  // The file ended inside a record, or held one that cannot be an RTP packet.
  bool truncated() const { return truncated_; }

 private:
  FILE* file_ = nullptr;
  std::string caps_;
  bool truncated_ = false;
};

}  // namespace carrel::recorder
