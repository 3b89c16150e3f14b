// Study time on one control node, plugged into it: the "study" (by hand, or while the camera
// is on: CameraCounting) and "timer" client messages
// (the room's pomodoro timer and board, its history sent to whoever enters), the close of
// a session's interval on its final leave, the REST routes, and at start-up the leaderboards
// rebuilt from the ledger before intervals are heartbeated and orphans swept.
#pragma once

#include <libsoup/soup.h>

#include <memory>

#include "AuthService.hpp"
#include "CameraCounting.hpp"
#include "ControlNode.hpp"
#include "DbWorker.hpp"
#include "Leaderboards.hpp"
#include "RoomBoard.hpp"
#include "RoomTimers.hpp"
#include "StudyRoutes.hpp"
#include "StudyTracker.hpp"
#include "TodoRoutes.hpp"

namespace carrel::control {

class StudyService {
 public:
  StudyService(ControlNode& node, DbWorker& worker, AuthService& auth);
  StudyService(const StudyService&) = delete;
  StudyService& operator=(const StudyService&) = delete;

  void install(SoupServer* server);
  // Once Redis is up: rebuilds the leaderboards, then starts heartbeats and sweeps.
  void begin();

 private:
  void onStudy(const std::shared_ptr<ClientSession>& s, const ClientMessage& m);
  // What tells s (study_state, ref) and its room (study_changed) that counting started or
  // stopped, or s alone why not.
  StudyTracker::Done reply(const std::shared_ptr<ClientSession>& s, const std::string& ref,
                           bool studying);
  // The board's latest posts to a member that just entered (the room's history).
  void sendBoardHistory(const std::shared_ptr<ClientSession>& s);

  ControlNode& node_;
  DbWorker& worker_;
  Leaderboards boards_;
  StudyTracker tracker_;
  RoomBoard board_;
  RoomTimers timers_;
  StudyRoutes routes_;
  TodoRoutes todos_;
  CameraCounting cameras_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace carrel::control
