#include "MaterialRoutes.hpp"

#include <glib/gstdio.h>

#include <cstring>
#include <memory>

#include "ChatJson.hpp"
#include "MaterialStore.hpp"
#include "MaterialUpload.hpp"
#include "RoomStore.hpp"

namespace carrel::control {

namespace {

constexpr const char* kPrefix = "/api/v1/materials";
constexpr const char* kUploadKey = "carrel-material-upload";
constexpr size_t kMaxName = 255;

const char* param(GHashTable* query, const char* name) {
  return query ? static_cast<const char*>(g_hash_table_lookup(query, name)) : nullptr;
}

bool validRoomId(const char* id) {
  size_t n = id ? std::strlen(id) : 0;
  if (n == 0 || n > 64) return false;
  for (size_t i = 0; i < n; ++i) {
    char c = id[i];
    if (!(g_ascii_isalnum(c) || c == '_' || c == '-')) return false;
  }
  return true;
}

// A display name: UTF-8, no control characters (it ends up in a header), 1..255 bytes.
bool validName(const char* name) {
  size_t n = name ? std::strlen(name) : 0;
  if (n == 0 || n > kMaxName || !g_utf8_validate(name, static_cast<gssize>(n), nullptr)) {
    return false;
  }
  for (const char* p = name; *p; p = g_utf8_next_char(p)) {
    if (g_unichar_iscntrl(g_utf8_get_char(p))) return false;
  }
  return true;
}

// Content-Disposition for any name: an ASCII fallback plus the exact name (RFC 6266/8187).
std::string disposition(const std::string& name) {
  std::string ascii;
  for (unsigned char c : name) {
    ascii.push_back(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '/' ? char(c) : '_');
  }
  GCharPtr escaped(g_uri_escape_string(name.c_str(), nullptr, FALSE));
  return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + escaped.get();
}

bool mayRead(const User& u, const Material& m, bool member) {
  return u.admin || member || (u.id && u.id == m.uploaderId);
}

void unavailable(SoupServerMessage* msg) {
  Rest::failEarly(msg, "unavailable",
                  "this server keeps no study materials (it has no --data-dir)");
}

}  // namespace

MaterialRoutes::MaterialRoutes(AuthService& auth, DbWorker& worker, const ControlOptions& o)
    : auth_(auth), worker_(worker), max_(o.materialMaxBytes) {
  if (o.dataDir.empty()) return;
  root_ = o.dataDir + "/materials";
  tmp_ = root_ + "/tmp/" + o.nodeId;
}

bool MaterialRoutes::prepare(std::string* error) {
  if (root_.empty()) return true;
  if (g_mkdir_with_parents(tmp_.c_str(), 0750) != 0) {
    if (error) *error = "cannot create " + tmp_ + ": " + std::strerror(errno);
    return false;
  }
  // Partial uploads of a crashed run of this node were never acknowledged: drop them.
  std::unique_ptr<GDir, decltype(&g_dir_close)> d(g_dir_open(tmp_.c_str(), 0, nullptr),
                                                  &g_dir_close);
  if (d) {
    while (const char* name = g_dir_read_name(d.get())) g_unlink((tmp_ + "/" + name).c_str());
  }
  return true;
}

std::string MaterialRoutes::pathFor(const std::string& sha256) const {
  return root_ + "/" + sha256.substr(0, 2) + "/" + sha256;
}

void MaterialRoutes::install(SoupServer* server) {
  // The early handler of this path replaces the /api/ one (Rest::guardBodies) for it: an
  // upload may be far over 16 KiB, and is streamed instead of read whole.
  soup_server_add_early_handler(
      server, kPrefix,
      [](SoupServer*, SoupServerMessage* msg, const char* path, GHashTable* query, gpointer self) {
        static_cast<MaterialRoutes*>(self)->early(msg, path ? path : "", query);
      },
      this, nullptr);
  soup_server_add_handler(
      server, kPrefix,
      [](SoupServer*, SoupServerMessage* msg, const char* path, GHashTable* query, gpointer self) {
        static_cast<MaterialRoutes*>(self)->route(msg, path ? path : "", query);
      },
      this, nullptr);
}

void MaterialRoutes::early(SoupServerMessage* msg, const std::string& path, GHashTable* query) {
  SoupMessageHeaders* h = soup_server_message_get_request_headers(msg);
  goffset length = soup_message_headers_get_content_length(h);
  bool isUpload = path == kPrefix && Rest::isMethod(msg, "POST");
  if (!isUpload) {
    if (length > static_cast<goffset>(Rest::kMaxBody)) {
      Rest::failEarly(msg, "too_large", "the request body is over 16 KiB");
    }
    return;
  }
  // Everything that can be refused is refused before the body arrives (which is then
  // discarded, never kept): nobody without a validly signed token gets 20 MiB written to
  // this server's disk.
  if (root_.empty()) return unavailable(msg);
  std::string token = Rest::bearer(msg);
  if (token.empty() && param(query, "token")) token = param(query, "token");
  if (!auth_.signedAndCurrent(token)) {
    return Rest::failEarly(msg, "unauthorized", "a valid access token is needed to upload");
  }
  if (length > max_) {
    return Rest::failEarly(msg, "too_large",
                           "a study material is at most " + std::to_string(max_) + " bytes");
  }
  if (!validRoomId(param(query, "room"))) {
    return Rest::failEarly(msg, "invalid_field", "room must be 1..64 bytes of A-Z a-z 0-9 _ -");
  }
  if (!validName(param(query, "name"))) {
    return Rest::failEarly(msg, "invalid_field",
                           "name must be 1..255 bytes of UTF-8 without control characters");
  }
  std::string why;
  auto upload = MaterialUpload::open(tmp_, max_, &why);
  if (!upload) {
    g_warning("materials: %s", why.c_str());
    return Rest::failEarly(msg, "internal", "the upload cannot be stored");
  }
  MaterialUpload* sink = upload.get();
  g_object_set_data_full(G_OBJECT(msg), kUploadKey, upload.release(),
                         [](gpointer p) { delete static_cast<MaterialUpload*>(p); });
  soup_message_body_set_accumulate(soup_server_message_get_request_body(msg), FALSE);
  g_signal_connect(msg, "got-chunk", G_CALLBACK(+[](SoupServerMessage*, GBytes* chunk, gpointer p) {
                     gsize n = 0;
                     const char* data = static_cast<const char*>(g_bytes_get_data(chunk, &n));
                     static_cast<MaterialUpload*>(p)->write(data, n);
                   }),
                   sink);
}

void MaterialRoutes::route(SoupServerMessage* msg, const std::string& path, GHashTable* query) {
  if (root_.empty()) return unavailable(msg);
  if (path == kPrefix) {
    if (Rest::isMethod(msg, "POST")) return upload(msg, query);
    if (Rest::isMethod(msg, "GET")) return list(msg, query);
    return Rest::fail(msg, "method_not_allowed", "use GET or POST");
  }
  std::string rest = path.substr(std::strlen(kPrefix));
  char* end = nullptr;
  guint64 id = rest.size() > 1 && rest[0] == '/' && g_ascii_isdigit(rest[1])
                   ? g_ascii_strtoull(rest.c_str() + 1, &end, 10)
                   : 0;
  if (!id || !end || *end) return Rest::fail(msg, "not_found", "no such study material");
  if (!Rest::isMethod(msg, "GET")) return Rest::fail(msg, "method_not_allowed", "use GET");
  download(msg, id, query);
}

void MaterialRoutes::withUser(SoupServerMessage* msg, GHashTable* query,
                              std::function<void(const User&, Rest::Finish)> then) {
  std::string token = Rest::bearer(msg);
  if (token.empty() && param(query, "token"))
    token = std::string(param(query, "token")).substr(0, 512);
  Rest::later(msg, [&](Rest::Finish finish) {
    auth_.authenticate(token, [finish, then](const AuthResult& r) {
      if (!r.code.empty()) {
        return finish([r](SoupServerMessage* m) { Rest::fail(m, r.code, r.message); });
      }
      then(r.user, finish);
    });
  });
}

void MaterialRoutes::upload(SoupServerMessage* msg, GHashTable* query) {
  auto* sink = static_cast<MaterialUpload*>(g_object_get_data(G_OBJECT(msg), kUploadKey));
  if (!sink) return Rest::fail(msg, "internal", "the upload was not received");
  if (sink->overflowed()) {
    return Rest::fail(msg, "too_large",
                      "a study material is at most " + std::to_string(max_) + " bytes");
  }
  if (sink->failed()) return Rest::fail(msg, "internal", "the upload could not be written");
  if (sink->size() == 0) return Rest::fail(msg, "invalid_field", "the file is empty");
  auto type = sink->type();
  if (!type) {
    return Rest::fail(msg, "unsupported_type",
                      "only PDF, PNG, JPEG, GIF, WebP and UTF-8 text files are accepted");
  }
  auto m = std::make_shared<Material>();
  m->room = param(query, "room");
  m->name = param(query, "name");
  m->sha256 = sink->sha256();
  m->size = sink->size();
  m->contentType = *type;
  std::string finalPath = pathFor(m->sha256);
  withUser(msg, query, [this, m, sink, finalPath](const User& u, Rest::Finish finish) {
    m->uploaderId = u.id;
    m->createdMs = g_get_real_time() / 1000;
    bool admin = u.admin;
    auto code = std::make_shared<std::string>();
    worker_.run(
        [m, sink, finalPath, admin, code](MySqlConnection& db) {
          std::string why;
          MaterialStore store(db);
          auto member = RoomStore(db).isMember(m->room, m->uploaderId, &why);
          if (!member) {
            *code = "internal";
          } else if (!*member && !admin) {
            *code = "forbidden";
          } else if (!sink->commit(finalPath, &why) || !store.insert(m.get(), &why)) {
            *code = "internal";
          }
          if (*code == "internal") g_warning("material upload: %s", why.c_str());
          if (*code == "internal" && db.unavailable()) *code = "storage_unavailable";
        },
        [m, code, finish] {
          finish([m, code](SoupServerMessage* out) {
            if (*code == "forbidden") {
              return Rest::fail(out, "forbidden", "only members of the room may share files there");
            }
            if (!code->empty()) {
              return Rest::failStorage(out, *code == "storage_unavailable",
                                       "the upload could not be stored");
            }
            json::Object body;
            body.set("material", materialJson(*m).get());
            Rest::reply(out, SOUP_STATUS_CREATED, body.str());
          });
        });
  });
}

void MaterialRoutes::list(SoupServerMessage* msg, GHashTable* query) {
  const char* roomParam = param(query, "room");
  if (!validRoomId(roomParam)) {
    return Rest::fail(msg, "invalid_field", "room must be 1..64 bytes of A-Z a-z 0-9 _ -");
  }
  std::string room = roomParam;
  withUser(msg, query, [this, room](const User& u, Rest::Finish finish) {
    auto out = std::make_shared<std::optional<std::vector<Material>>>();
    auto allowed = std::make_shared<bool>(false);
    auto down = std::make_shared<bool>(false);
    worker_.run(
        [room, u, out, allowed, down](MySqlConnection& db) {
          std::string why;
          MaterialStore store(db);
          auto member = RoomStore(db).isMember(room, u.id, &why);
          // A membership that could not be read is an error, not a refusal.
          *allowed = u.admin || member.value_or(true);
          if (member && *allowed) *out = store.list(room, 200, &why);
          if (!*out && *allowed) g_warning("materials list: %s", why.c_str());
          *down = db.unavailable();
        },
        [out, allowed, down, finish] {
          finish([out, allowed, down](SoupServerMessage* m) {
            if (!*allowed)
              return Rest::fail(m, "forbidden", "only members of the room see its files");
            if (!*out) return Rest::failStorage(m, *down, "the list could not be read");
            JsonArrayPtr items(json_array_new());
            for (const auto& mat : **out) {
              json_array_add_object_element(items.get(), materialJson(mat).take().release());
            }
            json::Object body;
            body.set("materials", items.get());
            Rest::reply(m, SOUP_STATUS_OK, body.str());
          });
        });
  });
}

void MaterialRoutes::download(SoupServerMessage* msg, uint64_t id, GHashTable* query) {
  withUser(msg, query, [this, id](const User& u, Rest::Finish finish) {
    auto m = std::make_shared<Material>();
    auto result = std::make_shared<StoreResult>(StoreResult::Failed);
    auto allowed = std::make_shared<bool>(false);
    auto down = std::make_shared<bool>(false);
    worker_.run(
        [id, u, m, result, allowed, down](MySqlConnection& db) {
          std::string why;
          MaterialStore store(db);
          *result = store.get(id, m.get(), &why);
          std::optional<bool> member;
          if (*result == StoreResult::Ok) member = RoomStore(db).isMember(m->room, u.id, &why);
          if (*result == StoreResult::Ok && !member) {
            *result = StoreResult::Failed;
            g_warning("material %llu: %s", static_cast<unsigned long long>(id), why.c_str());
          }
          if (member) *allowed = mayRead(u, *m, *member);
          *down = db.unavailable();
        },
        [this, m, result, allowed, down, finish] {
          std::string path = pathFor(m->sha256);
          finish([m, result, allowed, down, path](SoupServerMessage* out) {
            // Someone outside the room learns nothing, not even that the file exists.
            if (*result == StoreResult::NotFound || (*result == StoreResult::Ok && !*allowed)) {
              return Rest::fail(out, "not_found", "no such study material");
            }
            if (*result != StoreResult::Ok) return Rest::failStorage(out, *down, "could not read");
            GError* raw = nullptr;
            std::unique_ptr<GMappedFile, decltype(&g_mapped_file_unref)> file(
                g_mapped_file_new(path.c_str(), FALSE, &raw), &g_mapped_file_unref);
            if (!file) {
              GErrorPtr err(raw);
              g_warning("material %s: %s", path.c_str(), err ? err->message : "?");
              return Rest::fail(out, "internal", "the file is missing on this server");
            }
            std::unique_ptr<GBytes, decltype(&g_bytes_unref)> bytes(
                g_mapped_file_get_bytes(file.get()), &g_bytes_unref);
            soup_server_message_set_status(out, SOUP_STATUS_OK, nullptr);
            SoupMessageHeaders* h = soup_server_message_get_response_headers(out);
            soup_message_headers_replace(h, "Content-Type", m->contentType.c_str());
            soup_message_headers_replace(h, "Content-Disposition", disposition(m->name).c_str());
            soup_message_headers_replace(h, "X-Content-Type-Options", "nosniff");
            soup_message_headers_replace(h, "Content-Security-Policy",
                                         "default-src 'none'; sandbox");
            soup_message_headers_replace(h, "Cache-Control", "private, no-store");
            soup_message_body_append_bytes(soup_server_message_get_response_body(out), bytes.get());
          });
        });
  });
}

}  // namespace carrel::control
