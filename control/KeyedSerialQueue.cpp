#include "KeyedSerialQueue.hpp"

#include "MainContext.hpp"

namespace carrel::control {

KeyedSerialQueue::Turn::~Turn() {
  // Posted, not called: the last copy may go with a callback that is being torn down inside
  // Redis' or the DB worker's own code (or on the worker's thread at shutdown), where the next
  // job must not start.
  postToMain([queue = queue_, alive = alive_, key = key_] {
    if (alive.lock()) queue->finished(key);
  });
}

void KeyedSerialQueue::push(const std::string& key, Job job) {
  auto& q = queues_[key];
  q.push_back(std::move(job));
  if (q.size() == 1) runFront(key);
}

size_t KeyedSerialQueue::waiting(const std::string& key) const {
  auto it = queues_.find(key);
  return it == queues_.end() ? 0 : it->second.size();
}

void KeyedSerialQueue::runFront(const std::string& key) {
  // A copy: the job may end its turn before it returns, which pops it.
  Job job = queues_.at(key).front();
  job(std::make_shared<Turn>(this, alive_, key));
}

void KeyedSerialQueue::finished(const std::string& key) {
  auto it = queues_.find(key);
  if (it == queues_.end()) return;
  it->second.pop_front();
  if (it->second.empty()) {
    queues_.erase(it);
    return;
  }
  runFront(key);
}

}  // namespace carrel::control
