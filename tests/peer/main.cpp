// carrel-peer: a command-line Carrel participant for tests and benchmarks.
#include <glib-unix.h>
#include <gst/gst.h>

#include <csignal>
#include <memory>

#include "Output.hpp"
#include "Peer.hpp"

using namespace carrel::peer;

namespace {
struct MainLoopUnref {
  void operator()(GMainLoop* l) const { g_main_loop_unref(l); }
};
}  // namespace

int main(int argc, char** argv) {
  gst_init(&argc, &argv);
  std::string error;
  auto options = PeerOptions::parse(argc, argv, &error);
  if (!options) {
    g_printerr("carrel-peer: %s (see --help)\n", error.c_str());
    return 64;
  }
  Output out(options->json);
  auto filter = NetworkFilter::parse(options->allowNetworks, &error);
  if (!filter) {
    g_printerr("carrel-peer: %s\n", error.c_str());
    return 64;
  }
  for (const std::string& a : options->iceAddresses) {
    if (!filter->allowsAddress(a)) {
      g_printerr("carrel-peer: --ice-address %s is outside every --allow-network\n", a.c_str());
      return 64;
    }
  }

  std::unique_ptr<GMainLoop, MainLoopUnref> loop(g_main_loop_new(nullptr, FALSE));
  Peer peer(std::move(*options), std::move(*filter), out,
            [&loop] { g_main_loop_quit(loop.get()); });
  auto onSignal = [](gpointer data) -> gboolean {
    static_cast<Peer*>(data)->stop(Peer::kOk, "signal");
    return G_SOURCE_CONTINUE;
  };
  guint sigint = g_unix_signal_add(SIGINT, onSignal, &peer);
  guint sigterm = g_unix_signal_add(SIGTERM, onSignal, &peer);
  guint sigusr1 = g_unix_signal_add(
      SIGUSR1,
      [](gpointer data) -> gboolean {
        static_cast<Peer*>(data)->toggleScreen();
        return G_SOURCE_CONTINUE;
      },
      &peer);
  guint sigusr2 = g_unix_signal_add(
      SIGUSR2,
      [](gpointer data) -> gboolean {
        static_cast<Peer*>(data)->retile();
        return G_SOURCE_CONTINUE;
      },
      &peer);
  peer.start();
  g_main_loop_run(loop.get());
  g_source_remove(sigint);
  g_source_remove(sigterm);
  g_source_remove(sigusr1);
  g_source_remove(sigusr2);
  return peer.exitCode();
}
