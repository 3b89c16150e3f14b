#include "ManifestWriter.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "Json.hpp"

namespace carrel::recorder {

ManifestWriter::~ManifestWriter() {
  close();
}

bool ManifestWriter::open(const std::string& path, std::string* error) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    *error = "cannot open " + path + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

bool ManifestWriter::append(const char* type, int64_t tUs, JsonObject* fields) {
  if (fd_ < 0) return false;
  JsonObjectPtr line(json_object_new());
  json_object_set_string_member(line.get(), "type", type);
  json_object_set_int_member(line.get(), "t_us", tUs);
  if (fields) {
    JsonObjectIter it;
    const gchar* name = nullptr;
    JsonNode* node = nullptr;
    json_object_iter_init(&it, fields);
    while (json_object_iter_next(&it, &name, &node)) {
      if (g_strcmp0(name, "type") == 0 || g_strcmp0(name, "t_us") == 0) continue;
      json_object_set_member(line.get(), name, json_node_copy(node));
    }
  }
  std::string text = json::stringify(line.get()) + "\n";
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

void ManifestWriter::close() {
  if (fd_ < 0) return;
  fsync(fd_);
  ::close(fd_);
  fd_ = -1;
}

}  // namespace carrel::recorder
