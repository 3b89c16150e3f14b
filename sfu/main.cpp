// carrel-sfu: the media node. Logs go to stderr; stdout carries only the ready line.
#include <glib-unix.h>
#include <gst/gst.h>

#include <cstdio>

#include "ReceiveThreads.hpp"
#include "SfuNode.hpp"
#include "SfuOptions.hpp"
#include "SrtpCrypto.hpp"

namespace {

struct Main {
  GMainLoop* loop = nullptr;
  carrel::sfu::SfuNode* node = nullptr;
  bool stopping = false;
};

gboolean onSignal(gpointer data) {
  auto* m = static_cast<Main*>(data);
  if (m->stopping) return G_SOURCE_CONTINUE;
  m->stopping = true;
  g_message("carrel-sfu: stopping");
  m->node->shutdown([m]() { g_main_loop_quit(m->loop); });
  // Redis may not answer; stop anyway.
  g_timeout_add(
      2000,
      [](gpointer d) -> gboolean {
        g_main_loop_quit(static_cast<Main*>(d)->loop);
        return G_SOURCE_REMOVE;
      },
      m);
  return G_SOURCE_CONTINUE;
}

}  // namespace

int main(int argc, char** argv) {
  gst_init(&argc, &argv);
  carrel::sfu::SfuOptions options;
  std::string error;
  if (!carrel::sfu::parseOptions(&argc, &argv, &options, &error)) {
    g_printerr("carrel-sfu: %s\n", error.c_str());
    return 2;
  }
  // Before any webrtcbin: libsrtp's crypto kernel is process-wide.
  if (options.opensslSrtp && !carrel::sfu::SrtpCrypto::useOpenSsl(&error)) {
    g_warning("carrel-sfu: SRTP keeps libsrtp's own crypto: %s", error.c_str());
  }
  if (options.agentThreadRead && options.receiveQueueBypass) {
    carrel::sfu::ReceiveThreads::start(static_cast<unsigned>(options.receiveThreads),
                                       static_cast<unsigned>(options.receiveThreadFill));
  }
  for (const char* needed : {"webrtcbin", "tee", "queue", "clocksync", "nicesrc"}) {
    carrel::GstPtr<GstElementFactory> f(gst_element_factory_find(needed));
    if (!f) {
      g_printerr("carrel-sfu: GStreamer element '%s' is missing\n", needed);
      return 1;
    }
  }
  Main m;
  m.loop = g_main_loop_new(nullptr, FALSE);
  int rc = 0;
  {
    carrel::sfu::SfuNode node(options);
    m.node = &node;
    node.onReady = [&node]() {
      std::printf("{\"event\":\"ready\",\"node\":\"%s\"}\n", node.nodeId().c_str());
      std::fflush(stdout);
      g_message("carrel-sfu %s: ready", node.nodeId().c_str());
    };
    if (!node.start(&error)) {
      g_printerr("carrel-sfu: %s\n", error.c_str());
      rc = 2;
    } else {
      guint s1 = g_unix_signal_add(SIGINT, onSignal, &m);
      guint s2 = g_unix_signal_add(SIGTERM, onSignal, &m);
      g_main_loop_run(m.loop);
      g_source_remove(s1);
      g_source_remove(s2);
    }
  }
  g_main_loop_unref(m.loop);
  return rc;
}
