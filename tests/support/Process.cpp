#include "Process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

extern char** environ;

namespace carrel::test {

Process::Process(std::vector<std::string> argv, std::string stderrLog,
                 std::vector<std::string> extraEnv)
    : log_(std::move(stderrLog)) {
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  int errFd = open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (errFd < 0) throw std::runtime_error("cannot open log " + log_);
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) env.emplace_back(*e);
  for (auto& e : extraEnv) env.push_back(e);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    dup2(pipefd[1], 1);
    dup2(errFd, 2);
    // Its own process group, so a stop reaches helpers it may fork, still by our PID.
    setpgid(0, 0);
    // A test binary that crashes or is killed must not leave its daemons running.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    execve(args[0], args.data(), envp.data());
    const char* msg = "exec failed\n";
    (void)!write(2, msg, strlen(msg));
    _exit(127);
  }
  close(pipefd[1]);
  close(errFd);
  outFd_ = pipefd[0];
  reader_ = std::thread([this] {
    std::string buf;
    char chunk[4096];
    for (;;) {
      ssize_t n = read(outFd_, chunk, sizeof chunk);
      if (n <= 0) break;
      buf.append(chunk, static_cast<size_t>(n));
      size_t pos;
      while ((pos = buf.find('\n')) != std::string::npos) {
        std::lock_guard lk(mu_);
        lines_.push_back(buf.substr(0, pos));
        buf.erase(0, pos + 1);
        cv_.notify_all();
      }
    }
    std::lock_guard lk(mu_);
    if (!buf.empty()) lines_.push_back(buf);
    cv_.notify_all();
  });
}

Process::~Process() {
  stop(std::chrono::seconds(3));
  if (reader_.joinable()) reader_.join();
  if (outFd_ >= 0) close(outFd_);
}

void Process::reap(int status) {
  exited_ = true;
  status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

bool Process::running() {
  if (exited_ || pid_ <= 0) return false;
  int status;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    reap(status);
    return false;
  }
  return true;
}

bool Process::waitExit(std::chrono::milliseconds timeout, int* status) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (running()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (status) *status = status_;
  return true;
}

int Process::stop(std::chrono::milliseconds grace) {
  if (running()) {
    kill(pid_, SIGTERM);
    if (!waitExit(grace)) {
      kill(-pid_, SIGKILL);
      kill(pid_, SIGKILL);
      int status;
      if (waitpid(pid_, &status, 0) == pid_) reap(status);
    }
  }
  return status_;
}

void Process::kill9() {
  if (!running()) return;
  kill(pid_, SIGKILL);
  int status;
  if (waitpid(pid_, &status, 0) == pid_) reap(status);
}

std::vector<std::string> Process::lines() {
  std::lock_guard lk(mu_);
  return lines_;
}

std::string Process::waitForLine(const std::function<bool(const std::string&)>& pred,
                                 std::chrono::milliseconds timeout) {
  std::unique_lock lk(mu_);
  size_t seen = 0;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    for (; seen < lines_.size(); ++seen) {
      if (pred(lines_[seen])) return lines_[seen];
    }
    if (cv_.wait_until(lk, deadline) == std::cv_status::timeout) {
      for (; seen < lines_.size(); ++seen) {
        if (pred(lines_[seen])) return lines_[seen];
      }
      return "";
    }
  }
}

}  // namespace carrel::test
