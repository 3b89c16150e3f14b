// Study materials in MariaDB (synchronous, on a DbWorker's thread, prepared statements only):
// one row per upload naming a file kept by content hash, and who may see a room's files.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "MySqlConnection.hpp"
#include "UserStore.hpp"

namespace carrel::control {

struct Material {
  uint64_t id = 0;
  std::string room;
  uint64_t uploaderId = 0;
  std::string name;  // the display name the uploader gave (never a path on disk)
  std::string sha256;
  int64_t size = 0;
  std::string contentType;
  int64_t createdMs = 0;
};

class MaterialStore {
 public:
  explicit MaterialStore(MySqlConnection& db) : db_(db) {}

  // Fills m->id.
  bool insert(Material* m, std::string* error);
  StoreResult get(uint64_t id, Material* out, std::string* error);
  // The room's materials, newest first (at most limit).
  std::optional<std::vector<Material>> list(const std::string& room, int limit, std::string* error);
  static Material fromRow(const MySqlConnection::Row& r, size_t at);
  // The columns fromRow reads, for a materials row aliased m.
  static const char* columns();

 private:
  MySqlConnection& db_;
};

}  // namespace carrel::control
