#include "ProcStats.hpp"

#include <time.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace carrel::bench {

ProcSample ProcStats::sample(const std::vector<pid_t>& pids) {
  ProcSample s;
  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  for (pid_t pid : pids) {
    std::string base = "/proc/" + std::to_string(pid);
    std::ifstream stat(base + "/stat");
    std::string line;
    if (!std::getline(stat, line)) {
      s.ok = false;
      continue;
    }
    // The command name may hold spaces: fields are counted after its closing parenthesis.
    std::istringstream rest(line.substr(line.rfind(')') + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
      if (i == 14) utime = std::stoull(field);
      if (i == 15) stime = std::stoull(field);
    }
    // The kernel's CPU clock of the process (every thread's run time, the exited ones'
    // too) counts nanoseconds; utime and stime count clock ticks (10 ms): at 1->1 a server
    // uses ~0.02 cores, ~50 ticks in a window, so a tick either side moved its figure ~4 %.
    clockid_t clock;
    timespec ts{};
    if (clock_getcpuclockid(pid, &clock) == 0 && clock_gettime(clock, &ts) == 0) {
      s.cpuSeconds += static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
    } else {
      s.cpuSeconds += static_cast<double>(utime + stime) / tick;
    }
    std::ifstream status(base + "/status");
    while (std::getline(status, line)) {
      if (line.rfind("VmRSS:", 0) == 0) s.rssMiB += std::stod(line.substr(6)) / 1024.0;
      if (line.rfind("Threads:", 0) == 0) s.threads += std::stoll(line.substr(8));
    }
  }
  return s;
}

}  // namespace carrel::bench
