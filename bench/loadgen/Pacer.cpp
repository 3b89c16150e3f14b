#include "Pacer.hpp"

#include <algorithm>
#include <chrono>

namespace carrel::bench {

Pacer::Pacer() : thread_([this] { run(); }) {}

Pacer::~Pacer() {
  stop_ = true;
  thread_.join();
}

void Pacer::add(FilePublisher* p) {
  std::lock_guard lock(mu_);
  publishers_.push_back(p);
}

void Pacer::remove(FilePublisher* p) {
  std::lock_guard lock(mu_);
  std::erase(publishers_, p);
}

void Pacer::run() {
  auto next = std::chrono::steady_clock::now();
  while (!stop_) {
    next += std::chrono::milliseconds(2);
    std::this_thread::sleep_until(next);
    int64_t now = LatencyBook::nowUs();
    std::lock_guard lock(mu_);
    for (FilePublisher* p : publishers_) p->tick(now);
    // After a stall, tick from now on instead of racing to catch up on missed ticks.
    next = std::max(next, std::chrono::steady_clock::now() - std::chrono::milliseconds(2));
  }
}

}  // namespace carrel::bench
