#include "RecordingService.hpp"

#include <glib/gstdio.h>

#include <set>

#include "BusProtocol.hpp"
#include "ClientErrors.hpp"
#include "ControlNode.hpp"
#include "Json.hpp"
#include "Moderation.hpp"
#include "Permissions.hpp"
#include "RecordingErrors.hpp"
#include "RecordingPermission.hpp"
#include "RecordingStore.hpp"
#include "RoomStore.hpp"
#include "SessionManifest.hpp"

namespace carrel::control {

namespace {

constexpr guint kRetentionSweepSeconds = 3600;
constexpr gint64 kProgressEveryUs = 1000 * 1000;

int64_t nowMs() {
  return g_get_real_time() / 1000;
}

// Removes a session folder: its files, tracks/ and itself. Links are removed, not followed.
bool removeTree(const std::string& path, int depth = 0) {
  if (depth > 2) return false;
  if (g_file_test(path.c_str(), G_FILE_TEST_IS_SYMLINK) ||
      !g_file_test(path.c_str(), G_FILE_TEST_IS_DIR)) {
    return g_remove(path.c_str()) == 0 || !g_file_test(path.c_str(), G_FILE_TEST_EXISTS);
  }
  GDir* dir = g_dir_open(path.c_str(), 0, nullptr);
  if (!dir) return false;
  bool ok = true;
  while (const gchar* name = g_dir_read_name(dir))
    ok = removeTree(path + "/" + name, depth + 1) && ok;
  g_dir_close(dir);
  return g_rmdir(path.c_str()) == 0 && ok;
}

// The names of everyone who joined, from the manifest (empty when it cannot be read).
std::string participantsOf(const std::string& folder) {
  recorder::SessionManifest m;
  std::string why;
  JsonArrayPtr names(json_array_new());
  if (m.load(folder, &why)) {
    std::set<std::string> seen;
    for (const auto& e : m.events()) {
      if (e.event != "join" || !e.data) continue;
      std::string name = json::getString(e.data.get(), "name").value_or("");
      if (!name.empty() && seen.insert(name).second)
        json_array_add_string_element(names.get(), name.c_str());
    }
  }
  JsonNodePtr node(json_node_new(JSON_NODE_ARRAY));
  json_node_set_array(node.get(), names.get());
  return json::stringify(node.get());
}

}  // namespace

RecordingActor RecordingService::actorOf(const Session& s) const {
  Role role = node_.moderation().roleOf(s);
  return RecordingActor{static_cast<uint64_t>(s->userId()), s->isAdmin(),
                        Permissions::rank(role) >= Permissions::rank(Role::Moderator)};
}

namespace {

struct RoomCheck {
  bool found = false;
  RecordingRoom room;
  std::optional<RecordingRow> active;
  std::string error;
};

}  // namespace

RecordingService::RecordingService(ControlNode& node, DbWorker& db, RecordingConfig config)
    : node_(node), db_(db), config_(std::move(config)) {
  std::weak_ptr<int> alive = alive_;
  RenderQueue::Callbacks cb;
  cb.started = [this, alive](const std::string& id) {
    if (alive.expired()) return;
    db_.run([id](MySqlConnection& db) {
      std::string e;
      RecordingStore(db).renderStarted(id, &e);
    });
    renderEvent(id, "rendering", 0, std::nullopt, "");
  };
  cb.progress = [this, alive](const std::string& id, double percent, std::optional<double> eta) {
    if (alive.expired()) return;
    gint64 now = g_get_monotonic_time();
    if (now - lastProgressUs_[id] < kProgressEveryUs) return;
    lastProgressUs_[id] = now;
    db_.run([id, percent, eta](MySqlConnection& db) {
      std::string e;
      RecordingStore(db).setRenderState(id, "rendering", percent, eta, "", &e);
    });
    renderEvent(id, "rendering", percent, eta, "");
  };
  cb.finished = [this, alive](const std::string& id, bool ok, int64_t bytes,
                              const std::string& error) {
    if (alive.expired()) return;
    lastProgressUs_.erase(id);
    if (!ok) g_warning("recording %s: render failed: %s", id.c_str(), error.c_str());
    db_.run([id, ok, bytes, error](MySqlConnection& db) {
      std::string e;
      if (ok) {
        RecordingStore(db).renderReady(id, bytes, &e);
      } else {
        RecordingStore(db).setRenderState(id, "failed", 0, std::nullopt, error, &e);
      }
    });
    renderEvent(id, ok ? "ready" : "failed", ok ? 100 : 0, std::nullopt, error);
  };
  renders_ = std::make_unique<RenderQueue>(config_.renderBinary, config_.renderArgs,
                                           config_.renderJobs, std::move(cb));
}

RecordingService::~RecordingService() = default;

std::string RecordingService::newRecordingId() {
  char rnd[9];
  g_snprintf(rnd, sizeof rnd, "%08x", g_random_int());
  return "rec-" + std::to_string(nowMs()) + "-" + rnd;
}

std::string RecordingService::safeFolder(const std::string& folder) const {
  if (config_.recordingsDir.empty() || folder.find("/../") != std::string::npos ||
      folder.size() < config_.recordingsDir.size() + 2) {
    return "";
  }
  std::string prefix = config_.recordingsDir;
  if (prefix.back() != '/') prefix += '/';
  return folder.compare(0, prefix.size(), prefix) == 0 ? folder : "";
}

void RecordingService::resume() {
  std::weak_ptr<int> alive = alive_;
  auto rows = std::make_shared<std::vector<RecordingRow>>();
  db_.run(
      [rows](MySqlConnection& db) {
        std::string e;
        for (const char* state : {"rendering", "queued"}) {
          if (auto r = RecordingStore(db).inState(state, &e))
            rows->insert(rows->end(), r->begin(), r->end());
        }
      },
      [this, alive, rows] {
        if (alive.expired()) return;
        for (const auto& r : *rows) {
          roomOf_[r.id] = r.roomId;
          renders_->enqueue(r.id, r.folder);
        }
        sweepRetention();
      });
  retention_.reset(g_timeout_add_seconds(
      kRetentionSweepSeconds,
      [](gpointer d) -> gboolean {
        static_cast<RecordingService*>(d)->sweepRetention();
        return G_SOURCE_CONTINUE;
      },
      this));
  deadCaptures_.reset(g_timeout_add(
      bus::kSfuNodeTtlMs,
      [](gpointer d) -> gboolean {
        static_cast<RecordingService*>(d)->sweepDeadCaptures();
        return G_SOURCE_CONTINUE;
      },
      this));
}

void RecordingService::sweepDeadCaptures() {
  std::weak_ptr<int> alive = alive_;
  auto rows = std::make_shared<std::vector<RecordingRow>>();
  db_.run(
      [rows](MySqlConnection& db) {
        std::string e;
        if (auto r = RecordingStore(db).inState("recording", &e)) *rows = std::move(*r);
      },
      [this, alive, rows] {
        if (alive.expired()) return;
        int64_t now = g_get_real_time() / 1000;
        std::map<std::string, int64_t> stillRunning;  // rows that moved on are forgotten
        for (const auto& row : *rows) {
          auto seen = seenDeadMs_.find(row.id);
          if (seen != seenDeadMs_.end()) stillRunning.insert(*seen);
        }
        seenDeadMs_ = std::move(stillRunning);
        for (const auto& row : *rows) {
          if (row.keyMayBeMissing(now)) continue;
          node_.rooms().runningRecording(
              row.roomId, [this, alive, row, now](bool ok, const std::string& running) {
                if (alive.expired() || !ok) return;  // Redis down: decide later
                if (running == row.id) {
                  seenDeadMs_.erase(row.id);
                  return;
                }
                // A capture stopping normally loses its key a moment before its row moves on:
                // only a key missing on two sweeps means the node is gone.
                auto [it, first] = seenDeadMs_.emplace(row.id, now);
                if (!first && now - it->second >= bus::kSfuNodeTtlMs / 2) closeDeadCapture(row);
              });
        }
      });
}

void RecordingService::closeDeadCapture(const RecordingRow& row) {
  std::weak_ptr<int> alive = alive_;
  auto closed = std::make_shared<bool>(false);
  db_.run(
      [id = row.id, closed](MySqlConnection& db) {
        std::string e;
        if (!RecordingStore(db).abandonCapture(id, "the media node stopped during the recording",
                                               &e, closed.get())) {
          g_warning("recording %s: not closed: %s", id.c_str(), e.c_str());
        }
      },
      [this, alive, row, closed] {
        // Every control node sweeps; the one whose update closed the row tells the room.
        if (alive.expired() || !*closed) return;
        g_message("recording %s: its media node stopped renewing it, closed as failed",
                  row.id.c_str());
        seenDeadMs_.erase(row.id);
        auto active = activeByRoom_.find(row.roomId);
        if (active != activeByRoom_.end() && active->second != row.id) return;  // a newer one runs
        if (active != activeByRoom_.end()) activeByRoom_.erase(active);
        startedHere_.erase(row.roomId);
        announce(row.roomId, false, row.id, 0);
      });
}

void RecordingService::start(const Session& s, const std::string& ref) {
  if (s->userId() == 0 && !s->isAdmin()) {
    s->sendError(rcode::Forbidden, "only the room's owner or an admin can record", ref);
    return;
  }
  std::string room = s->room();
  std::string sfu = s->sfuNode();
  RecordingActor actor = actorOf(s);
  auto check = std::make_shared<RoomCheck>();
  std::weak_ptr<ClientSession> weak = s;
  std::weak_ptr<int> alive = alive_;
  db_.run(
      [check, room](MySqlConnection& db) {
        Room r;
        std::string e;
        if (RoomStore(db).get(room, &r, &e) == StoreResult::Ok) {
          check->found = true;
          check->room = RecordingRoom{r.ownerId, r.isPrivate};
        }
      },
      [this, alive, weak, check, actor, room, sfu, ref] {
        auto s = weak.lock();
        if (alive.expired() || !s || s->closed()) return;
        if (!RecordingPermission::mayRecord(actor, check->room)) {
          s->sendError(rcode::Forbidden, "only the room's owner or an admin can record", ref);
          return;
        }
        // Whether the room records is the SFU's to say (WrongState below): a catalog row
        // still 'recording' may be left by a media node that died mid-session.
        std::string id = newRecordingId();
        json::Object d;
        d.set("room", room).set("recording", id);
        node_.bus().request(
            sfu, bus::method::RecordStart, d.take(),
            [this, alive, weak, room, sfu, id, actor, ref](const bus::Response& r) {
              if (alive.expired()) return;
              auto s = weak.lock();
              if (!r.ok) {
                const char* code = r.error.code == bus::error::WrongState ? rcode::AlreadyRecording
                                   : r.error.code == bus::error::Unavailable
                                       ? rcode::RecordingUnavailable
                                       : clientCodeForBusError(r.error.code);
                if (s && !s->closed()) s->sendError(code, r.error.message, ref);
                return;
              }
              std::string folder = json::getString(r.data.get(), "folder").value_or("");
              int64_t startedAt = nowMs();
              db_.run([id, room, actor, folder](MySqlConnection& db) {
                std::string e;
                RecordingStore store(db);
                // The SFU records nothing else in this room, so an older 'recording' row lost
                // its stop; its tracks stay on disk and can be rendered with "render again".
                if (!store.abandonCaptures(room, id, "the capture ended without a stop", &e))
                  g_warning("room %s: stale recordings not closed: %s", room.c_str(), e.c_str());
                if (!store.create(id, room, actor.userId, folder, &e))
                  g_warning("recording %s: catalog row not written: %s", id.c_str(), e.c_str());
              });
              roomOf_[id] = room;
              startedHere_[room] = sfu;
              g_message("recording %s of room %s started in %s", id.c_str(), room.c_str(),
                        folder.c_str());
              announce(room, true, id, startedAt);
            },
            static_cast<guint>(node_.options().sfuTimeoutMs));
      });
}

void RecordingService::stop(const Session& s, const std::string& ref) {
  std::string room = s->room();
  std::string sfu = s->sfuNode();
  RecordingActor actor = actorOf(s);
  auto check = std::make_shared<RoomCheck>();
  std::weak_ptr<ClientSession> weak = s;
  std::weak_ptr<int> alive = alive_;
  db_.run(
      [check, room](MySqlConnection& db) {
        Room r;
        std::string e;
        if (RoomStore(db).get(room, &r, &e) == StoreResult::Ok)
          check->room = RecordingRoom{r.ownerId, r.isPrivate};
      },
      [this, alive, weak, check, actor, room, sfu, ref] {
        auto s = weak.lock();
        if (alive.expired() || !s || s->closed()) return;
        if (!RecordingPermission::mayRecord(actor, check->room)) {
          s->sendError(rcode::Forbidden, "only the room's owner or an admin can record", ref);
          return;
        }
        json::Object d;
        d.set("room", room);
        node_.bus().request(
            sfu, bus::method::RecordStop, d.take(),
            [alive, weak, ref](const bus::Response& r) {
              auto s = weak.lock();
              if (alive.expired() || r.ok || !s || s->closed()) return;
              s->sendError(r.error.code == bus::error::WrongState
                               ? rcode::NotRecording
                               : clientCodeForBusError(r.error.code),
                           r.error.message, ref);
            },
            static_cast<guint>(node_.options().sfuTimeoutMs));
      });
}

void RecordingService::onRoomClosed(const std::string& room) {
  // Closing empties the room, and the SFU ends a recording with its room anyway; asking
  // explicitly ends it now, even while a participant on another node is still being removed.
  auto here = startedHere_.find(room);
  std::weak_ptr<int> alive = alive_;
  auto stopOn = [this, alive, room](const std::string& sfu) {
    if (alive.expired() || sfu.empty()) return;
    json::Object d;
    d.set("room", room);
    node_.bus().request(
        sfu, bus::method::RecordStop, d.take(),
        [room](const bus::Response& r) {
          if (r.ok || r.error.code == bus::error::WrongState) return;  // stopped, or none
          g_warning("room %s closed: recording not stopped: %s", room.c_str(),
                    r.error.message.c_str());
        },
        static_cast<guint>(node_.options().sfuTimeoutMs));
  };
  if (here != startedHere_.end()) return stopOn(here->second);
  if (!activeByRoom_.count(room)) return;
  node_.placement().place(room, [stopOn](std::optional<std::string> sfu, const std::string&) {
    if (sfu) stopOn(*sfu);
  });
}

void RecordingService::observeRoomEvent(const std::string& room, JsonObject* msg) {
  std::string type = json::getString(msg, "type").value_or("");
  if (type == "recording") {
    if (json::getBool(msg, "active").value_or(false)) {
      activeByRoom_[room] = json::getString(msg, "recording").value_or("");
    } else {
      activeByRoom_.erase(room);
      startedHere_.erase(room);
    }
    return;
  }
  // Only the starting node copies, so a room spread over several nodes is copied once.
  auto it = startedHere_.find(room);
  if (it == startedHere_.end()) return;
  if (type != "chat" && type.rfind("timer", 0) != 0 && type.rfind("board", 0) != 0) return;
  json::Object d;
  d.set("room", room).set("event", type.substr(0, 32)).set("data", msg);
  // Best effort: an event lost from a recording is not worth failing the room's event for.
  node_.bus().request(it->second, bus::method::RecordEvent, d.take(), [](const bus::Response&) {});
}

void RecordingService::tellJoiner(const Session& s) {
  std::string room = s->room();
  auto row = std::make_shared<std::optional<RecordingRow>>();
  std::weak_ptr<ClientSession> weak = s;
  std::weak_ptr<int> alive = alive_;
  db_.run(
      [row, room](MySqlConnection& db) {
        std::string e;
        *row = RecordingStore(db).activeInRoom(room, &e);
      },
      [this, alive, weak, row, room] {
        if (alive.expired() || !*row) return;
        activeByRoom_[room] = (*row)->id;
        auto s = weak.lock();
        if (!s || s->closed() || s->room() != room) return;
        json::Object m;
        m.set("type", "recording")
            .setBool("active", true)
            .set("recording", (*row)->id)
            .set("started_at", (*row)->startedAtMs);
        s->send(m);
      });
}

void RecordingService::onBusEvent(const bus::Event& ev) {
  if (ev.name != bus::event::RecordingStopped) return;
  JsonObject* d = ev.data.get();
  std::string id = json::getString(d, "recording").value_or("");
  std::string room = json::getString(d, "room").value_or("");
  std::string folder = json::getString(d, "folder").value_or("");
  int64_t duration = json::getInt(d, "duration_ms").value_or(0);
  int64_t bytes = json::getInt(d, "bytes").value_or(0);
  int64_t tracks = json::getInt(d, "tracks").value_or(0);
  roomOf_[id] = room;
  g_message("recording %s of room %s stopped (%s): %lld ms, %lld bytes", id.c_str(), room.c_str(),
            json::getString(d, "reason").value_or("").c_str(), static_cast<long long>(duration),
            static_cast<long long>(bytes));
  announce(room, false, id, 0);
  std::weak_ptr<int> alive = alive_;
  std::string safe = safeFolder(folder);
  db_.run(
      [id, duration, bytes, tracks, safe](MySqlConnection& db) {
        std::string e;
        std::string names = safe.empty() ? "[]" : participantsOf(safe);
        if (!RecordingStore(db).finishCapture(id, duration, bytes, tracks, names, &e))
          g_warning("recording %s: catalog not updated: %s", id.c_str(), e.c_str());
      },
      [this, alive, id, folder] {
        if (alive.expired()) return;
        renders_->enqueue(id, folder);
      });
}

bool RecordingService::renderAgain(const std::string& id, const std::string& folder) {
  return renders_->enqueue(id, folder);
}

void RecordingService::remove(const std::string& id, const std::string& folder,
                              std::function<void(bool)> done) {
  std::string safe = safeFolder(folder);
  auto ok = std::make_shared<bool>(false);
  db_.run(
      [id, safe, ok](MySqlConnection& db) {
        if (!safe.empty() && g_file_test(safe.c_str(), G_FILE_TEST_EXISTS) && !removeTree(safe))
          g_warning("recording %s: could not remove all of %s", id.c_str(), safe.c_str());
        std::string e;
        *ok = RecordingStore(db).remove(id, &e);
      },
      [ok, done] {
        if (done) done(*ok);
      });
}

void RecordingService::sweepRetention() {
  if (config_.retentionDays <= 0) return;
  std::weak_ptr<int> alive = alive_;
  auto old = std::make_shared<std::vector<RecordingRow>>();
  int days = config_.retentionDays;
  db_.run(
      [old, days](MySqlConnection& db) {
        std::string e;
        if (auto r = RecordingStore(db).olderThan(days, &e)) *old = std::move(*r);
      },
      [this, alive, old] {
        if (alive.expired()) return;
        for (const auto& r : *old) {
          if (renders_->busy(r.id)) continue;
          g_message("recording %s: past the retention of %d days, deleting", r.id.c_str(),
                    config_.retentionDays);
          remove(r.id, r.folder, {});
        }
      });
}

void RecordingService::announce(const std::string& room, bool active, const std::string& recording,
                                int64_t startedAtMs) {
  json::Object m;
  m.set("type", "recording").setBool("active", active).set("recording", recording);
  if (active) m.set("started_at", startedAtMs);
  node_.rooms().broadcast(room, "", m.get(), [](bool) {});
}

void RecordingService::renderEvent(const std::string& id, const char* state, double percent,
                                   std::optional<double> etaS, const std::string& error) {
  auto it = roomOf_.find(id);
  if (it == roomOf_.end()) return;
  json::Object m;
  m.set("type", "recording_render")
      .set("recording", id)
      .set("state", state)
      .set("percent", percent);
  if (etaS) m.set("eta_s", *etaS);
  if (!error.empty()) m.set("error", error);
  node_.rooms().broadcast(it->second, "", m.get(), [](bool) {});
}

}  // namespace carrel::control
