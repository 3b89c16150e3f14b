// One study material arriving over HTTP, streamed to a temporary file chunk by chunk (never
// held whole in memory) while its SHA-256, size and type are worked out. commit() moves it
// to its place by content hash; a file never committed is removed with the upload.
#pragma once

#include <glib.h>

#include <memory>
#include <optional>
#include <string>

#include "ContentSniffer.hpp"
#include "GPtr.hpp"

namespace carrel::control {

class MaterialUpload {
 public:
  // A temporary file in tmpDir; nullptr (and why) when it cannot be made.
  static std::unique_ptr<MaterialUpload> open(const std::string& tmpDir, int64_t maxBytes,
                                              std::string* error);
  ~MaterialUpload();
  MaterialUpload(const MaterialUpload&) = delete;
  MaterialUpload& operator=(const MaterialUpload&) = delete;

  // Writes a chunk; past maxBytes nothing more is written and overflowed() turns true.
  void write(const char* data, size_t size);
  bool overflowed() const { return overflowed_; }
  bool failed() const { return failed_; }
  int64_t size() const { return size_; }
  std::optional<std::string> type() const { return sniffer_.type(); }
  std::string sha256();  // once the body is complete

  // Makes the file durable and moves it to finalPath (kept as it is when the same content is
  // already there). Blocking: run it off the main loop.
  bool commit(const std::string& finalPath, std::string* error);

 private:
  MaterialUpload(int fd, std::string path, int64_t maxBytes);
  int fd_;
  std::string path_;
  int64_t max_;
  int64_t size_ = 0;
  bool overflowed_ = false;
  bool failed_ = false;
  bool committed_ = false;
  struct ChecksumFree {
    void operator()(GChecksum* c) const { g_checksum_free(c); }
  };
  std::unique_ptr<GChecksum, ChecksumFree> sum_;
  std::string digest_;
  ContentSniffer sniffer_;
};

}  // namespace carrel::control
