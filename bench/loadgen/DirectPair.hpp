// The latency baseline: one clip publisher connected straight to one subscriber in this
// process (descriptions and candidates handed over in memory), measured exactly like a
// run through a server, so that the server's figures can have this subtracted.
#pragma once

#include "Participant.hpp"

namespace carrel::bench {

class DirectPair : public Participant {
 public:
  explicit DirectPair(RunContext& ctx);
  void start() override;
  void subscribe(const std::vector<Feed>&) override {}
};

}  // namespace carrel::bench
