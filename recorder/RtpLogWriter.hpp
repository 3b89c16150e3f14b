// Appends RTP packets to a captured-track file (RtpLogFormat.hpp). Thread-safe: the SFU's
// recording branch appends on its own streaming thread, and a timer flushes from the main
// context so even a track that went silent has its tail on disk within kFlushIntervalUs.
#pragma once

#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>

namespace carrel::recorder {

class RtpLogWriter {
 public:
  RtpLogWriter() = default;
  ~RtpLogWriter();
  RtpLogWriter(const RtpLogWriter&) = delete;
  RtpLogWriter& operator=(const RtpLogWriter&) = delete;

  // Creates the file (it must not exist). False and why when it cannot.
  bool open(const std::string& path, std::string* error);
  // The header: called once, before the first packet (the caps are known with the first one).
  bool writeHeader(const std::string& caps);
  bool hasHeader() const;
  // One packet; packets over 65535 bytes or under an RTP header are counted as dropped.
  void append(int64_t arrivalUs, const uint8_t* data, size_t size);
  void flush();
  void close();

  uint64_t packets() const;
  uint64_t bytes() const;  // file size so far
  uint64_t dropped() const;
  int64_t firstUs() const;
  int64_t lastUs() const;

 private:
  void flushLocked();

  mutable std::mutex mutex_;
  FILE* file_ = nullptr;
  bool header_ = false;
  bool failed_ = false;
  uint64_t packets_ = 0;
  uint64_t bytes_ = 0;
  uint64_t dropped_ = 0;
  int64_t firstUs_ = 0;
  int64_t lastUs_ = 0;
  int64_t lastFlushUs_ = 0;
};

}  // namespace carrel::recorder
