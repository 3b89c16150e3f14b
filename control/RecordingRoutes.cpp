#include "RecordingRoutes.hpp"

#include <array>
#include <memory>

#include "ByteRange.hpp"
#include "Json.hpp"
#include "RecordingPermission.hpp"
#include "RoomStore.hpp"
#include "SessionManifest.hpp"

namespace carrel::control {

namespace {

constexpr const char* kPrefix = "/api/v1/recordings";
constexpr std::array kShare{Field{"ttl_s", FieldType::Int, false, 1, ShareLinks::kMaxTtlSeconds}};
constexpr int64_t kDefaultShareTtl = 7 * 24 * 3600;

const char* param(GHashTable* query, const char* name) {
  return query ? static_cast<const char*>(g_hash_table_lookup(query, name)) : nullptr;
}

bool validId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!g_ascii_isalnum(c) && c != '_' && c != '-') return false;
  }
  return true;
}

// A failure with its own status where Rest's mapping has none (403/410 for links, 416).
void failWith(SoupServerMessage* m, guint status, const char* code, const std::string& message) {
  json::Object err;
  err.set("code", code).set("message", message);
  json::Object body;
  body.set("error", err.get());
  Rest::reply(m, status, body.str());
}

JsonObjectPtr recordingJson(const RecordingRow& r) {
  json::Object o;
  std::string why;
  JsonNodePtr names(json_from_string(r.participants.c_str(), nullptr));
  o.set("id", r.id)
      .set("room", r.roomId)
      .set("state", r.state)
      .set("started_at", r.startedAtMs)
      .set("duration_ms", r.durationMs)
      .set("size", r.videoBytes)
      .set("capture_bytes", r.captureBytes)
      .set("tracks", r.tracks)
      .set("video_url", std::string(kPrefix) + "/" + r.id + "/video");
  if (r.stoppedAtMs) {
    o.set("stopped_at", r.stoppedAtMs);
  } else {
    o.setNull("stopped_at");
  }
  if (names && JSON_NODE_HOLDS_ARRAY(names.get())) {
    o.set("participants", json_node_get_array(names.get()));
  } else {
    JsonArrayPtr empty(json_array_new());
    o.set("participants", empty.get());
  }
  json::Object render;
  render.set("percent", r.renderPercent).set("attempts", r.renderAttempts);
  if (r.renderEtaS) {
    render.set("eta_s", *r.renderEtaS);
  } else {
    render.setNull("eta_s");
  }
  if (!r.renderError.empty()) render.set("error", r.renderError);
  o.set("render", render.get());
  return o.take();
}

}  // namespace

struct RecordingRoutes::Access {
  RecordingRow row;
  RecordingRoom room;
  User user;  // id 0 when the share link opened it
  bool viaShare = false;
};

void RecordingRoutes::install(SoupServer* server) {
  soup_server_add_handler(
      server, kPrefix,
      [](SoupServer*, SoupServerMessage* msg, const char* path, GHashTable* query, gpointer self) {
        static_cast<RecordingRoutes*>(self)->route(msg, path ? path : "", query);
      },
      this, nullptr);
}

void RecordingRoutes::route(SoupServerMessage* msg, const std::string& path, GHashTable* query) {
  std::string rest = path.substr(std::string(kPrefix).size());
  if (rest.empty() || rest == "/") {
    if (Rest::isMethod(msg, "GET")) return list(msg, query);
    return Rest::fail(msg, "method_not_allowed", "GET only");
  }
  rest = rest.substr(1);
  auto slash = rest.find('/');
  std::string id = rest.substr(0, slash);
  std::string what = slash == std::string::npos ? "" : rest.substr(slash + 1);
  if (!validId(id)) return Rest::fail(msg, "not_found", "no such recording");
  if (what.empty()) {
    if (Rest::isMethod(msg, "GET")) {
      return withRecording(msg, query, id, false, [](const Access& a, Rest::Finish finish) {
        JsonObjectPtr j = recordingJson(a.row);
        finish([j = std::shared_ptr<JsonObject>(j.release(), json_object_unref)](
                   SoupServerMessage* m) {
          json::Object out;
          out.set("recording", j.get());
          Rest::reply(m, SOUP_STATUS_OK, out.str());
        });
      });
    }
    if (Rest::isMethod(msg, "DELETE")) {
      return withRecording(msg, query, id, true, [this](const Access& a, Rest::Finish finish) {
        service_.remove(a.row.id, a.row.folder, [finish](bool ok) {
          finish([ok](SoupServerMessage* m) {
            if (!ok) return Rest::fail(m, "internal", "the recording could not be deleted");
            soup_server_message_set_status(m, SOUP_STATUS_NO_CONTENT, nullptr);
          });
        });
      });
    }
    return Rest::fail(msg, "method_not_allowed", "GET or DELETE");
  }
  if (what == "video" && Rest::isMethod(msg, "GET")) {
    return withRecording(msg, query, id, false, [this](const Access& a, Rest::Finish finish) {
      finish([this, a](SoupServerMessage* m) { video(m, a); });
    });
  }
  if (what == "timeline" && Rest::isMethod(msg, "GET")) {
    return withRecording(msg, query, id, false, [this](const Access& a, Rest::Finish finish) {
      finish([this, a](SoupServerMessage* m) { timeline(m, a); });
    });
  }
  if (what == "share" && Rest::isMethod(msg, "POST")) {
    JsonObjectPtr body = Rest::body(msg, kShare);
    if (!body) return;
    int64_t ttl = json::getInt(body.get(), "ttl_s").value_or(kDefaultShareTtl);
    return withRecording(msg, query, id, true, [this, ttl](const Access& a, Rest::Finish finish) {
      finish([this, a, ttl](SoupServerMessage* m) { share(m, a, ttl); });
    });
  }
  if (what == "render" && Rest::isMethod(msg, "POST")) {
    return withRecording(msg, query, id, true, [this](const Access& a, Rest::Finish finish) {
      bool ok = (a.row.state == "failed" || a.row.state == "queued" || a.row.state == "ready") &&
                service_.renderAgain(a.row.id, a.row.folder);
      finish([ok](SoupServerMessage* m) {
        if (!ok) return failWith(m, SOUP_STATUS_CONFLICT, "wrong_state", "render not possible now");
        Rest::reply(m, SOUP_STATUS_ACCEPTED, "{}");
      });
    });
  }
  Rest::fail(msg, "not_found", "no such route");
}

void RecordingRoutes::list(SoupServerMessage* msg, GHashTable* query) {
  const char* roomParam = param(query, "room");
  std::string room = roomParam ? roomParam : "";
  if (!validId(room)) return Rest::fail(msg, "invalid_field", "room must be a room id");
  std::string token = Rest::bearer(msg);
  Rest::later(msg, [&](Rest::Finish finish) {
    auth_.authenticate(token, [this, room, finish](const AuthResult& r) {
      if (!r.code.empty()) {
        return finish([r](SoupServerMessage* m) { Rest::fail(m, r.code, r.message); });
      }
      User u = r.user;
      auto rows = std::make_shared<std::vector<RecordingRow>>();
      auto rm = std::make_shared<RecordingRoom>();
      auto found = std::make_shared<bool>(false);
      worker_.run(
          [room, rows, rm, found](MySqlConnection& db) {
            Room r;
            std::string e;
            if (RoomStore(db).get(room, &r, &e) == StoreResult::Ok) {
              *found = true;
              *rm = RecordingRoom{r.ownerId, r.isPrivate};
            }
            if (auto x = RecordingStore(db).listByRoom(room, 100, &e)) *rows = std::move(*x);
          },
          [rows, rm, found, u, finish] {
            finish([rows, rm, found, u](SoupServerMessage* m) {
              RecordingActor actor{u.id, u.admin};
              if (!*found && !u.admin) return Rest::fail(m, "not_found", "no such room");
              JsonArrayPtr arr(json_array_new());
              for (const auto& r : *rows) {
                if (!RecordingPermission::mayWatch(actor, *rm, r.startedBy)) continue;
                JsonObjectPtr j = recordingJson(r);
                json_object_set_boolean_member(
                    j.get(), "can_manage", RecordingPermission::mayManage(actor, *rm, r.startedBy));
                json_array_add_object_element(arr.get(), j.release());
              }
              json::Object out;
              out.set("recordings", arr.get());
              Rest::reply(m, SOUP_STATUS_OK, out.str());
            });
          });
    });
  });
}

void RecordingRoutes::withRecording(SoupServerMessage* msg, GHashTable* query,
                                    const std::string& id, bool manage, Then then) {
  const char* shareParam = param(query, "share");
  const char* tokenParam = param(query, "token");
  std::string shareToken = shareParam ? std::string(shareParam).substr(0, 512) : "";
  std::string token = tokenParam ? std::string(tokenParam).substr(0, 512) : Rest::bearer(msg);
  if (!shareToken.empty()) {
    std::string why;
    auto opens = links_.check(shareToken, g_get_real_time() / 1000000, &why);
    if (!opens || *opens != id || manage) {
      if (why == "expired")
        return failWith(msg, SOUP_STATUS_FORBIDDEN, "link_expired", "this share link has expired");
      return failWith(msg, SOUP_STATUS_FORBIDDEN, "bad_link", "this share link is not valid here");
    }
  }
  Rest::later(msg, [&](Rest::Finish finish) {
    auto lookup = [this, id, manage, then, finish](User u, bool viaShare) {
      auto a = std::make_shared<Access>();
      auto found = std::make_shared<bool>(false);
      a->user = u;
      a->viaShare = viaShare;
      worker_.run(
          [id, a, found](MySqlConnection& db) {
            std::string e;
            auto row = RecordingStore(db).get(id, &e);
            if (!row) return;
            *found = true;
            a->row = *row;
            Room r;
            if (RoomStore(db).get(row->roomId, &r, &e) == StoreResult::Ok)
              a->room = RecordingRoom{r.ownerId, r.isPrivate};
          },
          [a, found, manage, then, finish] {
            RecordingActor actor{a->user.id, a->user.admin};
            bool allowed =
                *found &&
                (a->viaShare ||
                 (manage ? RecordingPermission::mayManage(actor, a->room, a->row.startedBy)
                         : RecordingPermission::mayWatch(actor, a->room, a->row.startedBy)));
            if (!*found || !allowed) {
              // One answer for both: whether a recording exists is itself private.
              return finish(
                  [](SoupServerMessage* m) { Rest::fail(m, "not_found", "no such recording"); });
            }
            then(*a, finish);
          });
    };
    if (!shareToken.empty()) return lookup(User{}, true);
    auth_.authenticate(token, [lookup, finish](const AuthResult& r) {
      if (!r.code.empty()) {
        return finish([r](SoupServerMessage* m) { Rest::fail(m, r.code, r.message); });
      }
      lookup(r.user, false);
    });
  });
}

void RecordingRoutes::video(SoupServerMessage* m, const Access& a) {
  std::string folder = service_.safeFolder(a.row.folder);
  if (a.row.state != "ready" || folder.empty()) {
    return failWith(m, SOUP_STATUS_CONFLICT, "not_ready", "the video is not rendered yet");
  }
  GError* raw = nullptr;
  GMappedFile* mapped = g_mapped_file_new((folder + "/render.webm").c_str(), FALSE, &raw);
  GErrorPtr err(raw);
  if (!mapped) return Rest::fail(m, "not_found", "the video file is missing");
  GBytes* all = g_mapped_file_get_bytes(mapped);
  g_mapped_file_unref(mapped);
  uint64_t size = g_bytes_get_size(all);
  SoupMessageHeaders* in = soup_server_message_get_request_headers(m);
  const char* rangeHeader = soup_message_headers_get_one(in, "Range");
  ByteRange range = ByteRange::parse(rangeHeader ? rangeHeader : "", size);
  SoupMessageHeaders* out = soup_server_message_get_response_headers(m);
  soup_message_headers_replace(out, "Accept-Ranges", "bytes");
  soup_message_headers_replace(out, "Cache-Control", "private, max-age=0");
  if (range.kind == ByteRange::Kind::Unsatisfiable) {
    soup_message_headers_replace(out, "Content-Range", range.contentRange(size).c_str());
    g_bytes_unref(all);
    return failWith(m, SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE, "bad_range",
                    "the range lies outside the file");
  }
  GBytes* part =
      size == 0 ? g_bytes_ref(all) : g_bytes_new_from_bytes(all, range.first, range.length());
  g_bytes_unref(all);
  if (range.kind == ByteRange::Kind::Partial) {
    soup_message_headers_replace(out, "Content-Range", range.contentRange(size).c_str());
    soup_server_message_set_status(m, SOUP_STATUS_PARTIAL_CONTENT, nullptr);
  } else {
    soup_server_message_set_status(m, SOUP_STATUS_OK, nullptr);
  }
  soup_message_headers_set_content_type(out, "video/webm", nullptr);
  soup_message_body_append_bytes(soup_server_message_get_response_body(m), part);
  g_bytes_unref(part);
}

void RecordingRoutes::timeline(SoupServerMessage* m, const Access& a) {
  std::string folder = service_.safeFolder(a.row.folder);
  recorder::SessionManifest man;
  std::string why;
  if (folder.empty() || !man.load(folder, &why)) {
    return Rest::fail(m, "not_found", "the recording's manifest is missing");
  }
  JsonArrayPtr events(json_array_new());
  for (const auto& e : man.events()) {
    json::Object o;
    o.set("t_ms", (e.tUs - man.startUs()) / 1000).set("event", e.event);
    if (e.data) o.set("data", e.data.get());
    json_array_add_object_element(events.get(), o.take().release());
  }
  json::Object out;
  out.set("recording", a.row.id)
      .set("room", a.row.roomId)
      .set("duration_ms", a.row.durationMs)
      .set("events", events.get());
  Rest::reply(m, SOUP_STATUS_OK, out.str());
}

void RecordingRoutes::share(SoupServerMessage* m, const Access& a, int64_t ttl) {
  int64_t expires = g_get_real_time() / 1000000 + ttl;
  std::string token = links_.issue(a.row.id, expires);
  json::Object out;
  out.set("token", token)
      .set("expires_at", expires)
      .set("url", "/review.html?recording=" + a.row.id + "&share=" + token);
  Rest::reply(m, SOUP_STATUS_CREATED, out.str());
}

}  // namespace carrel::control
