// Which SFU node hosts a room. The choice lives in Redis (carrel:room:<room>:sfu) so every
// control node agrees: a placement on a live node is kept; otherwise the least-loaded live
// member of carrel:sfu:nodes is chosen and claimed atomically (only if the key is still absent
// or still names the dead node), and a lost race re-reads the winner.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "RedisConnection.hpp"

namespace carrel::control {

struct SfuNodeLoad {
  std::string node;
  double load = 0;
};

class SfuPlacement {
 public:
  // node on success; otherwise nullopt and a reason (no live node, Redis failure).
  using PlaceFn = std::function<void(std::optional<std::string> node, const std::string& why)>;
  using NodesFn = std::function<void(std::optional<std::vector<SfuNodeLoad>> live)>;

  explicit SfuPlacement(RedisConnection& redis) : redis_(redis) {}
  SfuPlacement(const SfuPlacement&) = delete;
  SfuPlacement& operator=(const SfuPlacement&) = delete;

  void place(const std::string& room, PlaceFn done);
  // The live SFU nodes and their loads (nullopt when Redis failed).
  void liveNodes(NodesFn done);

  // The live node with the least load; ties go to the smallest id so choices are stable.
  static std::optional<std::string> pickLeastLoaded(const std::vector<SfuNodeLoad>& nodes);
  // The "load" of a node key's JSON ({"node","load","rooms","peers","ts"}); nullopt if unusable.
  static std::optional<double> parseLoad(const std::string& json);

 private:
  void attempt(const std::string& room, int attemptsLeft, PlaceFn done);
  void chooseAndClaim(const std::string& room, const std::string& stale, int attemptsLeft,
                      PlaceFn done);
  RedisConnection& redis_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace carrel::control
