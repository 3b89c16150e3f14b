// Writes the Prometheus text exposition format (version 0.0.4): every family once with its
// # HELP and # TYPE lines, its samples together after them, label values escaped.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace carrel::control {

class PrometheusText {
 public:
  using Labels = std::vector<std::pair<std::string, std::string>>;

  // Declares a family (type "gauge" or "counter"); families are written in this order, and
  // a declared family with no samples still gets its HELP and TYPE lines.
  void family(const std::string& name, const std::string& help, const char* type);
  // A sample of a declared family (a sample of an undeclared one is dropped).
  void sample(const std::string& name, const Labels& labels, double value);
  std::string str() const;

  // Label values: backslash, double quote and newline escaped. HELP: backslash and newline.
  static std::string escapeLabel(std::string_view v);
  static std::string escapeHelp(std::string_view v);
  // Integers as integers (no exponent up to 2^53), others with 9 significant digits;
  // NaN and infinities spelled as Prometheus does.
  static std::string formatValue(double v);

 private:
  struct Family {
    std::string help;
    std::string type;
    std::string samples;
  };
  std::vector<std::string> order_;
  std::map<std::string, Family> families_;
};

}  // namespace carrel::control
