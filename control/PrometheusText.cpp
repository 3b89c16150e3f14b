#include "PrometheusText.hpp"

#include <cmath>
#include <cstdio>

namespace carrel::control {

void PrometheusText::family(const std::string& name, const std::string& help, const char* type) {
  if (families_.count(name)) return;
  order_.push_back(name);
  families_[name] = Family{help, type, {}};
}

void PrometheusText::sample(const std::string& name, const Labels& labels, double value) {
  auto it = families_.find(name);
  if (it == families_.end()) return;
  std::string& out = it->second.samples;
  out += name;
  if (!labels.empty()) {
    out += '{';
    for (size_t i = 0; i < labels.size(); ++i) {
      if (i) out += ',';
      out += labels[i].first;
      out += "=\"";
      out += escapeLabel(labels[i].second);
      out += '"';
    }
    out += '}';
  }
  out += ' ';
  out += formatValue(value);
  out += '\n';
}

std::string PrometheusText::str() const {
  std::string out;
  for (const auto& name : order_) {
    const Family& f = families_.at(name);
    out += "# HELP " + name + " " + escapeHelp(f.help) + "\n";
    out += "# TYPE " + name + " " + f.type + "\n";
    out += f.samples;
  }
  return out;
}

std::string PrometheusText::escapeLabel(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string PrometheusText::escapeHelp(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string PrometheusText::formatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  if (std::trunc(v) == v && std::fabs(v) <= 9007199254740992.0) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.9g", v);
  }
  return buf;
}

}  // namespace carrel::control
