// One blocking libmysqlclient connection (MariaDB/MySQL). Every statement goes through a
// prepared statement with bound string parameters: no SQL is built from input.
//
// A connection the server dropped (a MariaDB restart, an idle timeout, KILL) is only noticed
// when it is used, so the first round trip of a job (beginJob()) may reconnect and run again
// when that cannot apply anything twice: a statement that failed while being prepared never
// ran, and a read may always run again. Anything later in a job may depend on what the lost
// session held (an open transaction, LAST_INSERT_ID()), and a write that lost its answer may
// have committed: those fail, and unavailable() tells the caller why.
#pragma once

#include <mysql.h>

#include <memory>
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

  // A new job starts: its first round trip may reconnect once, and unavailable() is reset.
  void beginJob();
  // Whether something failed in this job because the server could not be reached (the
  // connection was lost and could not be made again, or was lost mid-job).
  bool unavailable() const { return unavailable_; }

  // Runs one statement; *affected gets the affected row count when given.
  bool execute(const std::string& sql, const std::vector<Value>& params, std::string* error,
               uint64_t* affected = nullptr);
  // Runs one statement that returns rows; every column comes back as text.
  std::optional<std::vector<Row>> query(const std::string& sql, const std::vector<Value>& params,
                                        std::string* error);

  bool setAutocommit(bool on, std::string* error);
  bool commit(std::string* error);
  void rollback();

 private:
  struct StmtClose {
    void operator()(MYSQL_STMT* s) const;
  };
  using StmtPtr = std::unique_ptr<MYSQL_STMT, StmtClose>;
  enum class Retry { NotRun, Read };  // what may run again after a lost connection

  std::string lastError() const;
  // Prepares and executes sql with its parameters bound as strings.
  StmtPtr run(const std::string& sql, const std::vector<Value>& params, Retry retry,
              std::string* error);
  StmtPtr runOnce(const std::string& sql, const std::vector<Value>& params, bool* prepared,
                  unsigned* errorCode, std::string* error);
  // Called when errorCode (lost connection or not) ended a round trip: whether to run it
  // again on a fresh connection. Marks the job unavailable when the connection is gone.
  bool retryAfter(unsigned errorCode, bool mayRetry);
  bool reconnect(std::string* error);

  MYSQL* db_ = nullptr;
  MySqlParams params_;
  std::string database_;
  bool firstRoundTrip_ = false;
  bool unavailable_ = false;
  bool down_ = false;  // the last reconnect failed (to log changes once)
};

}  // namespace carrel::control
