// Numbered schema migrations (control/migrations/NNN_name.sql), applied in order at start-up,
// each exactly once, recorded in schema_migrations(version, name, applied_at). A named lock
// keeps two control nodes starting together from applying the same migration twice.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "MySqlConnection.hpp"

namespace carrel::control {

struct Migration {
  int version = 0;
  std::string name;
  std::string path;
};

struct MigrationResult {
  int applied = 0;
  int schemaVersion = 0;
};

class Migrations {
 public:
  // The migration files of dir, by version; nullopt (and why) on a duplicate version or an
  // unreadable folder. Files not named NNN_name.sql are ignored.
  static std::optional<std::vector<Migration>> scan(const std::string& dir, std::string* error);
  // NNN_name.sql -> (NNN, name)
  static std::optional<Migration> parseFileName(std::string_view fileName);
  // Splits a script into statements at ';' outside quotes and comments; drops empty ones.
  static std::vector<std::string> splitStatements(std::string_view sql);
  // Database names are used as identifiers, which no placeholder can carry: [A-Za-z0-9_]{1,64}.
  static bool isValidDatabaseName(std::string_view name);

  // Creates the database if missing, selects it and applies the pending migrations.
  static std::optional<MigrationResult> run(MySqlConnection& db, const std::string& database,
                                            const std::string& dir, std::string* error);
};

}  // namespace carrel::control
