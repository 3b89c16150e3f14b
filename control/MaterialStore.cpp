#include "MaterialStore.hpp"

#include <cstdlib>

namespace carrel::control {

namespace {

uint64_t u64(const MySqlConnection::Value& v) {
  return v ? std::strtoull(v->c_str(), nullptr, 10) : 0;
}

int64_t i64(const MySqlConnection::Value& v) {
  return v ? std::strtoll(v->c_str(), nullptr, 10) : 0;
}

}  // namespace

const char* MaterialStore::columns() {
  return "m.id, m.room_id, m.uploader_id, m.display_name, m.sha256, m.size, m.content_type, "
         "m.created_ms";
}

Material MaterialStore::fromRow(const MySqlConnection::Row& r, size_t at) {
  Material m;
  m.id = u64(r[at]);
  m.room = r[at + 1].value_or("");
  m.uploaderId = u64(r[at + 2]);
  m.name = r[at + 3].value_or("");
  m.sha256 = r[at + 4].value_or("");
  m.size = i64(r[at + 5]);
  m.contentType = r[at + 6].value_or("");
  m.createdMs = i64(r[at + 7]);
  return m;
}

bool MaterialStore::insert(Material* m, std::string* error) {
  if (!db_.execute("INSERT INTO materials (room_id, uploader_id, display_name, sha256, size, "
                   "content_type, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   {m->room, std::to_string(m->uploaderId), m->name, m->sha256,
                    std::to_string(m->size), m->contentType, std::to_string(m->createdMs)},
                   error)) {
    return false;
  }
  auto rows = db_.query("SELECT LAST_INSERT_ID()", {}, error);
  if (!rows || rows->empty()) return false;
  m->id = u64(rows->front()[0]);
  return true;
}

StoreResult MaterialStore::get(uint64_t id, Material* out, std::string* error) {
  auto rows = db_.query(std::string("SELECT ") + columns() + " FROM materials m WHERE m.id = ?",
                        {std::to_string(id)}, error);
  if (!rows) return StoreResult::Failed;
  if (rows->empty()) return StoreResult::NotFound;
  if (out) *out = fromRow(rows->front(), 0);
  return StoreResult::Ok;
}

std::optional<std::vector<Material>> MaterialStore::list(const std::string& room, int limit,
                                                         std::string* error) {
  auto rows = db_.query(std::string("SELECT ") + columns() +
                            " FROM materials m WHERE m.room_id = ? ORDER BY m.id DESC LIMIT ?",
                        {room, std::to_string(limit)}, error);
  if (!rows) return std::nullopt;
  std::vector<Material> out;
  for (const auto& r : *rows) out.push_back(fromRow(r, 0));
  return out;
}

}  // namespace carrel::control
