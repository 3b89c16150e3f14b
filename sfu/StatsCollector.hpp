// Polls every connection's webrtcbin "get-stats" at an interval and reports, per room and per
// owning control node, a "stats.room" bus event: each peer's tracks in (publish) and out
// (subscribe) with packets, bytes, loss, jitter, RTT and the rates over the last interval.
// A control node whose peers all left gets one empty report, so its figures vanish at once.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "GPtr.hpp"
#include "Room.hpp"
#include "WebrtcStatsReader.hpp"

namespace carrel::sfu {

class StatsCollector {
 public:
  using EmitFn = std::function<void(const std::string& owner, JsonObjectPtr data)>;
  using Rooms = std::map<std::string, std::shared_ptr<Room>>;

  // rooms must outlive the collector (the node's own map).
  StatsCollector(const Rooms& rooms, guint intervalMs, EmitFn emit);
  ~StatsCollector();
  StatsCollector(const StatsCollector&) = delete;
  StatsCollector& operator=(const StatsCollector&) = delete;

  void start();
  void stop();

 private:
  struct Round;
  struct Sample {
    std::string identity;  // source|track: a reused m-line changes it, and counts restart
    RtpFigures base;       // subtracted from webrtcbin's cumulative counters
    RtpFigures last;
    gint64 atUs = 0;
  };

  void poll();
  // Sends the current round's next get-stats (perTick of them); false when none is left.
  bool requestNext();
  void requestOne(const std::shared_ptr<Round>& round);
  void finish(const std::shared_ptr<Round>& round);

  const Rooms& rooms_;
  guint intervalMs_;
  EmitFn emit_;
  TimeoutSource timer_;
  TimeoutSource requestTimer_;  // spaces the current round's requests
  static constexpr guint kRequestSpacingMs = 2;
  std::shared_ptr<Round> current_;
  std::map<std::string, Sample> samples_;                        // room|peer|conn|ssrc
  std::map<std::string, std::set<std::string>> reportedOwners_;  // room -> owners last time
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace carrel::sfu
