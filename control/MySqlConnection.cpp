#include "MySqlConnection.hpp"

#include <errmsg.h>
#include <glib.h>
#include <mysqld_error.h>

#include <cstring>

namespace carrel::control {

namespace {

struct ResultFree {
  void operator()(MYSQL_RES* r) const {
    if (r) mysql_free_result(r);
  }
};
using ResultPtr = std::unique_ptr<MYSQL_RES, ResultFree>;

std::string stmtError(MYSQL_STMT* s, const std::string& sql) {
  std::string head = sql.substr(0, 60);
  for (char& c : head) {
    if (c == '\n') c = ' ';
  }
  return std::string(mysql_stmt_error(s)) + " (in: " + head + (sql.size() > 60 ? "...)" : ")");
}

// The errors that mean the session is gone, not that the statement was wrong.
bool isLost(unsigned code) {
  switch (code) {
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST:
    case CR_SERVER_LOST_EXTENDED:
    case CR_CONNECTION_ERROR:
    case CR_CONN_HOST_ERROR:
    case ER_CONNECTION_KILLED:
    case ER_SERVER_SHUTDOWN:
      return true;
    default:
      return false;
  }
}

}  // namespace

void MySqlConnection::StmtClose::operator()(MYSQL_STMT* s) const {
  if (s) mysql_stmt_close(s);
}

MySqlConnection::StmtPtr MySqlConnection::runOnce(const std::string& sql,
                                                  const std::vector<Value>& params, bool* prepared,
                                                  unsigned* errorCode, std::string* error) {
  *prepared = false;
  *errorCode = 0;
  StmtPtr stmt(mysql_stmt_init(db_));
  if (!stmt) {
    *errorCode = mysql_errno(db_);
    if (error) *error = "out of memory";
    return nullptr;
  }
  if (mysql_stmt_prepare(stmt.get(), sql.data(), sql.size()) != 0) {
    *errorCode = mysql_stmt_errno(stmt.get());
    if (error) *error = stmtError(stmt.get(), sql);
    return nullptr;
  }
  *prepared = true;
  if (mysql_stmt_param_count(stmt.get()) != params.size()) {
    if (error) *error = "parameter count mismatch in: " + sql;
    return nullptr;
  }
  std::vector<MYSQL_BIND> binds(params.size());
  std::vector<unsigned long> lengths(params.size());
  std::vector<my_bool> nulls(params.size());
  for (size_t i = 0; i < params.size(); ++i) {
    std::memset(&binds[i], 0, sizeof(MYSQL_BIND));
    nulls[i] = !params[i].has_value();
    lengths[i] = params[i] ? params[i]->size() : 0;
    binds[i].buffer_type = MYSQL_TYPE_STRING;
    binds[i].buffer = params[i] ? const_cast<char*>(params[i]->data()) : nullptr;
    binds[i].buffer_length = lengths[i];
    binds[i].length = &lengths[i];
    binds[i].is_null = &nulls[i];
  }
  if (!binds.empty() && mysql_stmt_bind_param(stmt.get(), binds.data()) != 0) {
    if (error) *error = stmtError(stmt.get(), sql);
    return nullptr;
  }
  if (mysql_stmt_execute(stmt.get()) != 0) {
    *errorCode = mysql_stmt_errno(stmt.get());
    if (error) *error = stmtError(stmt.get(), sql);
    return nullptr;
  }
  return stmt;
}

MySqlConnection::StmtPtr MySqlConnection::run(const std::string& sql,
                                              const std::vector<Value>& params, Retry retry,
                                              std::string* error) {
  bool first = firstRoundTrip_;
  firstRoundTrip_ = false;
  bool prepared = false;
  unsigned code = 0;
  StmtPtr stmt = runOnce(sql, params, &prepared, &code, error);
  if (stmt || !retryAfter(code, first && (!prepared || retry == Retry::Read))) return stmt;
  stmt = runOnce(sql, params, &prepared, &code, error);
  if (!stmt) retryAfter(code, false);
  return stmt;
}

bool MySqlConnection::retryAfter(unsigned errorCode, bool mayRetry) {
  if (!isLost(errorCode)) return false;
  if (mayRetry) {
    std::string why;
    if (reconnect(&why)) return true;
    if (!down_) g_warning("mysql: connection lost, cannot reconnect: %s", why.c_str());
    down_ = true;
  }
  unavailable_ = true;
  return false;
}

bool MySqlConnection::reconnect(std::string* error) {
  MySqlConnection fresh;
  if (!fresh.connect(params_, error) || !fresh.selectDatabase(database_, error)) {
    // Keep the dead handle: what still runs in this job fails at once, as lost.
    return false;
  }
  std::swap(db_, fresh.db_);
  g_message("mysql: reconnected to database %s", database_.c_str());
  down_ = false;
  return true;
}

void MySqlConnection::beginJob() {
  firstRoundTrip_ = true;
  unavailable_ = false;
}

MySqlConnection::MySqlConnection() : db_(mysql_init(nullptr)) {}

MySqlConnection::~MySqlConnection() {
  if (db_) mysql_close(db_);
}

std::string MySqlConnection::lastError() const {
  return db_ ? mysql_error(db_) : "no connection";
}

bool MySqlConnection::connect(const MySqlParams& p, std::string* error) {
  if (!db_) {
    if (error) *error = "mysql_init failed";
    return false;
  }
  unsigned int timeout = 10;
  mysql_options(db_, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  mysql_options(db_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  const char* socket = p.socket.empty() ? nullptr : p.socket.c_str();
  if (!mysql_real_connect(db_, socket ? nullptr : p.host.c_str(), p.user.c_str(),
                          p.password.c_str(), nullptr, socket ? 0 : static_cast<unsigned>(p.port),
                          socket, 0)) {
    if (error) *error = lastError();
    return false;
  }
  params_ = p;
  return true;
}

bool MySqlConnection::selectDatabase(const std::string& name, std::string* error) {
  if (mysql_select_db(db_, name.c_str()) != 0) {
    if (error) *error = lastError();
    return false;
  }
  database_ = name;
  return true;
}

bool MySqlConnection::execute(const std::string& sql, const std::vector<Value>& params,
                              std::string* error, uint64_t* affected) {
  StmtPtr stmt = run(sql, params, Retry::NotRun, error);
  if (!stmt) return false;
  if (affected) *affected = mysql_stmt_affected_rows(stmt.get());
  return true;
}

std::optional<std::vector<MySqlConnection::Row>> MySqlConnection::query(
    const std::string& sql, const std::vector<Value>& params, std::string* error) {
  StmtPtr stmt = run(sql, params, Retry::Read, error);
  if (!stmt) return std::nullopt;
  ResultPtr meta(mysql_stmt_result_metadata(stmt.get()));
  if (!meta) {
    if (error) *error = "statement returns no rows: " + sql;
    return std::nullopt;
  }
  unsigned int columns = mysql_num_fields(meta.get());
  constexpr size_t kChunk = 1024;
  std::vector<std::vector<char>> buffers(columns, std::vector<char>(kChunk));
  std::vector<unsigned long> lengths(columns);
  std::vector<my_bool> nulls(columns);
  std::vector<MYSQL_BIND> binds(columns);
  for (unsigned int i = 0; i < columns; ++i) {
    std::memset(&binds[i], 0, sizeof(MYSQL_BIND));
    binds[i].buffer_type = MYSQL_TYPE_STRING;
    binds[i].buffer = buffers[i].data();
    binds[i].buffer_length = kChunk;
    binds[i].length = &lengths[i];
    binds[i].is_null = &nulls[i];
  }
  if (columns && mysql_stmt_bind_result(stmt.get(), binds.data()) != 0) {
    if (error) *error = stmtError(stmt.get(), sql);
    return std::nullopt;
  }
  std::vector<Row> rows;
  for (;;) {
    int rc = mysql_stmt_fetch(stmt.get());
    if (rc == MYSQL_NO_DATA) break;
    if (rc == 1) {
      if (error) *error = stmtError(stmt.get(), sql);
      retryAfter(mysql_stmt_errno(stmt.get()), false);
      return std::nullopt;
    }
    Row row;
    for (unsigned int i = 0; i < columns; ++i) {
      if (nulls[i]) {
        row.emplace_back(std::nullopt);
        continue;
      }
      if (lengths[i] <= kChunk) {
        row.emplace_back(std::string(buffers[i].data(), lengths[i]));
        continue;
      }
      // Longer than the buffer: fetch this column again, whole.
      std::string whole(lengths[i], '\0');
      MYSQL_BIND b;
      std::memset(&b, 0, sizeof b);
      b.buffer_type = MYSQL_TYPE_STRING;
      b.buffer = whole.data();
      b.buffer_length = lengths[i];
      if (mysql_stmt_fetch_column(stmt.get(), &b, i, 0) != 0) {
        if (error) *error = stmtError(stmt.get(), sql);
        return std::nullopt;
      }
      row.emplace_back(std::move(whole));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

bool MySqlConnection::setAutocommit(bool on, std::string* error) {
  // Opening a transaction at the start of a job holds nothing yet: it may run again.
  bool first = firstRoundTrip_;
  firstRoundTrip_ = false;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (mysql_autocommit(db_, on ? 1 : 0) == 0) return true;
    if (error) *error = lastError();
    if (!retryAfter(mysql_errno(db_), first && attempt == 0)) return false;
  }
  return false;
}

bool MySqlConnection::commit(std::string* error) {
  // A commit that lost its answer may have committed: never run again.
  firstRoundTrip_ = false;
  if (mysql_commit(db_) != 0) {
    if (error) *error = lastError();
    retryAfter(mysql_errno(db_), false);
    return false;
  }
  return true;
}

void MySqlConnection::rollback() {
  mysql_rollback(db_);
}

}  // namespace carrel::control
