// Runs the jobs queued under one key one at a time, in the order they were queued: a room's
// timer commands, whose read-modify-write of Redis would otherwise interleave (a "start"
// right after a "set" read the state before the set was saved and undid it). Main context
// only.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace carrel::control {

class KeyedSerialQueue {
 public:
  // A job's turn lasts until the last copy of its Turn is gone: the job hands it to every
  // callback of its asynchronous work, so whichever ends the work (or is dropped) ends the turn.
  // The next job starts from the main loop after that.
  class Turn {
   public:
    Turn(KeyedSerialQueue* queue, std::weak_ptr<int> alive, std::string key)
        : queue_(queue), alive_(std::move(alive)), key_(std::move(key)) {}
    ~Turn();
    Turn(const Turn&) = delete;
    Turn& operator=(const Turn&) = delete;

   private:
    KeyedSerialQueue* queue_;
    std::weak_ptr<int> alive_;
    std::string key_;
  };
  using TurnPtr = std::shared_ptr<Turn>;
  using Job = std::function<void(TurnPtr)>;

  void push(const std::string& key, Job job);
  size_t waiting(const std::string& key) const;

 private:
  void runFront(const std::string& key);
  void finished(const std::string& key);

  std::map<std::string, std::deque<Job>> queues_;  // the front job is the one running
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace carrel::control
