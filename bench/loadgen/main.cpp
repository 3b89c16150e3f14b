// carrel-loadgen: one process hosting every simulated participant of a benchmark run
// against carrel-control (Carrel) or Janus VideoRoom, or a direct pair for the latency
// baseline. Prints one JSON "result" line on stdout; logs go to stderr.
#include <glib-unix.h>
#include <gst/gst.h>

#include <cstdio>
#include <string>

#include "Clip.hpp"
#include "GPtr.hpp"
#include "LoadRun.hpp"

namespace {

int usage(const char* why) {
  std::fprintf(stderr,
               "carrel-loadgen: %s\n"
               "usage: carrel-loadgen --system carrel|janus|direct [--url URL] --clip FILE\n"
               "       [--workload fanout|mesh|tiles] [--n N] [--tiles K] [--speakers S]\n"
               "       [--duration SEC] [--setup-timeout SEC] [--no-late-joiner]\n"
               "       [--server-pid PID]... [--ice-address 127.x.y.z]\n",
               why);
  return 64;
}

}  // namespace

int main(int argc, char** argv) {
  gst_init(&argc, &argv);
  carrel::bench::LoadOptions o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (a == "--no-late-joiner") {
      o.lateJoiner = false;
      continue;
    }
    if (!(v = value())) return usage(("missing value for " + a).c_str());
    if (a == "--system") {
      o.system = v;
    } else if (a == "--url") {
      o.url = v;
    } else if (a == "--workload") {
      o.workload = v;
    } else if (a == "--n") {
      o.n = std::atoi(v);
    } else if (a == "--tiles") {
      o.tiles = std::atoi(v);
    } else if (a == "--speakers") {
      o.speakers = std::atoi(v);
    } else if (a == "--clip") {
      o.clip = v;
    } else if (a == "--duration") {
      o.durationSec = std::atoi(v);
    } else if (a == "--setup-timeout") {
      o.setupTimeoutSec = std::atoi(v);
    } else if (a == "--ice-address") {
      o.iceAddress = v;
    } else if (a == "--server-pid") {
      o.serverPids.push_back(static_cast<pid_t>(std::atoi(v)));
    } else {
      return usage(("unknown option " + a).c_str());
    }
  }
  if (o.system != "carrel" && o.system != "janus" && o.system != "direct") {
    return usage("bad --system");
  }
  if (o.workload != "fanout" && o.workload != "mesh" && o.workload != "tiles") {
    return usage("bad --workload");
  }
  if (o.n < 1 || (o.workload != "fanout" && o.n < 2)) return usage("bad --n");
  if (o.workload == "tiles" && (o.tiles < 1 || o.tiles > o.n - 1)) {
    return usage("bad --tiles (1 to n-1 for --workload tiles)");
  }
  if (o.speakers >= 0 && (o.workload != "tiles" || o.speakers > o.n)) {
    return usage("bad --speakers (0 to n, with --workload tiles)");
  }
  if (o.system != "direct" && o.url.empty()) return usage("--url is required");
  std::string err;
  auto clip = carrel::bench::Clip::load(o.clip, &err);
  if (!clip) return usage(err.c_str());

  GMainLoop* loop = g_main_loop_new(nullptr, FALSE);
  int code = 0;
  {
    carrel::bench::LoadRun run(o, *clip, [&](int c) {
      code = c;
      g_main_loop_quit(loop);
    });
    g_unix_signal_add(
        SIGTERM,
        [](gpointer l) -> gboolean {
          g_main_loop_quit(static_cast<GMainLoop*>(l));
          return G_SOURCE_REMOVE;
        },
        loop);
    run.start();
    g_main_loop_run(loop);
  }
  g_main_loop_unref(loop);
  return code;
}
