#include "ControlOptions.hpp"

#include <glib.h>
#include <unistd.h>

#include "GPtr.hpp"

namespace carrel::control {

namespace {

struct StrOpt {
  gchar* value = nullptr;
  ~StrOpt() { g_free(value); }
  void into(std::string& out) const {
    if (value) out = value;
  }
};

}  // namespace

std::optional<ControlOptions> parseControlOptions(int argc, char** argv, std::string* error) {
  ControlOptions o;
  o.webRoot = CARREL_DEFAULT_WEB_ROOT;
  o.migrationsDir = CARREL_DEFAULT_MIGRATIONS_DIR;
  StrOpt host, webRoot, redisHost, nodeId, myHost, mySocket, myUser, myPassword, myDb, migrations;
  StrOpt adminLogin, adminPasswordFile, dataDir;
  double chatRate = o.chatRatePerSecond;
  int chatBurst = o.chatBurst;
  gint64 materialMax = o.materialMaxBytes;
  int tokenTtl = o.tokenTtlHours;
  gboolean allowGuests = FALSE;
  StrOpt recordingsDir, renderBinary, renderSize;
  int renderJobs = o.renderJobs, renderFps = o.renderFps, retention = o.recordingRetentionDays;
  int studyHeartbeat = o.studyHeartbeatMs;
  int grace = o.reconnectGraceMs;
  int afkTimeout = o.afkTimeoutMs;
  int port = o.port, redisPort = o.redisPort, timeout = o.sfuTimeoutMs, myPort = o.mysqlPort;
  GOptionEntry entries[] = {
      {"host", 0, 0, G_OPTION_ARG_STRING, &host.value, "Address to listen on (127.0.0.1)", "ADDR"},
      {"port", 0, 0, G_OPTION_ARG_INT, &port, "HTTP/WebSocket port (8080; 0 = any free port)",
       "PORT"},
      {"web-root", 0, 0, G_OPTION_ARG_FILENAME, &webRoot.value, "Folder of the web client's files",
       "DIR"},
      {"redis-host", 0, 0, G_OPTION_ARG_STRING, &redisHost.value, "Redis host (127.0.0.1)", "HOST"},
      {"redis-port", 0, 0, G_OPTION_ARG_INT, &redisPort, "Redis port (6379)", "PORT"},
      {"node-id", 0, 0, G_OPTION_ARG_STRING, &nodeId.value,
       "This node's id on the bus (ctl-<hostname>-<pid>)", "ID"},
      {"sfu-timeout-ms", 0, 0, G_OPTION_ARG_INT, &timeout,
       "How long to wait for the SFU to answer a request (5000)", "MS"},
      {"mysql-host", 0, 0, G_OPTION_ARG_STRING, &myHost.value, "MySQL/MariaDB host (127.0.0.1)",
       "HOST"},
      {"mysql-port", 0, 0, G_OPTION_ARG_INT, &myPort, "MySQL/MariaDB port (3306)", "PORT"},
      {"mysql-socket", 0, 0, G_OPTION_ARG_FILENAME, &mySocket.value,
       "MySQL/MariaDB Unix socket (used instead of host and port when given)", "PATH"},
      {"mysql-user", 0, 0, G_OPTION_ARG_STRING, &myUser.value, "MySQL/MariaDB user (root)", "USER"},
      {"mysql-password", 0, 0, G_OPTION_ARG_STRING, &myPassword.value, "MySQL/MariaDB password",
       "PASSWORD"},
      {"mysql-database", 0, 0, G_OPTION_ARG_STRING, &myDb.value,
       "Database to use (created if missing); without it the server runs without MySQL", "NAME"},
      {"migrations-dir", 0, 0, G_OPTION_ARG_FILENAME, &migrations.value,
       "Folder of numbered schema migrations NNN_name.sql", "DIR"},
      {"admin-login", 0, 0, G_OPTION_ARG_STRING, &adminLogin.value,
       "Global admin account to create at start-up if missing (needs --mysql-database)", "LOGIN"},
      {"admin-password-file", 0, 0, G_OPTION_ARG_FILENAME, &adminPasswordFile.value,
       "File whose first line is the admin's password (kept off the command line)", "PATH"},
      {"study-heartbeat-ms", 0, 0, G_OPTION_ARG_INT, &studyHeartbeat,
       "How often open study intervals are saved to MariaDB (default 15000)", "MS"},
      {"token-ttl-hours", 0, 0, G_OPTION_ARG_INT, &tokenTtl,
       "How long an access token stays valid (168)", "HOURS"},
      {"allow-guests", 0, 0, G_OPTION_ARG_NONE, &allowGuests,
       "With --mysql-database, also let clients without an access token join as guests", nullptr},
      {"reconnect-grace-ms", 0, 0, G_OPTION_ARG_INT, &grace,
       "How long a client whose WebSocket dropped keeps its place in the room (15000; 0: none)",
       "MS"},
      {"chat-rate", 0, 0, G_OPTION_ARG_DOUBLE, &chatRate,
       "Chat messages per second each user may send, on average (1)", "N"},
      {"chat-burst", 0, 0, G_OPTION_ARG_INT, &chatBurst,
       "Chat messages each user may send at once before the rate applies (8)", "N"},
      {"data-dir", 0, 0, G_OPTION_ARG_FILENAME, &dataDir.value,
       "Data folder: study materials are kept under DIR/materials (none without it)", "DIR"},
      {"material-max-bytes", 0, 0, G_OPTION_ARG_INT64, &materialMax,
       "Largest study material accepted for upload (20971520)", "BYTES"},
      {"afk-timeout-ms", 0, 0, G_OPTION_ARG_INT, &afkTimeout,
       "How long a participant has to answer an AFK check (60000)", "MS"},
      {"recordings-dir", 0, 0, G_OPTION_ARG_FILENAME, &recordingsDir.value,
       "The SFUs' --recordings-dir: enables recording (with --mysql-database)", "DIR"},
      {"render-binary", 0, 0, G_OPTION_ARG_FILENAME, &renderBinary.value,
       "carrel-render to run for finished recordings", "PATH"},
      {"render-jobs", 0, 0, G_OPTION_ARG_INT, &renderJobs, "Renders at a time on this node (1)",
       "N"},
      {"render-size", 0, 0, G_OPTION_ARG_STRING, &renderSize.value,
       "Picture size of rendered recordings (1280x720)", "WxH"},
      {"render-fps", 0, 0, G_OPTION_ARG_INT, &renderFps, "Frame rate of rendered recordings (25)",
       "N"},
      {"recording-retention-days", 0, 0, G_OPTION_ARG_INT, &retention,
       "Delete recordings this many days after they end (0: keep)", "DAYS"},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr}};
  struct ContextFree {
    void operator()(GOptionContext* c) const { g_option_context_free(c); }
  };
  std::unique_ptr<GOptionContext, ContextFree> ctx(
      g_option_context_new("- Carrel control plane (HTTP, client WebSocket, rooms)"));
  g_option_context_add_main_entries(ctx.get(), entries, nullptr);
  IceServerOptions iceOptions;
  g_option_context_add_group(ctx.get(), iceOptions.group());
  GError* raw = nullptr;
  if (!g_option_context_parse(ctx.get(), &argc, &argv, &raw)) {
    GErrorPtr err(raw);
    if (error) *error = err ? err->message : "bad command line";
    return std::nullopt;
  }
  host.into(o.host);
  webRoot.into(o.webRoot);
  redisHost.into(o.redisHost);
  nodeId.into(o.nodeId);
  myHost.into(o.mysqlHost);
  mySocket.into(o.mysqlSocket);
  myUser.into(o.mysqlUser);
  myPassword.into(o.mysqlPassword);
  myDb.into(o.mysqlDatabase);
  migrations.into(o.migrationsDir);
  adminLogin.into(o.adminLogin);
  adminPasswordFile.into(o.adminPasswordFile);
  o.tokenTtlHours = tokenTtl;
  o.allowGuests = allowGuests;
  o.renderBinary = CARREL_DEFAULT_RENDER_BINARY;
  recordingsDir.into(o.recordingsDir);
  renderBinary.into(o.renderBinary);
  renderSize.into(o.renderSize);
  o.renderJobs = renderJobs;
  o.renderFps = renderFps;
  o.recordingRetentionDays = retention;
  o.studyHeartbeatMs = studyHeartbeat;
  o.reconnectGraceMs = grace;
  dataDir.into(o.dataDir);
  o.chatRatePerSecond = chatRate;
  o.chatBurst = chatBurst;
  o.materialMaxBytes = materialMax;
  o.afkTimeoutMs = afkTimeout;
  o.port = port;
  o.redisPort = redisPort;
  o.sfuTimeoutMs = timeout;
  o.mysqlPort = myPort;
  auto bad = [&](const char* why) {
    if (error) *error = why;
    return std::optional<ControlOptions>();
  };
  if (o.port < 0 || o.port > 65535) return bad("--port must be 0..65535");
  if (o.redisPort <= 0 || o.redisPort > 65535) return bad("--redis-port must be 1..65535");
  if (o.mysqlPort <= 0 || o.mysqlPort > 65535) return bad("--mysql-port must be 1..65535");
  if (o.sfuTimeoutMs <= 0) return bad("--sfu-timeout-ms must be positive");
  if (o.renderJobs < 1 || o.renderJobs > 16) return bad("--render-jobs must be 1..16");
  if (o.renderFps < 1 || o.renderFps > 60) return bad("--render-fps must be 1..60");
  if (o.recordingRetentionDays < 0) return bad("--recording-retention-days must be >= 0");
  if (o.studyHeartbeatMs < 100 || o.studyHeartbeatMs > 600000) {
    return bad("--study-heartbeat-ms must be 100..600000");
  }
  if (o.reconnectGraceMs < 0 || o.reconnectGraceMs > 600000) {
    return bad("--reconnect-grace-ms must be 0..600000");
  }
  if (o.afkTimeoutMs <= 0) return bad("--afk-timeout-ms must be positive");
  if (o.tokenTtlHours <= 0 || o.tokenTtlHours > 24 * 365) {
    return bad("--token-ttl-hours must be 1..8760");
  }
  if (!(o.chatRatePerSecond > 0) || o.chatBurst < 1) {
    return bad("--chat-rate must be positive and --chat-burst at least 1");
  }
  if (o.materialMaxBytes < 1) return bad("--material-max-bytes must be positive");
  if (!o.adminLogin.empty() && (o.mysqlDatabase.empty() || o.adminPasswordFile.empty())) {
    return bad("--admin-login needs --mysql-database and --admin-password-file");
  }
  if (std::string why; !iceOptions.finish(&o.iceServers, &why)) {
    if (error) *error = why;
    return std::nullopt;
  }
  if (o.nodeId.empty()) {
    char hostname[256] = {0};
    if (gethostname(hostname, sizeof hostname - 1) != 0)
      g_strlcpy(hostname, "host", sizeof hostname);
    o.nodeId = "ctl-" + std::string(hostname) + "-" + std::to_string(getpid());
  }
  return o;
}

}  // namespace carrel::control
