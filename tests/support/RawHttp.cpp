#include "RawHttp.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>

namespace carrel::test {

namespace {

std::string dechunk(const std::string& body) {
  std::string out;
  size_t at = 0;
  for (;;) {
    size_t eol = body.find("\r\n", at);
    if (eol == std::string::npos) break;
    size_t len = std::strtoul(body.substr(at, eol - at).c_str(), nullptr, 16);
    if (len == 0) break;
    out += body.substr(eol + 2, len);
    at = eol + 2 + len + 2;
  }
  return out;
}

}  // namespace

std::string RawHttp::head(const std::string& method, const std::string& target,
                          const std::string& extraHeaders) {
  return method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
         extraHeaders;
}

RawHttp RawHttp::exchange(int port, const std::string& request, int timeoutSeconds) {
  RawHttp r;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return r;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{timeoutSeconds, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return r;
  }
  size_t off = 0;
  while (off < request.size()) {
    ssize_t n = send(fd, request.data() + off, request.size() - off, MSG_NOSIGNAL);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  char buf[65536];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) r.text.append(buf, static_cast<size_t>(n));
  close(fd);
  size_t headEnd = r.text.find("\r\n\r\n");
  if (headEnd == std::string::npos || r.text.compare(0, 9, "HTTP/1.1 ") != 0) return r;
  r.status = std::atoi(r.text.c_str() + 9);
  size_t pos = r.text.find("\r\n") + 2;
  while (pos < headEnd) {
    size_t eol = r.text.find("\r\n", pos);
    std::string line = r.text.substr(pos, eol - pos);
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      size_t v = line.find_first_not_of(' ', colon + 1);
      r.headers[name] = v == std::string::npos ? "" : line.substr(v);
    }
    pos = eol + 2;
  }
  r.body = r.text.substr(headEnd + 4);
  auto te = r.headers.find("transfer-encoding");
  if (te != r.headers.end() && te->second.find("chunked") != std::string::npos) {
    r.body = dechunk(r.body);
  }
  return r;
}

std::string RawHttp::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

}  // namespace carrel::test
