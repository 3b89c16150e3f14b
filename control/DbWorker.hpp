// MariaDB off the main loop: one thread with its own connection runs queued jobs in order,
// and each job's completion runs back on the main context. A slow query or an argon2id hash
// then never stalls the WebSockets. When MariaDB goes away (a restart, a crash) the job that
// finds the connection dead connects again (MySqlConnection::beginJob: no round trip is spent
// checking before each job); a job run while it is down fails and its connection says
// unavailable() (the caller reports storage_unavailable), none is silently dropped.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "MySqlConnection.hpp"

namespace carrel::control {

class DbWorker {
 public:
  using Job = std::function<void(MySqlConnection& db)>;

  DbWorker() = default;
  ~DbWorker();  // finishes the queued jobs, then joins
  DbWorker(const DbWorker&) = delete;
  DbWorker& operator=(const DbWorker&) = delete;

  // Connects (blocking: start-up only) and starts the thread.
  bool start(const MySqlParams& params, const std::string& database, std::string* error);
  // job runs on the worker thread; then done (if any) on the main context. done is not run
  // if the worker is destroyed first.
  void run(Job job, std::function<void()> done = {});
  size_t queued();

 private:
  void loop();
  struct Item {
    Job job;
    std::function<void()> done;
  };
  std::unique_ptr<MySqlConnection> db_;
  MySqlParams params_;
  std::string database_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  bool stopping_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace carrel::control
