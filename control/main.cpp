// carrel-control: parses the command line, applies the schema migrations (when a database is
// given), runs the node until SIGINT/SIGTERM, then leaves every room and exits 0.
#include <glib-unix.h>

#include <cstdio>
#include <memory>

#include "ControlNode.hpp"
#include "Migrations.hpp"
#include "MySqlConnection.hpp"

using namespace carrel::control;

namespace {

struct LoopUnref {
  void operator()(GMainLoop* l) const { g_main_loop_unref(l); }
};

bool migrate(const ControlOptions& o, MySqlConnection& db) {
  MySqlParams p{o.mysqlHost, o.mysqlPort, o.mysqlSocket, o.mysqlUser, o.mysqlPassword};
  std::string why;
  if (!db.connect(p, &why)) {
    g_critical("mysql: cannot connect to %s: %s",
               o.mysqlSocket.empty() ? (o.mysqlHost + ":" + std::to_string(o.mysqlPort)).c_str()
                                     : o.mysqlSocket.c_str(),
               why.c_str());
    return false;
  }
  auto r = Migrations::run(db, o.mysqlDatabase, o.migrationsDir, &why);
  if (!r) {
    g_critical("mysql: migrations in %s failed: %s", o.migrationsDir.c_str(), why.c_str());
    return false;
  }
  g_message("mysql: database %s at schema version %d (applied %d migration(s) now)",
            o.mysqlDatabase.c_str(), r->schemaVersion, r->applied);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::string why;
  auto options = parseControlOptions(argc, argv, &why);
  if (!options) {
    g_printerr("carrel-control: %s (see --help)\n", why.c_str());
    return 2;
  }
  std::unique_ptr<MySqlConnection> db;
  if (!options->mysqlDatabase.empty()) {
    db = std::make_unique<MySqlConnection>();
    if (!migrate(*options, *db)) return 1;
  }
  std::unique_ptr<GMainLoop, LoopUnref> loop(g_main_loop_new(nullptr, FALSE));
  auto node = std::make_unique<ControlNode>(*options);
  if (!node->start(&why, [&node] {
        std::printf("{\"event\":\"ready\",\"node\":\"%s\",\"url\":\"%s\"}\n",
                    node->nodeId().c_str(), node->url().c_str());
        std::fflush(stdout);
      })) {
    g_critical("cannot start: %s", why.c_str());
    return 1;
  }
  struct Stop {
    ControlNode* node;
    GMainLoop* loop;
    bool requested = false;
  } stop{node.get(), loop.get()};
  auto onSignal = [](gpointer data) -> gboolean {
    auto* s = static_cast<Stop*>(data);
    if (!s->requested) {
      s->requested = true;
      GMainLoop* l = s->loop;
      s->node->shutdown([l] { g_main_loop_quit(l); });
    }
    return G_SOURCE_CONTINUE;
  };
  guint sigint = g_unix_signal_add(SIGINT, onSignal, &stop);
  guint sigterm = g_unix_signal_add(SIGTERM, onSignal, &stop);
  g_main_loop_run(loop.get());
  g_source_remove(sigint);
  g_source_remove(sigterm);
  // Let the close frames and last Redis writes go out before the sockets are dropped.
  GMainContext* ctx = g_main_context_default();
  for (int i = 0; i < 20 && g_main_context_pending(ctx); ++i) g_main_context_iteration(ctx, FALSE);
  node.reset();
  g_message("stopped");
  return 0;
}
