#include "StreamRegistry.hpp"

namespace carrel::bench {

std::shared_ptr<StreamStats> StreamRegistry::add(const std::string& subscriber,
                                                 const std::string& mid, bool video) {
  auto s = std::make_shared<StreamStats>(subscriber, mid, video);
  std::lock_guard lock(mu_);
  streams_.push_back(s);
  return s;
}

std::vector<std::shared_ptr<StreamStats>> StreamRegistry::all() const {
  std::lock_guard lock(mu_);
  return streams_;
}

}  // namespace carrel::bench
