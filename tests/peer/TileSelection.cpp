#include "TileSelection.hpp"

#include <algorithm>

namespace carrel::peer {

void TileSelection::addParticipant(const std::string& id, const std::string& name) {
  for (const auto& p : participants_) {
    if (p.first == id) return;
  }
  participants_.emplace_back(id, name);
}

void TileSelection::removeParticipant(const std::string& id) {
  std::erase_if(participants_, [&](const auto& p) { return p.first == id; });
  std::erase_if(screens_, [&](const Track& t) { return t.first == id; });
}

void TileSelection::addScreen(const std::string& participant, const std::string& track) {
  Track t{participant, track};
  if (std::find(screens_.begin(), screens_.end(), t) == screens_.end()) screens_.push_back(t);
}

void TileSelection::removeScreen(const std::string& participant, const std::string& track) {
  std::erase(screens_, Track{participant, track});
}

void TileSelection::setNames(std::vector<std::string> names) {
  names_ = std::move(names);
}

std::vector<TileSelection::Track> TileSelection::selected() const {
  std::vector<Track> out;
  if (!names_.empty()) {
    for (const auto& name : names_) {
      for (const auto& [id, n] : participants_) {
        if (n == name) out.emplace_back(id, "video0");
      }
    }
  } else {
    for (const auto& [id, n] : participants_) {
      if (static_cast<int>(out.size()) >= firstN_) break;
      out.emplace_back(id, "video0");
    }
  }
  out.insert(out.end(), screens_.begin(), screens_.end());
  return out;
}

}  // namespace carrel::peer
