// What /metrics shows, from the SFU nodes' heartbeats and their latest stats reports (both
// read from Redis, so every control node renders the same text): per track, per peer, per
// room and per SFU node. The metric families are documented in docs/protocol.md#metrics.
#pragma once

#include <string>
#include <vector>

#include "StatsStore.hpp"

namespace carrel::control {

class ClusterMetrics {
 public:
  static std::string render(std::vector<SfuNodeStatus> nodes, std::vector<StoredStats> reports);
};

}  // namespace carrel::control
