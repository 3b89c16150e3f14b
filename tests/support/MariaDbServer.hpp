// A private MariaDB for one test (see shared RECIPES): its own data folder, socket and port.
#pragma once

#include <memory>
#include <string>

#include "Process.hpp"

namespace carrel::test {

class MariaDbServer {
 public:
  explicit MariaDbServer(const std::string& dir);
  ~MariaDbServer();
  int port() const { return port_; }
  const std::string& socket() const { return socket_; }
  // Runs SQL through the mariadb client as root; returns its stdout (batch mode).
  std::string query(const std::string& sql);
  void kill9() { proc_->kill9(); }
  // After kill9(): starts it again on the same data folder, socket and port, and waits until
  // it answers.
  void restart() { start(); }

 private:
  void start();
  std::string dir_;
  std::string socket_;
  int port_;
  std::unique_ptr<Process> proc_;
};

}  // namespace carrel::test
