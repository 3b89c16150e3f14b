// Which video tracks a grid client shows (docs/protocol.md, selective subscription): a tile
// per participant camera, chosen either as the first N other participants in the order
// this client learned of them or by display name, plus every screen share. Pure logic.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace carrel::peer {

class TileSelection {
 public:
  using Track = std::pair<std::string, std::string>;  // participant, track

  // firstN < 0 and no names: show nothing but screens.
  TileSelection(int firstN, std::vector<std::string> names)
      : firstN_(firstN), names_(std::move(names)) {}

  void addParticipant(const std::string& id, const std::string& name);
  void removeParticipant(const std::string& id);
  void addScreen(const std::string& participant, const std::string& track);
  void removeScreen(const std::string& participant, const std::string& track);
  void setNames(std::vector<std::string> names);

  // Cameras first (grid order), then screens.
  std::vector<Track> selected() const;

 private:
  int firstN_;
  std::vector<std::string> names_;
  std::vector<std::pair<std::string, std::string>> participants_;  // id, name; join order
  std::vector<Track> screens_;
};

}  // namespace carrel::peer
