#include "RoomRecording.hpp"

#include <glib/gstdio.h>

#include "Json.hpp"
#include "RtpLogFormat.hpp"
#include "SessionManifest.hpp"

GST_DEBUG_CATEGORY_STATIC(carrel_sfu_roomrec);
#define GST_CAT_DEFAULT carrel_sfu_roomrec

namespace carrel::sfu {

bool RoomRecording::isValidId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!g_ascii_isalnum(c) && c != '_' && c != '-') return false;
  }
  return true;
}

const char* RoomRecording::kindOf(const std::string& trackId, const std::string& media) {
  if (media == "audio") return "mic";
  return trackId.rfind("screen", 0) == 0 ? "screen" : "camera";
}

std::unique_ptr<RoomRecording> RoomRecording::start(const std::string& recordingsDir,
                                                    const std::string& recording,
                                                    const std::string& room,
                                                    const std::string& owner, std::string* error) {
  static gsize once = 0;
  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(carrel_sfu_roomrec, "carrel-sfu-roomrec", 0,
                            "Carrel SFU room recordings");
    g_once_init_leave(&once, 1);
  }
  if (!isValidId(recording)) {
    *error = "recording id must be 1..64 of A-Z a-z 0-9 _ -";
    return nullptr;
  }
  std::unique_ptr<RoomRecording> r(new RoomRecording());
  r->id_ = recording;
  r->room_ = room;
  r->owner_ = owner;
  r->folder_ = recordingsDir + "/" + recording;
  if (g_file_test(r->folder_.c_str(), G_FILE_TEST_EXISTS)) {
    *error = "recording '" + recording + "' exists already";
    return nullptr;
  }
  if (g_mkdir_with_parents((r->folder_ + "/tracks").c_str(), 0755) != 0) {
    *error = "cannot create " + r->folder_;
    return nullptr;
  }
  if (!r->manifest_.open(r->folder_ + "/" + recorder::SessionManifest::kFileName, error))
    return nullptr;
  r->startUs_ = g_get_real_time();
  json::Object s;
  s.set("recording", recording).set("room", room).set("version", 1);
  r->manifest_.append("session_start", r->startUs_, s.get());
  r->summary_.recording = recording;
  r->summary_.folder = r->folder_;
  r->flushTimer_.reset(g_timeout_add(
      static_cast<guint>(recorder::kFlushIntervalUs / 1000),
      [](gpointer d) -> gboolean {
        for (auto& [key, t] : static_cast<RoomRecording*>(d)->tracks_) t->flush();
        return G_SOURCE_CONTINUE;
      },
      r.get()));
  GST_INFO("room %s: recording %s in %s", room.c_str(), recording.c_str(), r->folder_.c_str());
  return r;
}

RoomRecording::~RoomRecording() {
  stop();
}

void RoomRecording::addTrack(GstElement* pipeline, const std::string& participant,
                             const std::string& name,
                             const std::shared_ptr<TrackForwarder>& track) {
  if (stopped_ || !track) return;
  std::string key = participant + "-" + track->trackId();
  if (tracks_.count(key)) return;
  // A participant who republishes gets a new file: the old one stays as it was.
  std::string file = "tracks/" + key + ".rtp";
  for (int n = 1; g_file_test((folder_ + "/" + file).c_str(), G_FILE_TEST_EXISTS); ++n) {
    file = "tracks/" + key + "." + std::to_string(n) + ".rtp";
  }
  if (!recorder::SessionManifest::isSafeTrackPath(file)) {
    GST_WARNING("room %s: track %s cannot be a file name", room_.c_str(), key.c_str());
    return;
  }
  std::string error;
  auto rec = TrackRecorder::create(pipeline, track, folder_ + "/" + file, &error);
  if (!rec) {
    GST_WARNING("room %s: cannot record %s: %s", room_.c_str(), key.c_str(), error.c_str());
    return;
  }
  json::Object t;
  t.set("file", file)
      .set("participant", participant)
      .set("name", name)
      .set("track", track->trackId())
      .set("media", track->kind())
      .set("kind", kindOf(track->trackId(), track->kind()));
  manifest_.append("track_start", g_get_real_time(), t.get());
  ++trackCount_;
  tracks_[key] = std::move(rec);
  fileOf_[key] = file;
}

void RoomRecording::stopTrack(const std::string& key) {
  auto it = tracks_.find(key);
  if (it == tracks_.end()) return;
  it->second->stop();
  const auto& w = it->second->writer();
  json::Object t;
  t.set("file", fileOf_[key])
      .set("packets", static_cast<int64_t>(w.packets()))
      .set("bytes", static_cast<int64_t>(w.bytes()))
      .set("dropped", static_cast<int64_t>(w.dropped()));
  manifest_.append("track_stop", g_get_real_time(), t.get());
  closedBytes_ += w.bytes();
  tracks_.erase(it);
}

void RoomRecording::participantJoined(const std::string& participant, const std::string& name) {
  json::Object d;
  d.set("participant", participant).set("name", name);
  event("join", d.get());
}

void RoomRecording::trackEnded(const std::string& participant, const std::string& trackId) {
  std::string key = participant + "-" + trackId;
  if (tracks_.count(key)) stopTrack(key);
}

void RoomRecording::participantLeft(const std::string& participant, const std::string& reason) {
  std::string prefix = participant + "-";
  for (auto it = tracks_.begin(); it != tracks_.end();) {
    std::string key = (it++)->first;
    if (key.compare(0, prefix.size(), prefix) == 0) stopTrack(key);
  }
  json::Object d;
  d.set("participant", participant).set("reason", reason);
  event("leave", d.get());
}

void RoomRecording::event(const std::string& name, JsonObject* data) {
  if (stopped_) return;
  json::Object e;
  e.set("event", name);
  if (data) e.set("data", data);
  manifest_.append("event", g_get_real_time(), e.get());
}

RoomRecording::Summary RoomRecording::stop() {
  if (stopped_) return summary_;
  flushTimer_.cancel();
  while (!tracks_.empty()) stopTrack(std::string(tracks_.begin()->first));
  int64_t now = g_get_real_time();
  manifest_.append("session_stop", now, nullptr);
  manifest_.close();
  stopped_ = true;
  summary_.durationMs = (now - startUs_) / 1000;
  summary_.bytes = closedBytes_;
  summary_.tracks = trackCount_;
  GST_INFO("room %s: recording %s stopped (%" G_GINT64_FORMAT " ms, %" G_GUINT64_FORMAT " bytes)",
           room_.c_str(), id_.c_str(), summary_.durationMs, summary_.bytes);
  return summary_;
}

}  // namespace carrel::sfu
