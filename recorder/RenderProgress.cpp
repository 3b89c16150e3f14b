#include "RenderProgress.hpp"

#include <glib.h>

#include <cstdio>
#include <string>

#include "Json.hpp"

namespace carrel::recorder {

double RenderProgress::eta(double elapsedS, double fraction) {
  if (fraction <= 0.01 || elapsedS <= 0) return -1;
  if (fraction >= 1) return 0;
  return elapsedS * (1 - fraction) / fraction;
}

double RenderProgress::elapsed() const {
  return static_cast<double>(g_get_monotonic_time() - startUs_) / 1e6;
}

void RenderProgress::update(double fraction, int64_t positionMs, int64_t durationMs) {
  if (startUs_ == 0) startUs_ = g_get_monotonic_time();
  int permille = static_cast<int>(fraction * 1000);
  if (permille == lastPermille_) return;
  lastPermille_ = permille;
  double left = eta(elapsed(), fraction);
  if (terminal_) {
    constexpr int kWidth = 40;
    int filled = static_cast<int>(fraction * kWidth);
    std::string bar(static_cast<size_t>(filled), '#');
    bar.append(static_cast<size_t>(kWidth - filled), '.');
    std::printf(
        "\r[%s] %5.1f%%  %s", bar.c_str(), fraction * 100,
        left < 0 ? "ETA --  " : ("ETA " + std::to_string(static_cast<int>(left)) + "s  ").c_str());
    std::fflush(stdout);
    return;
  }
  json::Object o;
  o.set("event", "progress")
      .set("percent", static_cast<double>(permille) / 10.0)
      .set("position_ms", positionMs)
      .set("duration_ms", durationMs);
  if (left < 0) {
    o.setNull("eta_s");
  } else {
    o.set("eta_s", left);
  }
  std::printf("%s\n", o.str().c_str());
  std::fflush(stdout);
}

void RenderProgress::done(const std::string& file, int64_t durationMs, uint64_t bytes) {
  if (startUs_ == 0) startUs_ = g_get_monotonic_time();
  if (terminal_) {
    std::printf("\ndone: %s (%.1f s of video, %llu bytes, in %.1f s)\n", file.c_str(),
                static_cast<double>(durationMs) / 1000, static_cast<unsigned long long>(bytes),
                elapsed());
    return;
  }
  json::Object o;
  o.set("event", "done")
      .set("file", file)
      .set("duration_ms", durationMs)
      .set("bytes", static_cast<int64_t>(bytes))
      .set("elapsed_s", elapsed());
  std::printf("%s\n", o.str().c_str());
  std::fflush(stdout);
}

void RenderProgress::failed(const std::string& message) {
  if (terminal_) {
    std::printf("\n");
    std::fprintf(stderr, "carrel-render: %s\n", message.c_str());
    return;
  }
  json::Object o;
  o.set("event", "error").set("message", message);
  std::printf("%s\n", o.str().c_str());
  std::fflush(stdout);
}

}  // namespace carrel::recorder
