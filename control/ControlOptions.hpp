// carrel-control's command line (GOptionContext, with --help text).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "IceServers.hpp"

namespace carrel::control {

struct ControlOptions {
  IceServerConfig iceServers;  // for welcome's ice_servers
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port
  std::string webRoot;
  std::string redisHost = "127.0.0.1";
  int redisPort = 6379;
  std::string nodeId;  // default ctl-<hostname>-<pid>
  int sfuTimeoutMs = 5000;
  std::string mysqlHost = "127.0.0.1";
  int mysqlPort = 3306;
  std::string mysqlSocket;
  std::string mysqlUser = "root";
  std::string mysqlPassword;
  std::string mysqlDatabase;  // empty: run without MySQL
  std::string migrationsDir;
  std::string adminLogin;         // ensured at start-up when set (needs MySQL)
  std::string adminPasswordFile;  // first line is the admin's password
  int tokenTtlHours = 24 * 7;
  // With a database, /ws needs an access token unless this lets name-only guests in too.
  bool allowGuests = false;
  // Recording (issue 8): the SFUs' --recordings-dir (needs a database; empty: no recording).
  std::string recordingsDir;
  std::string renderBinary;  // carrel-render
  int renderJobs = 1;        // renders at a time on this node
  std::string renderSize = "1280x720";
  int renderFps = 25;
  int recordingRetentionDays = 0;  // 0: keep forever
  int studyHeartbeatMs = 15000;    // open study intervals to MariaDB; a crash loses at most this
  // How long a client that dropped without leaving keeps its place (0: it leaves at once).
  int reconnectGraceMs = 15000;
  double chatRatePerSecond = 1.0;  // chat messages (and edits) per user, refilled per second
  int chatBurst = 8;               // ... and how many may come at once
  std::string dataDir;             // study materials go under <dataDir>/materials; "" = none
  int64_t materialMaxBytes = 20 * 1024 * 1024;
  // How long a participant has to answer a moderator's AFK check before being removed.
  int afkTimeoutMs = 60000;
};

// Parses argv; on a bad command line returns nullopt and the reason in *error.
std::optional<ControlOptions> parseControlOptions(int argc, char** argv, std::string* error);

}  // namespace carrel::control
