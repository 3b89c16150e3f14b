#include "SessionManifest.hpp"

#include <fstream>

#include "Json.hpp"

namespace carrel::recorder {

bool SessionManifest::isSafeTrackPath(const std::string& file) {
  static const std::string prefix = "tracks/";
  if (file.size() <= prefix.size() || file.size() > 200 || file.compare(0, 7, prefix) != 0)
    return false;
  std::string name = file.substr(prefix.size());
  if (name == "." || name == "..") return false;
  for (char c : name) {
    if (!g_ascii_isalnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

bool SessionManifest::load(const std::string& folder, std::string* error) {
  folder_ = folder;
  std::ifstream in(folder + "/" + kFileName);
  if (!in) {
    *error = "no " + std::string(kFileName) + " in " + folder;
    return false;
  }
  std::string line;
  while (std::getline(in, line)) {
    std::string why;
    JsonObjectPtr o = json::parseObject(line, &why);
    if (!o) {
      ++skipped_;
      continue;
    }
    take(o.get());
  }
  if (startUs_ == 0) {
    *error = folder + ": the manifest has no session_start";
    return false;
  }
  return true;
}

void SessionManifest::take(JsonObject* o) {
  std::string type = json::getString(o, "type").value_or("");
  auto t = json::getInt(o, "t_us");
  if (!t || *t <= 0) {
    ++skipped_;
    return;
  }
  if (type == "session_start") {
    startUs_ = *t;
    recording_ = json::getString(o, "recording").value_or("");
    room_ = json::getString(o, "room").value_or("");
  } else if (type == "session_stop") {
    stopUs_ = *t;
  } else if (type == "track_start") {
    ManifestTrack tr;
    tr.file = json::getString(o, "file").value_or("");
    tr.media = json::getString(o, "media").value_or("");
    if (!isSafeTrackPath(tr.file) || (tr.media != "video" && tr.media != "audio")) {
      ++skipped_;
      return;
    }
    tr.participant = json::getString(o, "participant").value_or("");
    tr.name = json::getString(o, "name").value_or("");
    tr.track = json::getString(o, "track").value_or("");
    tr.kind = json::getString(o, "kind").value_or(tr.media == "audio" ? "mic" : "camera");
    tr.startUs = *t;
    tracks_.push_back(std::move(tr));
  } else if (type == "track_stop") {
    std::string file = json::getString(o, "file").value_or("");
    for (auto& tr : tracks_) {
      if (tr.file == file) tr.stopUs = *t;
    }
  } else if (type == "event") {
    ManifestEvent e;
    e.tUs = *t;
    e.event = json::getString(o, "event").value_or("");
    e.data = refObject(json::getObject(o, "data"));
    if (e.event.empty()) {
      ++skipped_;
      return;
    }
    events_.push_back(std::move(e));
  } else {
    ++skipped_;
  }
}

}  // namespace carrel::recorder
