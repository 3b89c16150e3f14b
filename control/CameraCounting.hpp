// Rooms that count study time "while the camera is on" (study mode "camera"): an interval
// opens when a member's camera goes on (a camera track published, muted neither by its owner
// nor by a moderator) and closes when it goes off or the member leaves. The mode is a room
// setting in MariaDB, set by the room's owner, a moderator or an admin, and told to every
// member on entering.
//
// A camera that goes off is given kSettleMs to come back before the interval closes (at the
// moment it went off): a client resuming its session within the reconnect grace publishes
// its camera again, and that must stay one unbroken interval.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "CameraWatch.hpp"
#include "ClientSession.hpp"
#include "ControlNode.hpp"
#include "DbWorker.hpp"
#include "GPtr.hpp"
#include "RedisConnection.hpp"
#include "StudyTracker.hpp"

namespace carrel::control {

class CameraCounting {
 public:
  using Session = std::shared_ptr<ClientSession>;
  // How StudyService tells a session and its room that counting started or stopped.
  using Reply =
      std::function<StudyTracker::Done(const Session&, const std::string& ref, bool studying)>;
  static constexpr int kSettleMs = 5000;

  CameraCounting(ControlNode& node, DbWorker& worker, StudyTracker& tracker, Reply reply);
  ~CameraCounting();
  CameraCounting(const CameraCounting&) = delete;
  CameraCounting& operator=(const CameraCounting&) = delete;

  // {"type":"study","action":"mode","mode":"camera"|"manual"}
  void onMode(const Session& s, const ClientMessage& m);
  void onEnter(const Session& s);
  void onMedia(const Session& s, ControlNode::MediaEvent e, const std::string& track,
               const std::string& kind);
  void onLeave(const std::string& participant);

 private:
  struct Pending {
    int64_t offAtMs = 0;
    TimeoutSource timer;
  };
  void setMode(const Session& s, const std::string& mode, const std::string& ref);
  void cameraOn(const Session& s);
  void cameraOff(const Session& s, int64_t offAtMs);
  void closeNow(const std::string& participant, int64_t endMs);
  void modeMessage(const std::string& room, const std::string& mode, const char* cause,
                   json::Object* out) const;

  ControlNode& node_;
  DbWorker& worker_;
  StudyTracker& tracker_;
  Reply reply_;
  CameraWatch watch_;
  std::set<std::string> counting_;  // participants whose interval a camera opened
  std::map<std::string, std::unique_ptr<Pending>> pending_;  // cameras off, closing soon
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace carrel::control
