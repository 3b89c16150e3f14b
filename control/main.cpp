// carrel-control: parses the command line, applies the schema migrations and serves the
// accounts API (when a database is given), runs the node until SIGINT/SIGTERM, then leaves every
// room and exits 0.
#include <glib-unix.h>

#include <cstdio>
#include <fstream>
#include <memory>

#include "AccessTokens.hpp"
#include "AdminRoutes.hpp"
#include "AuthRoutes.hpp"
#include "AuthService.hpp"
#include "ControlNode.hpp"
#include "DbWorker.hpp"
#include "LobbyRoutes.hpp"
#include "MaterialRoutes.hpp"
#include "Migrations.hpp"
#include "MySqlConnection.hpp"
#include "RecordingRoutes.hpp"
#include "RecordingService.hpp"
#include "Rest.hpp"
#include "RoomRoutes.hpp"
#include "StudyService.hpp"
#include "WsAuthGate.hpp"

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

// The accounts REST API: needs MySQL. Creates the admin if asked, loads the shared token
// secret, and starts the DB worker thread the routes use.
struct Accounts {
  DbWorker worker;
  // Chat has its own connection and thread: a message's insert never waits behind an
  // argon2id hash of a log-in.
  DbWorker chatWorker;
  std::unique_ptr<AuthService> auth;
  std::unique_ptr<AuthRoutes> routes;
  std::unique_ptr<RoomRoutes> rooms;
  std::unique_ptr<MaterialRoutes> materials;
  std::unique_ptr<WsAuthGate> gate;
  std::unique_ptr<LobbyRoutes> lobby;
  std::unique_ptr<StudyService> study;
  std::unique_ptr<AdminRoutes> admin;
  // Moderation's own connection: a join's ban check never waits behind a log-in's hash.
  DbWorker moderationWorker;
  std::string tokenSecret;
  std::unique_ptr<RecordingService> recordings;
  std::unique_ptr<RecordingRoutes> recordingRoutes;

  bool start(const ControlOptions& o, MySqlConnection& db) {
    std::string why;
    if (!o.adminLogin.empty()) {
      std::ifstream in(o.adminPasswordFile);
      std::string password;
      if (!in || !std::getline(in, password) || password.size() < 8) {
        g_critical("admin: cannot read a password of 8+ characters from %s",
                   o.adminPasswordFile.c_str());
        return false;
      }
      if (!AuthService::bootstrapAdmin(db, o.adminLogin, password, &why)) {
        g_critical("admin: %s", why.c_str());
        return false;
      }
      g_message("admin: account %s is ready", o.adminLogin.c_str());
    }
    auto secret = UserStore(db).tokenSecret(AccessTokens::newSecret(), &why);
    if (!secret) {
      g_critical("mysql: cannot load the token secret: %s", why.c_str());
      return false;
    }
    MySqlParams p{o.mysqlHost, o.mysqlPort, o.mysqlSocket, o.mysqlUser, o.mysqlPassword};
    if (!worker.start(p, o.mysqlDatabase, &why)) {
      g_critical("mysql: DB worker cannot connect: %s", why.c_str());
      return false;
    }
    if (!chatWorker.start(p, o.mysqlDatabase, &why)) {
      g_critical("mysql: chat DB worker cannot connect: %s", why.c_str());
      return false;
    }
    if (!moderationWorker.start(p, o.mysqlDatabase, &why)) {
      g_critical("mysql: moderation DB worker cannot connect: %s", why.c_str());
      return false;
    }
    auth = std::make_unique<AuthService>(worker, *secret, int64_t(o.tokenTtlHours) * 3600);
    tokenSecret = *secret;
    routes = std::make_unique<AuthRoutes>(*auth);
    return true;
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::string why;
  auto options = parseControlOptions(argc, argv, &why);
  if (!options) {
    g_printerr("carrel-control: %s (see --help)\n", why.c_str());
    return 2;
  }
  std::unique_ptr<MySqlConnection> db;
  // Declared before the node so that it goes after it: the routes must outlive the server.
  std::unique_ptr<Accounts> accounts;
  if (!options->mysqlDatabase.empty()) {
    db = std::make_unique<MySqlConnection>();
    if (!migrate(*options, *db)) return 1;
    accounts = std::make_unique<Accounts>();
    if (!accounts->start(*options, *db)) return 1;
  }
  std::unique_ptr<GMainLoop, LoopUnref> loop(g_main_loop_new(nullptr, FALSE));
  auto node = std::make_unique<ControlNode>(*options);
  if (accounts) node->setChatDatabase(&accounts->chatWorker);
  if (accounts) node->setModerationDatabase(&accounts->moderationWorker);
  if (!node->start(&why, [&node, &accounts] {
        if (accounts && accounts->study) accounts->study->begin();
        std::printf("{\"event\":\"ready\",\"node\":\"%s\",\"url\":\"%s\"}\n",
                    node->nodeId().c_str(), node->url().c_str());
        std::fflush(stdout);
      })) {
    g_critical("cannot start: %s", why.c_str());
    return 1;
  }
  if (accounts) {
    AuthService* auth = accounts->auth.get();
    accounts->gate = std::make_unique<WsAuthGate>(
        [auth](const std::string& token, WsAuthGate::Verdict done) {
          auth->authenticate(token, [done](const AuthResult& r) {
            SessionIdentity who{static_cast<int64_t>(r.user.id), r.user.displayName, r.user.admin};
            done(r.code, r.message, who);
          });
        },
        options->allowGuests);
    accounts->gate->install(node->http()->soup());
    node->attachDatabase(&accounts->worker);
    Rest::guardBodies(node->http()->soup());
    accounts->routes->install(node->http()->soup());
    accounts->rooms =
        std::make_unique<RoomRoutes>(*accounts->auth, accounts->worker, node->rooms());
    accounts->rooms->install(node->http()->soup());
    accounts->lobby = std::make_unique<LobbyRoutes>(*accounts->auth, accounts->worker,
                                                    node->roster(), node->presence());
    accounts->lobby->install(node->http()->soup());
    accounts->study = std::make_unique<StudyService>(*node, accounts->worker, *accounts->auth);
    accounts->study->install(node->http()->soup());
    accounts->admin =
        std::make_unique<AdminRoutes>(*accounts->auth, accounts->moderationWorker, *node);
    accounts->admin->install(node->http()->soup());
    accounts->materials =
        std::make_unique<MaterialRoutes>(*accounts->auth, accounts->worker, *options);
    if (!accounts->materials->prepare(&why)) {
      g_critical("materials: %s", why.c_str());
      return 1;
    }
    accounts->materials->install(node->http()->soup());
    if (!options->recordingsDir.empty()) {
      RecordingConfig rc{
          options->recordingsDir,
          options->renderBinary,
          {"--size", options->renderSize, "--fps", std::to_string(options->renderFps)},
          options->renderJobs,
          options->recordingRetentionDays};
      accounts->recordings = std::make_unique<RecordingService>(*node, accounts->worker, rc);
      node->attachRecordings(accounts->recordings.get());
      RecordingService* rs = accounts->recordings.get();
      node->moderation().onRoomClosed([rs](const std::string& room) { rs->onRoomClosed(room); });
      accounts->recordingRoutes = std::make_unique<RecordingRoutes>(
          *accounts->auth, accounts->worker, *accounts->recordings, accounts->tokenSecret);
      accounts->recordingRoutes->install(node->http()->soup());
      accounts->recordings->resume();
    }
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
