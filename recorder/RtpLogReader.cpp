#include "RtpLogReader.hpp"

#include <cstring>

#include "RtpLogFormat.hpp"

namespace carrel::recorder {

RtpLogReader::~RtpLogReader() {
  if (file_) fclose(file_);
}

bool RtpLogReader::open(const std::string& path, std::string* error) {
  file_ = fopen(path.c_str(), "rbe");
  if (!file_) {
    *error = "cannot open " + path + ": " + std::strerror(errno);
    return false;
  }
  char magic[sizeof kRtpLogMagic];
  uint8_t len[2];
  if (fread(magic, 1, sizeof magic, file_) != sizeof magic ||
      std::memcmp(magic, kRtpLogMagic, sizeof magic) != 0 || fread(len, 1, 2, file_) != 2) {
    *error = path + " is not a Carrel track file";
    return false;
  }
  size_t n = (static_cast<size_t>(len[0]) << 8) | len[1];
  if (n == 0 || n > kRtpLogMaxCaps) {
    *error = path + ": bad caps length";
    return false;
  }
  caps_.resize(n);
  if (fread(caps_.data(), 1, n, file_) != n) {
    *error = path + ": header cut short";
    return false;
  }
  return true;
}

bool RtpLogReader::next(Packet* out) {
  if (!file_ || truncated_) return false;
  uint8_t head[kRtpRecordHeader];
  size_t got = fread(head, 1, sizeof head, file_);
  if (got == 0) return false;
  if (got != sizeof head) {
    truncated_ = true;
    return false;
  }
  size_t size = (static_cast<size_t>(head[0]) << 8) | head[1];
  uint64_t t = 0;
  for (int i = 0; i < 8; ++i) t = (t << 8) | head[2 + i];
  if (size < kRtpMinPacket) {
    truncated_ = true;
    return false;
  }
  out->data.resize(size);
  if (fread(out->data.data(), 1, size, file_) != size || (out->data[0] >> 6) != 2) {
    truncated_ = true;
    return false;
  }
  out->arrivalUs = static_cast<int64_t>(t);
  return true;
}

}  // namespace carrel::recorder
