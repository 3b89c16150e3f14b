#include "CameraWatch.hpp"

namespace carrel::control {

bool CameraWatch::isCamera(const std::string& track, const std::string& kind) {
  return kind == "video" && track.rfind("screen", 0) != 0;
}

std::optional<bool> CameraWatch::change(const std::string& participant, bool before) {
  auto it = states_.find(participant);
  bool now = it != states_.end() && it->second.on();
  if (it != states_.end() && it->second.cameras.empty() && !it->second.muted) states_.erase(it);
  if (now == before) return std::nullopt;
  return now;
}

std::optional<bool> CameraWatch::published(const std::string& participant, const std::string& track,
                                           const std::string& kind) {
  if (!isCamera(track, kind)) return std::nullopt;
  bool before = on(participant);
  states_[participant].cameras.insert(track);
  return change(participant, before);
}

std::optional<bool> CameraWatch::ended(const std::string& participant, const std::string& track) {
  auto it = states_.find(participant);
  if (it == states_.end()) return std::nullopt;
  bool before = it->second.on();
  it->second.cameras.erase(track);
  return change(participant, before);
}

std::optional<bool> CameraWatch::muted(const std::string& participant, bool muted) {
  bool before = on(participant);
  states_[participant].muted = muted;
  return change(participant, before);
}

std::optional<bool> CameraWatch::forceMuted(const std::string& participant, bool muted) {
  bool before = on(participant);
  states_[participant].forced = muted;
  return change(participant, before);
}

std::optional<bool> CameraWatch::forget(const std::string& participant) {
  bool before = on(participant);
  states_.erase(participant);
  return before ? std::optional<bool>(false) : std::nullopt;
}

bool CameraWatch::on(const std::string& participant) const {
  auto it = states_.find(participant);
  return it != states_.end() && it->second.on();
}

std::vector<std::string> CameraWatch::participantsOn() const {
  std::vector<std::string> out;
  for (const auto& [p, s] : states_) {
    if (s.on()) out.push_back(p);
  }
  return out;
}

}  // namespace carrel::control
