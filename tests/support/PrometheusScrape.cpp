#include "PrometheusScrape.hpp"

#include <cmath>
#include <cstdlib>
#include <set>
#include <sstream>

#include "RawHttp.hpp"

namespace carrel::test {

HttpReply httpGet(int port, const std::string& path) {
  RawHttp h = RawHttp::exchange(port, RawHttp::head("GET", path) + "\r\n", 10);
  HttpReply r;
  r.status = h.status;
  r.contentType = h.header("content-type");
  r.body = h.body;
  return r;
}

namespace {

bool isMetricName(const std::string& s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':' ||
              (i > 0 && std::isdigit(static_cast<unsigned char>(c)));
    if (!ok) return false;
  }
  return true;
}

bool isLabelName(const std::string& s) {
  if (s.empty() || s.rfind("__", 0) == 0) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
              (i > 0 && std::isdigit(static_cast<unsigned char>(c)));
    if (!ok) return false;
  }
  return true;
}

bool parseValue(const std::string& s, double* out) {
  if (s == "NaN") {
    *out = NAN;
    return true;
  }
  if (s == "+Inf" || s == "Inf") {
    *out = INFINITY;
    return true;
  }
  if (s == "-Inf") {
    *out = -INFINITY;
    return true;
  }
  if (s.empty()) return false;
  for (char c : s) {
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == 'e' || c == 'E' ||
          c == '+' || c == '-')) {
      return false;
    }
  }
  char* end = nullptr;
  *out = std::strtod(s.c_str(), &end);
  return end && *end == '\0';
}

}  // namespace

std::vector<PromSample> PromText::select(const std::string& family,
                                         const std::map<std::string, std::string>& match) const {
  std::vector<PromSample> out;
  auto it = families.find(family);
  if (it == families.end()) return out;
  for (const auto& s : it->second.samples) {
    bool all = true;
    for (const auto& [k, v] : match) {
      auto l = s.labels.find(k);
      all = all && l != s.labels.end() && l->second == v;
    }
    if (all) out.push_back(s);
  }
  return out;
}

std::optional<double> PromText::value(const std::string& family,
                                      const std::map<std::string, std::string>& match) const {
  auto s = select(family, match);
  if (s.size() != 1) return std::nullopt;
  return s[0].value;
}

std::optional<PromText> parsePrometheus(const std::string& text, std::string* error) {
  PromText out;
  int lineNo = 0;
  auto fail = [&](const std::string& why) {
    if (error) *error = "line " + std::to_string(lineNo) + ": " + why;
    return std::optional<PromText>();
  };
  if (!text.empty() && text.back() != '\n') {
    lineNo = 0;
    return fail("the text does not end with a newline");
  }
  std::set<std::string> closed;  // families whose samples have ended
  std::set<std::string> seenSeries;
  std::string current;  // the family whose samples are being read
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    std::string line = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++lineNo;
    if (line.empty()) return fail("empty line");
    if (line[0] == '#') {
      std::istringstream in(line);
      std::string hash, kind, name;
      in >> hash >> kind >> name;
      if (hash != "#" || (kind != "HELP" && kind != "TYPE")) return fail("unknown comment");
      if (!isMetricName(name)) return fail("bad metric name '" + name + "'");
      if (closed.count(name) || (!current.empty() && current != name && out.families.count(name))) {
        return fail("metadata of " + name + " after its samples or a second time");
      }
      if (!current.empty() && current != name) {
        closed.insert(current);
        current.clear();
      }
      PromFamily& f = out.families[name];
      size_t start = line.find(name, 2 + kind.size()) + name.size();
      std::string rest = start < line.size() ? line.substr(start + 1) : "";
      if (kind == "HELP") {
        if (!f.help.empty()) return fail("second HELP for " + name);
        if (!f.samples.empty()) return fail("HELP after samples of " + name);
        for (size_t i = 0; i < rest.size(); ++i) {
          if (rest[i] == '\\' &&
              (i + 1 >= rest.size() || (rest[i + 1] != '\\' && rest[i + 1] != 'n'))) {
            return fail("bad escape in HELP of " + name);
          }
          if (rest[i] == '\\') ++i;
        }
        f.help = rest.empty() ? " " : rest;
      } else {
        if (!f.type.empty()) return fail("second TYPE for " + name);
        if (!f.samples.empty()) return fail("TYPE after samples of " + name);
        static const std::set<std::string> types{"counter", "gauge", "histogram", "summary",
                                                 "untyped"};
        if (!types.count(rest)) return fail("unknown type '" + rest + "'");
        if (rest == "counter" && (name.size() < 6 || name.substr(name.size() - 6) != "_total")) {
          return fail("counter " + name + " is not named *_total");
        }
        f.type = rest;
      }
      current = name;
      continue;
    }
    // A sample: name[{labels}] value [timestamp]
    size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
    std::string name = line.substr(0, i);
    if (!isMetricName(name)) return fail("bad metric name '" + name + "'");
    auto fam = out.families.find(name);
    if (fam == out.families.end() || fam->second.type.empty()) {
      return fail("sample of " + name + " without a TYPE before it");
    }
    if (current != name) return fail("samples of " + name + " are not together");
    PromSample s;
    std::string canonical = name + "{";
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (true) {
        if (i < line.size() && line[i] == '}') {
          ++i;
          break;
        }
        size_t eq = line.find('=', i);
        if (eq == std::string::npos) return fail("label without '='");
        std::string key = line.substr(i, eq - i);
        if (!isLabelName(key)) return fail("bad label name '" + key + "'");
        if (s.labels.count(key)) return fail("label " + key + " twice");
        i = eq + 1;
        if (i >= line.size() || line[i] != '"') return fail("label value not quoted");
        ++i;
        std::string value;
        bool closedQuote = false;
        while (i < line.size()) {
          char c = line[i++];
          if (c == '"') {
            closedQuote = true;
            break;
          }
          if (c == '\\') {
            if (i >= line.size()) return fail("escape at end of line");
            char e = line[i++];
            if (e == '\\') {
              value += '\\';
            } else if (e == '"') {
              value += '"';
            } else if (e == 'n') {
              value += '\n';
            } else {
              return fail(std::string("bad escape \\") + e);
            }
          } else {
            value += c;
          }
        }
        if (!closedQuote) return fail("unterminated label value");
        s.labels[key] = value;
        if (i < line.size() && line[i] == ',') {
          ++i;
        } else if (i >= line.size() || line[i] != '}') {
          return fail("expected ',' or '}' after a label");
        }
      }
    }
    for (const auto& [k, v] : s.labels) canonical += k + "=" + v + "\x01";
    if (!seenSeries.insert(canonical).second) return fail("duplicate series of " + name);
    if (i >= line.size() || line[i] != ' ') return fail("no space before the value");
    std::string rest = line.substr(i + 1);
    std::string valueText = rest.substr(0, rest.find(' '));
    if (!parseValue(valueText, &s.value)) return fail("bad value '" + valueText + "'");
    if (rest.find(' ') != std::string::npos) {
      std::string ts = rest.substr(rest.find(' ') + 1);
      if (ts.empty() || ts.find_first_not_of("-0123456789") != std::string::npos) {
        return fail("bad timestamp '" + ts + "'");
      }
    }
    if (fam->second.type == "counter" && !(s.value >= 0)) return fail("negative counter " + name);
    fam->second.samples.push_back(std::move(s));
  }
  for (const auto& [name, f] : out.families) {
    if (f.type.empty()) {
      lineNo = 0;
      return fail("family " + name + " has no TYPE");
    }
  }
  return out;
}

}  // namespace carrel::test
