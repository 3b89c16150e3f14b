// One blocking libmysqlclient connection (MariaDB/MySQL), used at start-up. Every statement
// goes through a prepared statement with bound string parameters: no SQL is built from input.
#pragma once

#include <mysql.h>

#include <optional>
#include <string>
#include <vector>

namespace carrel::control {

struct MySqlParams {
  std::string host = "127.0.0.1";
  int port = 3306;
  std::string socket;  // used instead of host/port when set
  std::string user = "root";
  std::string password;
};

class MySqlConnection {
 public:
  using Value = std::optional<std::string>;  // nullopt = SQL NULL
  using Row = std::vector<Value>;

  MySqlConnection();
  ~MySqlConnection();
  MySqlConnection(const MySqlConnection&) = delete;
  MySqlConnection& operator=(const MySqlConnection&) = delete;

  bool connect(const MySqlParams& p, std::string* error);
  bool selectDatabase(const std::string& name, std::string* error);

  // Runs one statement; *affected gets the affected row count when given.
  bool execute(const std::string& sql, const std::vector<Value>& params, std::string* error,
               uint64_t* affected = nullptr);
  // Runs one statement that returns rows; every column comes back as text.
  std::optional<std::vector<Row>> query(const std::string& sql, const std::vector<Value>& params,
                                        std::string* error);

  // Whether the server still answers on this connection (false once it went away).
  bool ping();

  bool setAutocommit(bool on, std::string* error);
  bool commit(std::string* error);
  void rollback();

 private:
  std::string lastError() const;
  MYSQL* db_ = nullptr;
};

}  // namespace carrel::control
