// One measured run: publishers, then subscribers, then a late joiner that decodes, then a
// measurement window; prints one JSON object with every figure on stdout and quits.
#pragma once

#include <glib.h>
#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "Participant.hpp"
#include "ProcStats.hpp"

namespace carrel::bench {

struct LoadOptions {
  std::string system = "carrel";    // carrel | janus | direct
  std::string url;                  // carrel: ws://…/ws; janus: http://…/janus
  std::string workload = "fanout";  // fanout (1 -> n) | mesh (n x n) | tiles (n, k cameras each)
  int n = 1;
  int tiles = 0;  // tiles: how many others' cameras each participant receives (the next ones)
  // tiles: how many participants (the first ones) publish a microphone; the others publish
  // their camera only. -1: everyone.
  int speakers = -1;
  std::string clip;
  int durationSec = 10;
  int setupTimeoutSec = 60;
  bool lateJoiner = true;
  std::vector<pid_t> serverPids;
  std::string iceAddress = "127.0.0.1";
};

class LoadRun {
 public:
  LoadRun(LoadOptions options, const Clip& clip, std::function<void(int)> quit);
  ~LoadRun();
  void start();

 private:
  enum class Phase { kRoom, kPublishers, kSubscribers, kLate, kSettle, kWindow, kDone };
  std::unique_ptr<Participant> make(const std::string& name, bool publish, bool decode,
                                    bool microphone = true);
  int speakers() const;
  bool step();
  void enter(Phase p);
  int64_t nowMs() const;
  struct Streams {
    size_t video = 0, audio = 0;
    size_t total() const { return video + audio; }
  };
  // Streams carrying packets to the room's subscribers (the late joiner's left out).
  Streams flowingStreams() const;
  Streams expectedStreams() const;
  // What a participant receives: `self` is its index among the publishers, -1 for one that
  // only receives.
  std::vector<Feed> feedsFor(int self) const;
  std::string failures() const;
  void report(const std::string& error);

  LoadOptions o_;
  std::function<void(int)> quit_;
  LatencyBook book_;
  StreamRegistry registry_;
  Pacer pacer_;
  peer::NetworkFilter filter_;
  RunContext ctx_;
  std::unique_ptr<class JanusSession> admin_;
  std::vector<std::unique_ptr<Participant>> publishers_;
  std::vector<std::unique_ptr<Participant>> subscribers_;  // fan-out's receive-only ones
  std::unique_ptr<Participant> late_;
  Phase phase_ = Phase::kRoom;
  int64_t phaseStartMs_ = 0;
  bool roomReady_ = false;
  std::string roomError_;
  guint timer_ = 0;
  ProcSample idle_, afterPublishers_, loaded_, windowStart_, selfStart_;
  int64_t windowStartUs_ = 0;
  std::vector<StreamStats::Snapshot> streamsAtStart_;
  uint64_t sentAtStart_ = 0;
  FilePublisher::Counters pubAtStart_;
};

}  // namespace carrel::bench
