#include "DbWorker.hpp"

#include <glib.h>

#include "MainContext.hpp"

namespace carrel::control {

DbWorker::~DbWorker() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  alive_.reset();
}

bool DbWorker::start(const MySqlParams& params, const std::string& database, std::string* error) {
  params_ = params;
  database_ = database;
  db_ = std::make_unique<MySqlConnection>();
  if (!db_->connect(params, error) || !db_->selectDatabase(database, error)) return false;
  thread_ = std::thread([this] { loop(); });
  return true;
}

void DbWorker::run(Job job, std::function<void()> done) {
  {
    std::lock_guard lk(mu_);
    queue_.push_back({std::move(job), std::move(done)});
  }
  cv_.notify_one();
}

size_t DbWorker::queued() {
  std::lock_guard lk(mu_);
  return queue_.size();
}

void DbWorker::loop() {
  for (;;) {
    Item item;
    {
      std::unique_lock lk(mu_);
      cv_.wait(lk, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued has run
      item = std::move(queue_.front());
      queue_.pop_front();
    }
    db_->beginJob();
    item.job(*db_);
    if (item.done) {
      std::weak_ptr<bool> alive = alive_;
      postToMain([alive, done = std::move(item.done)] {
        if (alive.lock()) done();
      });
    }
  }
}

}  // namespace carrel::control
