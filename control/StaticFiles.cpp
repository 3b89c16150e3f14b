#include "StaticFiles.hpp"

#include <filesystem>
#include <map>

#include "GPtr.hpp"

namespace fs = std::filesystem;

namespace carrel::control {

StaticFiles::StaticFiles(std::string root) {
  std::error_code ec;
  fs::path canon = fs::canonical(root, ec);
  root_ = ec ? root : canon.string();
  if (ec) g_warning("web root %s: %s", root.c_str(), ec.message().c_str());
}

const char* StaticFiles::contentTypeFor(std::string_view path) {
  static const std::map<std::string_view, const char*> types{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript"},
      {".mjs", "text/javascript"},
      {".css", "text/css"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".json", "application/json"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
  };
  size_t dot = path.rfind('.');
  size_t slash = path.rfind('/');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) {
    return "application/octet-stream";
  }
  auto it = types.find(path.substr(dot));
  return it == types.end() ? "application/octet-stream" : it->second;
}

std::optional<std::string> StaticFiles::resolve(std::string_view urlPath) const {
  if (urlPath.empty() || urlPath[0] != '/') return std::nullopt;
  GCharPtr decoded(
      g_uri_unescape_segment(urlPath.data(), urlPath.data() + urlPath.size(), nullptr));
  if (!decoded) return std::nullopt;  // an escaped NUL or a bad escape
  std::string path(decoded.get());
  if (path.find('\\') != std::string::npos) return std::nullopt;
  // Refuse any ".." segment outright, before the file system sees it.
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (path.compare(start, end - start, "..") == 0) return std::nullopt;
    start = end + 1;
  }
  fs::path candidate = fs::path(root_) / path.substr(1);
  std::error_code ec;
  if (fs::is_directory(candidate, ec)) candidate /= "index.html";
  fs::path canon = fs::canonical(candidate, ec);
  if (ec) return std::nullopt;
  std::string c = canon.string();
  // Symlinks are followed by canonical(): what they point to must still be inside the root.
  if (c.size() <= root_.size() || c.compare(0, root_.size(), root_) != 0 ||
      c[root_.size()] != '/') {
    return std::nullopt;
  }
  if (!fs::is_regular_file(canon, ec)) return std::nullopt;
  return c;
}

void StaticFiles::serve(SoupServerMessage* msg) {
  SoupMessageHeaders* headers = soup_server_message_get_response_headers(msg);
  soup_message_headers_replace(headers, "Cache-Control", "no-cache");
  const char* method = soup_server_message_get_method(msg);
  bool head = g_strcmp0(method, "HEAD") == 0;
  if (!head && g_strcmp0(method, "GET") != 0) {
    soup_message_headers_replace(headers, "Allow", "GET, HEAD");
    soup_server_message_set_status(msg, SOUP_STATUS_METHOD_NOT_ALLOWED, nullptr);
    return;
  }
  GUri* uri = soup_server_message_get_uri(msg);
  const char* raw = uri ? g_uri_get_path(uri) : "/";
  auto file = resolve(raw ? raw : "/");
  if (!file) {
    static const char kNotFound[] = "not found\n";
    soup_server_message_set_status(msg, SOUP_STATUS_NOT_FOUND, nullptr);
    soup_server_message_set_response(msg, "text/plain; charset=utf-8", SOUP_MEMORY_STATIC,
                                     kNotFound, sizeof kNotFound - 1);
    return;
  }
  gchar* contents = nullptr;
  gsize length = 0;
  GError* raw_err = nullptr;
  if (!g_file_get_contents(file->c_str(), &contents, &length, &raw_err)) {
    GErrorPtr err(raw_err);
    g_warning("static file %s: %s", file->c_str(), err ? err->message : "unreadable");
    soup_server_message_set_status(msg, SOUP_STATUS_NOT_FOUND, nullptr);
    return;
  }
  soup_server_message_set_status(msg, SOUP_STATUS_OK, nullptr);
  // SOUP_MEMORY_TAKE hands the buffer to libsoup, which frees it with the message.
  soup_server_message_set_response(msg, contentTypeFor(*file), SOUP_MEMORY_TAKE, contents, length);
}

}  // namespace carrel::control
