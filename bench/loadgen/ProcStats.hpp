// CPU time (the kernel's per-process CPU clock), resident memory and threads of a set of
// processes (/proc).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <vector>

namespace carrel::bench {

struct ProcSample {
  double cpuSeconds = 0;  // user + system, summed over the processes
  double rssMiB = 0;
  int64_t threads = 0;
  bool ok = true;  // every process was readable
};

class ProcStats {
 public:
  static ProcSample sample(const std::vector<pid_t>& pids);
};

}  // namespace carrel::bench
