// Helpers shared by the control integration tests: a carrel-control started alone (with its
// own Redis or a given one), raw HTTP requests over a socket (so paths reach the server
// exactly as written), and redis-cli queries against a test's private Redis.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "Json.hpp"
#include "Process.hpp"
#include "RawHttp.hpp"
#include "TestEnv.hpp"

namespace carrel::test {

inline bool isReadyLine(const std::string& line) {
  return line.find("\"event\":\"ready\"") != std::string::npos;
}

struct ControlProcess {
  std::unique_ptr<Process> proc;
  int port = 0;
  std::string readyLine;
  std::string wsUrl() const { return "ws://127.0.0.1:" + std::to_string(port) + "/ws"; }
};

inline ControlProcess startControl(const std::string& dir, int redisPort, const std::string& nodeId,
                                   std::vector<std::string> extra = {}) {
  ControlProcess c;
  c.port = freePort();
  std::vector<std::string> argv{binary("carrel-control"),
                                "--port",
                                std::to_string(c.port),
                                "--redis-port",
                                std::to_string(redisPort),
                                "--node-id",
                                nodeId};
  argv.insert(argv.end(), extra.begin(), extra.end());
  c.proc = std::make_unique<Process>(argv, dir + "/" + nodeId + ".log");
  c.readyLine = c.proc->waitForLine(isReadyLine, std::chrono::seconds(20));
  if (c.readyLine.empty())
    throw std::runtime_error("carrel-control not ready, see " + c.proc->logPath());
  return c;
}

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

inline HttpResponse httpRequest(int port, const std::string& method, const std::string& rawPath) {
  RawHttp h = RawHttp::exchange(port, RawHttp::head(method, rawPath) + "\r\n", 5);
  return {h.status, h.headers, h.body};
}

// A bare WebSocket client on a socket, for frames libsoup's client refuses to send (a text
// frame that is not UTF-8). Blocking, with a receive timeout.
class RawWebSocket {
 public:
  struct Frame {
    int opcode = -1;  // -1: nothing (timeout or closed socket)
    std::string payload;
  };
  ~RawWebSocket() {
    if (fd_ >= 0) close(fd_);
  }
  bool connect(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval tv{5, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return false;
    std::string req =
        "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    if (write(fd_, req.data(), req.size()) != static_cast<ssize_t>(req.size())) return false;
    while (buf_.find("\r\n\r\n") == std::string::npos) {
      if (!fill()) return false;
    }
    bool ok = buf_.compare(0, 12, "HTTP/1.1 101") == 0;
    buf_.erase(0, buf_.find("\r\n\r\n") + 4);
    return ok;
  }
  bool sendText(const std::string& payload) {
    std::string f;
    f.push_back(static_cast<char>(0x81));
    size_t n = payload.size();
    if (n < 126) {
      f.push_back(static_cast<char>(0x80 | n));
    } else {
      f.push_back(static_cast<char>(0x80 | 126));
      f.push_back(static_cast<char>((n >> 8) & 0xff));
      f.push_back(static_cast<char>(n & 0xff));
    }
    const unsigned char mask[4] = {0x12, 0x34, 0x56, 0x78};
    f.append(reinterpret_cast<const char*>(mask), 4);
    for (size_t i = 0; i < n; ++i) f.push_back(static_cast<char>(payload[i] ^ mask[i % 4]));
    return write(fd_, f.data(), f.size()) == static_cast<ssize_t>(f.size());
  }
  Frame readFrame() {
    Frame fr;
    if (!need(2)) return fr;
    auto b = [&](size_t i) { return static_cast<unsigned char>(buf_[i]); };
    size_t len = b(1) & 0x7f;
    size_t at = 2;
    if (len == 126) {
      if (!need(4)) return fr;
      len = (b(2) << 8) | b(3);
      at = 4;
    } else if (len == 127) {
      if (!need(10)) return fr;
      len = 0;
      for (int i = 2; i < 10; ++i) len = (len << 8) | b(static_cast<size_t>(i));
      at = 10;
    }
    if (!need(at + len)) return fr;
    fr.opcode = b(0) & 0x0f;
    fr.payload = buf_.substr(at, len);
    buf_.erase(0, at + len);
    return fr;
  }
  // The next text frame whose JSON "type" is type (skipping others); empty when none came.
  std::string readUntilType(const std::string& type) {
    for (;;) {
      Frame f = readFrame();
      if (f.opcode < 0 || f.opcode == 8) return "";
      if (f.opcode != 1) continue;
      JsonObjectPtr o = json::parseObject(f.payload, nullptr);
      if (o && json::getString(o.get(), "type").value_or("") == type) return f.payload;
    }
  }

 private:
  bool fill() {
    char tmp[4096];
    ssize_t n = read(fd_, tmp, sizeof tmp);
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }
  bool need(size_t n) {
    while (buf_.size() < n) {
      if (!fill()) return false;
    }
    return true;
  }
  int fd_ = -1;
  std::string buf_;
};

inline std::string redisCli(int port, const std::string& args) {
  std::string cmd = "redis-cli -h 127.0.0.1 -p " + std::to_string(port) + " " + args + " 2>&1";
  std::string out;
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) return out;
  std::array<char, 4096> b;
  size_t n;
  while ((n = fread(b.data(), 1, b.size(), f)) > 0) out.append(b.data(), n);
  pclose(f);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

inline std::string str(JsonObject* o, const char* name) {
  return json::getString(o, name).value_or("");
}

}  // namespace carrel::test
