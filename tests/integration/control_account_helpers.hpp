// Helpers for the tests of a control plane with accounts: an account's access token, and a
// raw WebSocket upgrade (so a refusal's HTTP status and JSON body can be read).
#pragma once

#include <string>

#include "control_helpers.hpp"
#include "control_rest_client.hpp"

namespace carrel::test {

// Signs up (if needed) and logs in; the access token, "" on failure.
inline std::string accountToken(int port, const std::string& login, const std::string& name,
                                const std::string& password = "password-123") {
  json::Object up;
  up.set("login", login).set("password", password).set("display_name", name);
  rest(port, "POST", "/api/v1/auth/signup", up.str());
  json::Object in;
  in.set("login", login).set("password", password);
  Rest r = rest(port, "POST", "/api/v1/auth/login", in.str());
  return json::getString(r.json.get(), "token").value_or("");
}

inline std::string wsUrlWithToken(int port, const std::string& token) {
  char* escaped = g_uri_escape_string(token.c_str(), nullptr, FALSE);
  std::string url = "ws://127.0.0.1:" + std::to_string(port) + "/ws?token=" + escaped;
  g_free(escaped);
  return url;
}

// A WebSocket upgrade of rawTarget (e.g. "/ws?token=…") with extra header lines; the HTTP
// status (101 when upgraded) and, for a refusal, the JSON body.
struct UpgradeResult {
  int status = 0;
  JsonObjectPtr body;
  std::string errorCode() const {
    JsonObject* e = json::getObject(body.get(), "error");
    return e ? json::getString(e, "code").value_or("") : "";
  }
};

inline UpgradeResult rawUpgrade(int port, const std::string& rawTarget,
                                const std::string& extraHeaders = "") {
  UpgradeResult out;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return out;
  }
  std::string req = "GET " + rawTarget +
                    " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
                    extraHeaders + "\r\n";
  if (write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) {
    close(fd);
    return out;
  }
  std::string all;
  char buf[4096];
  for (;;) {
    size_t headEnd = all.find("\r\n\r\n");
    if (headEnd != std::string::npos) {
      out.status = all.compare(0, 9, "HTTP/1.1 ") == 0 ? std::atoi(all.c_str() + 9) : -1;
      if (out.status == 101) break;
      // Read the body up to its Content-Length (the server may keep the connection open).
      std::string lower = all.substr(0, headEnd);
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      size_t cl = lower.find("content-length:");
      size_t want =
          cl == std::string::npos ? 0 : std::strtoul(lower.c_str() + cl + 15, nullptr, 10);
      if (all.size() >= headEnd + 4 + want) {
        out.body = json::parseObject(all.substr(headEnd + 4, want), nullptr);
        break;
      }
    }
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    all.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

}  // namespace carrel::test
