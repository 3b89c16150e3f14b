#include "Migrations.hpp"

#include <glib.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace carrel::control {

namespace {

constexpr const char* kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INT NOT NULL PRIMARY KEY,"
    " name VARCHAR(200) NOT NULL,"
    " applied_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)"
    ") ENGINE=InnoDB";

// Releases the named lock however run() returns.
struct LockGuard {
  MySqlConnection& db;
  bool held = false;
  ~LockGuard() {
    if (held) db.query("SELECT RELEASE_LOCK(?)", {std::string("carrel_migrations")}, nullptr);
  }
};

bool isTrimmedEmpty(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); });
}

}  // namespace

bool Migrations::isValidDatabaseName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::optional<Migration> Migrations::parseFileName(std::string_view f) {
  constexpr std::string_view ext = ".sql";
  if (f.size() < 3 + 1 + 1 + ext.size() || f.substr(f.size() - ext.size()) != ext) return {};
  for (int i = 0; i < 3; ++i) {
    if (f[i] < '0' || f[i] > '9') return {};
  }
  if (f[3] != '_') return {};
  std::string_view name = f.substr(4, f.size() - 4 - ext.size());
  if (name.empty() || name.size() > 190) return {};
  for (char c : name) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return {};
  }
  Migration m;
  m.version = (f[0] - '0') * 100 + (f[1] - '0') * 10 + (f[2] - '0');
  m.name = std::string(name);
  return m;
}

std::optional<std::vector<Migration>> Migrations::scan(const std::string& dir, std::string* error) {
  std::error_code ec;
  std::vector<Migration> out;
  std::set<int> seen;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file()) continue;
    auto m = parseFileName(entry.path().filename().string());
    if (!m) continue;
    if (!seen.insert(m->version).second) {
      if (error) *error = "two migrations have version " + std::to_string(m->version);
      return std::nullopt;
    }
    m->path = entry.path().string();
    out.push_back(std::move(*m));
  }
  if (ec) {
    if (error) *error = "cannot read " + dir + ": " + ec.message();
    return std::nullopt;
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.version < b.version; });
  return out;
}

std::vector<std::string> Migrations::splitStatements(std::string_view sql) {
  std::vector<std::string> out;
  std::string cur;
  char quote = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    char next = i + 1 < sql.size() ? sql[i + 1] : '\0';
    if (quote) {
      cur.push_back(c);
      if (c == '\\' && quote != '`' && next) {
        cur.push_back(next);
        ++i;
      } else if (c == quote) {
        quote = 0;
      }
      continue;
    }
    if (c == '\'' || c == '"' || c == '`') {
      quote = c;
      cur.push_back(c);
    } else if ((c == '-' && next == '-') || c == '#') {
      while (i < sql.size() && sql[i] != '\n') ++i;
      cur.push_back('\n');
    } else if (c == '/' && next == '*') {
      size_t end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? sql.size() : end + 1;
      cur.push_back(' ');
    } else if (c == ';') {
      if (!isTrimmedEmpty(cur)) out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!isTrimmedEmpty(cur)) out.push_back(cur);
  return out;
}

std::optional<MigrationResult> Migrations::run(MySqlConnection& db, const std::string& database,
                                               const std::string& dir, std::string* error) {
  auto fail = [&](std::string why) {
    if (error) *error = std::move(why);
    return std::optional<MigrationResult>();
  };
  if (!isValidDatabaseName(database)) return fail("bad database name (use [A-Za-z0-9_]{1,64})");
  auto files = scan(dir, error);
  if (!files) return std::nullopt;
  std::string why;
  // The name was checked above: an identifier cannot be a placeholder.
  if (!db.execute("CREATE DATABASE IF NOT EXISTS `" + database + "` CHARACTER SET utf8mb4", {},
                  &why)) {
    return fail("create database: " + why);
  }
  if (!db.selectDatabase(database, &why)) return fail("use " + database + ": " + why);
  LockGuard lock{db};
  auto got = db.query("SELECT GET_LOCK(?, ?)",
                      {std::string("carrel_migrations"), std::string("30")}, &why);
  if (!got || got->empty() || got->front().empty() || got->front()[0] != std::string("1")) {
    return fail("could not take the migrations lock: " + why);
  }
  lock.held = true;
  if (!db.execute(kCreateTable, {}, &why)) return fail("schema_migrations: " + why);
  auto rows = db.query("SELECT version FROM schema_migrations", {}, &why);
  if (!rows) return fail("read schema_migrations: " + why);
  std::set<int> done;
  for (auto& r : *rows) {
    if (!r.empty() && r[0]) done.insert(std::atoi(r[0]->c_str()));
  }
  MigrationResult result;
  result.schemaVersion = done.empty() ? 0 : *done.rbegin();
  for (const auto& m : *files) {
    if (done.count(m.version)) continue;
    std::ifstream in(m.path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) return fail("cannot read " + m.path);
    // DDL commits implicitly in MySQL; the transaction still makes the record and any DML of a
    // migration one unit.
    if (!db.setAutocommit(false, &why)) return fail(why);
    for (const auto& stmt : splitStatements(text.str())) {
      if (!db.execute(stmt, {}, &why)) {
        db.rollback();
        db.setAutocommit(true, nullptr);
        return fail("migration " + std::to_string(m.version) + " (" + m.name + "): " + why);
      }
    }
    if (!db.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                    {std::to_string(m.version), m.name}, &why) ||
        !db.commit(&why)) {
      db.rollback();
      db.setAutocommit(true, nullptr);
      return fail("record migration " + std::to_string(m.version) + ": " + why);
    }
    db.setAutocommit(true, nullptr);
    g_message("applied migration %03d %s", m.version, m.name.c_str());
    ++result.applied;
    result.schemaVersion = std::max(result.schemaVersion, m.version);
  }
  return result;
}

}  // namespace carrel::control
