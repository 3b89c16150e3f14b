#include "RtpLogWriter.hpp"

#include <fcntl.h>
#include <glib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "RtpLogFormat.hpp"

namespace carrel::recorder {

namespace {
void putU16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
void putU64(uint8_t* p, uint64_t v) {
  for (int i = 7; i >= 0; --i) {
    p[i] = static_cast<uint8_t>(v);
    v >>= 8;
  }
}
}  // namespace

RtpLogWriter::~RtpLogWriter() {
  close();
}

bool RtpLogWriter::open(const std::string& path, std::string* error) {
  std::lock_guard lock(mutex_);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    *error = "cannot create " + path + ": " + std::strerror(errno);
    return false;
  }
  file_ = fdopen(fd, "wb");
  if (!file_) {
    ::close(fd);
    *error = "cannot open " + path;
    return false;
  }
  // Big enough that a second of a 2 Mbit/s track is a few writes, small enough to flush fast.
  setvbuf(file_, nullptr, _IOFBF, 64 * 1024);
  lastFlushUs_ = g_get_real_time();
  return true;
}

bool RtpLogWriter::writeHeader(const std::string& caps) {
  std::lock_guard lock(mutex_);
  if (!file_ || header_ || caps.size() > kRtpLogMaxCaps) return false;
  uint8_t len[2];
  putU16(len, static_cast<uint16_t>(caps.size()));
  bool ok = fwrite(kRtpLogMagic, 1, sizeof kRtpLogMagic, file_) == sizeof kRtpLogMagic &&
            fwrite(len, 1, 2, file_) == 2 &&
            fwrite(caps.data(), 1, caps.size(), file_) == caps.size();
  header_ = ok;
  failed_ = !ok;
  bytes_ += sizeof kRtpLogMagic + 2 + caps.size();
  flushLocked();
  return ok;
}

bool RtpLogWriter::hasHeader() const {
  std::lock_guard lock(mutex_);
  return header_;
}

void RtpLogWriter::append(int64_t arrivalUs, const uint8_t* data, size_t size) {
  std::lock_guard lock(mutex_);
  if (!file_ || !header_ || failed_ || size < kRtpMinPacket || size > 0xffff) {
    ++dropped_;
    return;
  }
  uint8_t head[kRtpRecordHeader];
  putU16(head, static_cast<uint16_t>(size));
  putU64(head + 2, static_cast<uint64_t>(arrivalUs));
  if (fwrite(head, 1, sizeof head, file_) != sizeof head || fwrite(data, 1, size, file_) != size) {
    // A full disk: stop writing rather than leave a record cut in the middle of the file.
    failed_ = true;
    ++dropped_;
    return;
  }
  if (packets_ == 0) firstUs_ = arrivalUs;
  lastUs_ = arrivalUs;
  ++packets_;
  bytes_ += sizeof head + size;
  if (arrivalUs - lastFlushUs_ >= kFlushIntervalUs) flushLocked();
}

void RtpLogWriter::flush() {
  std::lock_guard lock(mutex_);
  flushLocked();
}

void RtpLogWriter::flushLocked() {
  if (!file_) return;
  // fflush hands the data to the kernel: it then survives the death of this process.
  if (fflush(file_) != 0) failed_ = true;
  lastFlushUs_ = g_get_real_time();
}

void RtpLogWriter::close() {
  std::lock_guard lock(mutex_);
  if (!file_) return;
  fflush(file_);
  fsync(fileno(file_));
  fclose(file_);
  file_ = nullptr;
}

uint64_t RtpLogWriter::packets() const {
  std::lock_guard lock(mutex_);
  return packets_;
}
uint64_t RtpLogWriter::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}
uint64_t RtpLogWriter::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}
int64_t RtpLogWriter::firstUs() const {
  std::lock_guard lock(mutex_);
  return firstUs_;
}
int64_t RtpLogWriter::lastUs() const {
  std::lock_guard lock(mutex_);
  return lastUs_;
}

}  // namespace carrel::recorder
