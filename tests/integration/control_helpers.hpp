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
  HttpResponse r;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return r;
  }
  std::string req =
      method + " " + rawPath + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  if (write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) {
    close(fd);
    return r;
  }
  std::string all;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) all.append(buf, static_cast<size_t>(n));
  close(fd);
  size_t headEnd = all.find("\r\n\r\n");
  if (headEnd == std::string::npos || all.compare(0, 9, "HTTP/1.1 ") != 0) return r;
  r.status = std::atoi(all.c_str() + 9);
  size_t pos = all.find("\r\n") + 2;
  while (pos < headEnd) {
    size_t eol = all.find("\r\n", pos);
    std::string line = all.substr(pos, eol - pos);
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      size_t v = line.find_first_not_of(' ', colon + 1);
      r.headers[name] = v == std::string::npos ? "" : line.substr(v);
    }
    pos = eol + 2;
  }
  r.body = all.substr(headEnd + 4);
  return r;
}

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
