// Runs carrel-render for recordings, at most `parallel` at a time on this node (1 by default:
// a render is CPU-heavy and must not starve the node's other work). Each job is its own
// process; its JSON progress lines (recorder/RenderProgress.hpp) come back as callbacks on
// the main context. A job whose process fails is reported once; retrying is enqueueing again.
#pragma once

#include <gio/gio.h>

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "GPtr.hpp"

namespace carrel::control {

class RenderQueue {
 public:
  struct Callbacks {
    std::function<void(const std::string& id)> started;
    std::function<void(const std::string& id, double percent, std::optional<double> etaS)> progress;
    // ok; the output's size, or the error.
    std::function<void(const std::string& id, bool ok, int64_t bytes, const std::string& error)>
        finished;
  };

  RenderQueue(std::string binary, std::vector<std::string> extraArgs, int parallel,
              Callbacks callbacks);
  ~RenderQueue();
  RenderQueue(const RenderQueue&) = delete;
  RenderQueue& operator=(const RenderQueue&) = delete;

  // False when the recording is already queued or running.
  bool enqueue(const std::string& id, const std::string& folder);
  bool busy(const std::string& id) const;
  size_t running() const { return jobs_.size(); }
  size_t waiting() const { return waiting_.size(); }

 private:
  struct Job;
  void next();
  void readLine(const std::shared_ptr<Job>& job);
  void onLine(const std::shared_ptr<Job>& job, const std::string& line);
  void onExit(const std::shared_ptr<Job>& job);

  std::string binary_;
  std::vector<std::string> extraArgs_;
  int parallel_;
  Callbacks cb_;
  std::deque<std::pair<std::string, std::string>> waiting_;
  std::set<std::shared_ptr<Job>> jobs_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace carrel::control
