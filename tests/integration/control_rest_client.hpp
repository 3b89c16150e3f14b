// A tiny blocking HTTP/1.1 client for the REST tests: one request per connection, JSON body.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "Json.hpp"

namespace carrel::test {

struct Rest {
  int status = 0;
  JsonObjectPtr json;
  std::string raw;
  std::string code() const {
    JsonObject* e = json::getObject(json.get(), "error");
    return e ? json::getString(e, "code").value_or("") : "";
  }
};

inline Rest rest(int port, const std::string& method, const std::string& path,
                 const std::string& body, const std::string& token = "") {
  Rest r;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{20, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return r;
  }
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (!token.empty()) req += "Authorization: Bearer " + token + "\r\n";
  if (!body.empty()) {
    req +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n" + body;
  size_t off = 0;
  while (off < req.size()) {
    ssize_t n = send(fd, req.data() + off, req.size() - off, MSG_NOSIGNAL);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) r.raw.append(buf, static_cast<size_t>(n));
  close(fd);
  if (r.raw.compare(0, 9, "HTTP/1.1 ") != 0) return r;
  r.status = std::atoi(r.raw.c_str() + 9);
  size_t headEnd = r.raw.find("\r\n\r\n");
  if (headEnd != std::string::npos) {
    std::string why;
    r.json = json::parseObject(r.raw.substr(headEnd + 4), &why);
  }
  return r;
}

}  // namespace carrel::test
