// A tiny blocking HTTP/1.1 client for the REST tests: one request per connection, JSON body.
#pragma once

#include <string>

#include "Json.hpp"
#include "RawHttp.hpp"

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
  std::string extra;
  if (!token.empty()) extra += "Authorization: Bearer " + token + "\r\n";
  if (!body.empty()) {
    extra +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  RawHttp h = RawHttp::exchange(port, RawHttp::head(method, path, extra) + "\r\n" + body);
  Rest r;
  r.status = h.status;
  r.raw = h.text;
  if (h.status != 0) r.json = json::parseObject(h.body, nullptr);
  return r;
}

}  // namespace carrel::test
