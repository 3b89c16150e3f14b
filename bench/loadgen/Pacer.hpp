// One thread that sends every publisher's due frames (a 2 ms tick), so a hundred
// publishers cost one thread and no encoder.
#pragma once

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "FilePublisher.hpp"

namespace carrel::bench {

class Pacer {
 public:
  Pacer();
  ~Pacer();
  Pacer(const Pacer&) = delete;
  Pacer& operator=(const Pacer&) = delete;

  void add(FilePublisher* p);
  void remove(FilePublisher* p);

 private:
  void run();
  std::mutex mu_;
  std::vector<FilePublisher*> publishers_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace carrel::bench
