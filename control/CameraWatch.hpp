// Whether each participant's camera is on, from what the SFU and the client report: a camera
// track published (a video track that is not a screen share, "screen0", "screen1", ...) and
// not muted by its owner. Pure bookkeeping; a room that counts study time "while the camera
// is on" opens and closes intervals on its changes.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace carrel::control {

class CameraWatch {
 public:
  static bool isCamera(const std::string& track, const std::string& kind);

  // Each returns the participant's new state when it changed, nullopt when it did not.
  std::optional<bool> published(const std::string& participant, const std::string& track,
                                const std::string& kind);
  std::optional<bool> ended(const std::string& participant, const std::string& track);
  std::optional<bool> muted(const std::string& participant, bool muted);
  // A moderator's mute of the camera: off like the owner's own, and apart from it (lifting
  // one leaves the other).
  std::optional<bool> forceMuted(const std::string& participant, bool muted);
  // The participant left: its camera is off.
  std::optional<bool> forget(const std::string& participant);

  bool on(const std::string& participant) const;
  std::vector<std::string> participantsOn() const;

 private:
  struct State {
    std::set<std::string> cameras;
    bool muted = false;
    bool forced = false;
    bool on() const { return !cameras.empty() && !muted && !forced; }
  };
  std::optional<bool> change(const std::string& participant, bool before);
  std::map<std::string, State> states_;
};

}  // namespace carrel::control
