// For tests of /metrics: an HTTP GET over a plain socket, and a strict parser of the
// Prometheus text format (0.0.4) that refuses what a lenient scraper would let through:
// samples before their # TYPE, a family split in two, duplicate series, bad escapes, names
// or numbers, counters not named *_total, a missing final newline.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace carrel::test {

struct HttpReply {
  int status = 0;  // 0: no answer
  std::string contentType;
  std::string body;
};
HttpReply httpGet(int port, const std::string& path);

struct PromSample {
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct PromFamily {
  std::string help;
  std::string type;
  std::vector<PromSample> samples;
};

struct PromText {
  std::map<std::string, PromFamily> families;
  // The samples of a family whose labels include all of `match` (nullptr-safe: empty if none).
  std::vector<PromSample> select(const std::string& family,
                                 const std::map<std::string, std::string>& match = {}) const;
  // The one matching sample's value; nullopt when none or several match.
  std::optional<double> value(const std::string& family,
                              const std::map<std::string, std::string>& match = {}) const;
};

// nullopt and *error (with the line number) when the text breaks a rule.
std::optional<PromText> parsePrometheus(const std::string& text, std::string* error);

}  // namespace carrel::test
