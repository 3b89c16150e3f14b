// GET /metrics: the Prometheus text of ClusterMetrics, built from Redis on every scrape
// (503 with a one-line reason when Redis does not answer).
#pragma once

#include <libsoup/soup.h>

#include <memory>

#include "StatsStore.hpp"

namespace carrel::control {

class MetricsRoute {
 public:
  explicit MetricsRoute(StatsStore& store) : store_(store) {}
  MetricsRoute(const MetricsRoute&) = delete;
  MetricsRoute& operator=(const MetricsRoute&) = delete;

  void install(SoupServer* server);

 private:
  void serve(SoupServerMessage* msg);
  StatsStore& store_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace carrel::control
