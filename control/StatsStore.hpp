// The SFUs' latest stats, shared by every control node through Redis so that each node's
// /metrics shows the same figures: a "stats.room" event arriving here (for this node's peers)
// is kept under carrel:stats:<sfu>:<control>:<room> with a TTL of three report intervals, and
// indexed in the set carrel:stats:keys. A report with no peers deletes its key; a node that
// dies stops refreshing its keys and they expire.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "Bus.hpp"
#include "RedisConnection.hpp"
#include "StatsReport.hpp"

namespace carrel::control {

struct StoredStats {
  std::string sfuNode;
  std::string controlNode;
  bus::RoomStats stats;
};

struct SfuNodeStatus {
  std::string node;
  int64_t load = 0;
  int64_t rooms = 0;
  int64_t peers = 0;
};

class StatsStore {
 public:
  static constexpr const char* kIndexSet = "carrel:stats:keys";

  StatsStore(RedisConnection& redis, std::string nodeId)
      : redis_(redis), nodeId_(std::move(nodeId)) {}
  StatsStore(const StatsStore&) = delete;
  StatsStore& operator=(const StatsStore&) = delete;

  // A decoded, validated "stats.room" event from an SFU node.
  void store(const bus::Event& ev);
  // Every live report (nullopt when Redis failed). Expired keys are dropped from the index.
  void reports(std::function<void(std::optional<std::vector<StoredStats>>)> done);
  // The registered SFU nodes whose heartbeat key is still alive.
  void sfuNodes(std::function<void(std::optional<std::vector<SfuNodeStatus>>)> done);

  static std::string key(const std::string& sfu, const std::string& control,
                         const std::string& room);
  static int64_t ttlMs(int64_t intervalMs) { return intervalMs * 3 + 1000; }

 private:
  void mget(
      const std::string& indexSet, std::function<std::string(const std::string& member)> keyOf,
      std::function<void(std::optional<std::vector<std::pair<std::string, std::string>>>)> done);
  RedisConnection& redis_;
  std::string nodeId_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace carrel::control
