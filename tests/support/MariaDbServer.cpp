#include "MariaDbServer.hpp"

#include <array>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include <stdlib.h>
#include <unistd.h>

#include "TestEnv.hpp"

namespace carrel::test {

static std::string run(const std::string& cmd, int* status = nullptr) {
  std::string out;
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) return out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), f)) > 0) out.append(buf.data(), n);
  int st = pclose(f);
  if (status) *status = st;
  return out;
}

// A Unix socket path must stay under 108 bytes, which a test's artifact folder may not.
static std::string shortSocketPath() {
  char tmpl[] = "/tmp/carrel-db-XXXXXX";
  const char* d = mkdtemp(tmpl);
  if (!d) throw std::runtime_error("mkdtemp failed");
  return std::string(d) + "/mysql.sock";
}

MariaDbServer::MariaDbServer(const std::string& dir)
    : dir_(dir), socket_(shortSocketPath()), port_(freePort()) {
  std::filesystem::create_directories(dir + "/data");
  // Temporary tables in a folder of its own: bootstraps running side by side in the shared
  // /tmp were seen to lose each other's temporary files.
  std::string tmp = std::filesystem::path(socket_).parent_path().string();
  int st = 0;
  run("TMPDIR=" + tmp + " mariadb-install-db --no-defaults --datadir=" + dir +
          "/data --user=root"
          " --auth-root-authentication-method=normal > " +
          dir + "/install.log 2>&1",
      &st);
  if (st != 0) throw std::runtime_error("mariadb-install-db failed, see " + dir + "/install.log");
  start();
}

void MariaDbServer::start() {
  proc_.reset();  // a previous run, killed
  std::string tmp = std::filesystem::path(socket_).parent_path().string();
  proc_ = std::make_unique<Process>(
      std::vector<std::string>{"/usr/sbin/mariadbd", "--no-defaults", "--datadir=" + dir_ + "/data",
                               "--socket=" + socket_, "--port=" + std::to_string(port_),
                               "--bind-address=127.0.0.1", "--user=root", "--skip-name-resolve",
                               "--log-error=" + dir_ + "/err.log", "--pid-file=" + dir_ + "/pid",
                               "--tmpdir=" + tmp},
      dir_ + "/mariadbd.log");
  for (int i = 0; i < 600; ++i) {
    int qs = 0;
    run("mariadb --no-defaults -uroot --socket=" + socket_ + " -e 'select 1' >/dev/null 2>&1", &qs);
    if (qs == 0) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw std::runtime_error("mariadbd did not become ready, see " + dir_ + "/err.log");
}

MariaDbServer::~MariaDbServer() {
  proc_.reset();  // stops mariadbd by its PID first
  std::filesystem::remove_all(std::filesystem::path(socket_).parent_path());
}

std::string MariaDbServer::query(const std::string& sql) {
  std::string path = dir_ + "/query.sql";
  FILE* f = fopen(path.c_str(), "w");
  if (!f) return "";
  fwrite(sql.data(), 1, sql.size(), f);
  fclose(f);
  return run("mariadb --no-defaults -uroot --socket=" + socket_ + " -N -B < " + path);
}

}  // namespace carrel::test
