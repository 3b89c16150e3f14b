// One HTTP/1.1 exchange over a fresh loopback connection, written by hand rather than with
// libsoup so tests can send what a real client would not (chunked uploads, bad headers, a
// body cut short) and see the server's answer byte for byte.
#pragma once

#include <map>
#include <string>

namespace carrel::test {

class RawHttp {
 public:
  int status = 0;                              // 0: no answer (refused, timed out, not HTTP)
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;                            // chunked transfer coding already removed
  std::string text;                            // the whole answer as received, for diagnostics

  // `request` is the complete request (request line, headers, blank line, body). The request
  // is sent as far as the server reads it: a server that refuses early may close first.
  static RawHttp exchange(int port, const std::string& request, int timeoutSeconds = 20);

  // A request line with Host and Connection: close; `extraHeaders` end in CRLF each.
  static std::string head(const std::string& method, const std::string& target,
                          const std::string& extraHeaders = "");

  std::string header(const std::string& name) const;
};

}  // namespace carrel::test
