// A child process owned by a test: started with an argv, stopped by its own PID (never by
// name) when the owner goes away. Its stdout is collected line by line for assertions; its
// stderr goes to a log file kept as a test artifact.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace carrel::test {

class Process {
 public:
  Process(std::vector<std::string> argv, std::string stderrLog,
          std::vector<std::string> extraEnv = {});
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  // SIGTERM, then SIGKILL after the grace period. Returns the exit status (or -signal).
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
  void kill9();
  // Waits for the process to exit by itself; returns false on timeout.
  bool waitExit(std::chrono::milliseconds timeout, int* status = nullptr);

  std::vector<std::string> lines();
  // Waits until a stdout line satisfies pred; returns it, or "" on timeout.
  std::string waitForLine(const std::function<bool(const std::string&)>& pred,
                          std::chrono::milliseconds timeout);
  const std::string& logPath() const { return log_; }

 private:
  void reap(int status);
  pid_t pid_ = -1;
  int outFd_ = -1;
  bool exited_ = false;
  int status_ = 0;
  std::string log_;
  std::thread reader_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> lines_;
};

}  // namespace carrel::test
