#include "MaterialUpload.hpp"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include <cstring>

namespace carrel::control {

std::unique_ptr<MaterialUpload> MaterialUpload::open(const std::string& tmpDir, int64_t maxBytes,
                                                     std::string* error) {
  std::string path = tmpDir + "/upload-XXXXXX";
  int fd = g_mkstemp_full(path.data(), O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (error) *error = "cannot create a file in " + tmpDir + ": " + std::strerror(errno);
    return nullptr;
  }
  return std::unique_ptr<MaterialUpload>(new MaterialUpload(fd, path, maxBytes));
}

MaterialUpload::MaterialUpload(int fd, std::string path, int64_t maxBytes)
    : fd_(fd), path_(std::move(path)), max_(maxBytes), sum_(g_checksum_new(G_CHECKSUM_SHA256)) {}

MaterialUpload::~MaterialUpload() {
  if (fd_ >= 0) close(fd_);
  if (!committed_) g_unlink(path_.c_str());
}

void MaterialUpload::write(const char* data, size_t size) {
  if (overflowed_ || failed_) return;
  if (size_ + static_cast<int64_t>(size) > max_) {
    overflowed_ = true;
    return;
  }
  size_ += static_cast<int64_t>(size);
  g_checksum_update(sum_.get(), reinterpret_cast<const guchar*>(data), static_cast<gssize>(size));
  sniffer_.feed(data, size);
  while (size > 0) {
    ssize_t n = ::write(fd_, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      g_warning("upload %s: write failed: %s", path_.c_str(), std::strerror(errno));
      failed_ = true;
      return;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
}

std::string MaterialUpload::sha256() {
  if (digest_.empty()) digest_ = g_checksum_get_string(sum_.get());
  return digest_;
}

bool MaterialUpload::commit(const std::string& finalPath, std::string* error) {
  if (fsync(fd_) != 0 || close(fd_) != 0) {
    fd_ = -1;
    if (error) *error = std::string("cannot flush the upload: ") + std::strerror(errno);
    return false;
  }
  fd_ = -1;
  GCharPtr dir(g_path_get_dirname(finalPath.c_str()));
  if (g_mkdir_with_parents(dir.get(), 0750) != 0) {
    if (error) *error = "cannot create " + std::string(dir.get()) + ": " + std::strerror(errno);
    return false;
  }
  // Same hash, same bytes: an existing file is the upload already. The copy goes now, not
  // when the request is finalized after its answer, so the answer leaves no stray file.
  if (g_file_test(finalPath.c_str(), G_FILE_TEST_IS_REGULAR)) {
    g_unlink(path_.c_str());
    committed_ = true;
    return true;
  }
  if (g_rename(path_.c_str(), finalPath.c_str()) != 0) {
    if (error) *error = "cannot move the upload into place: " + std::string(std::strerror(errno));
    return false;
  }
  committed_ = true;
  // The rename is durable once the folder holding it is.
  int dfd = ::open(dir.get(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  return true;
}

}  // namespace carrel::control
