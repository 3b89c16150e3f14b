// Every stream of every subscriber in this run, for the run's figures.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "StreamStats.hpp"

namespace carrel::bench {

class StreamRegistry {
 public:
  std::shared_ptr<StreamStats> add(const std::string& subscriber, const std::string& mid,
                                   bool video);
  std::vector<std::shared_ptr<StreamStats>> all() const;

 private:
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<StreamStats>> streams_;
};

}  // namespace carrel::bench
