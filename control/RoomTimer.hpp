// A room's pomodoro timer as data: lengths, cycles and where the sequence of phases (study 1,
// break 1, study 2, ... break N) stands. Pure: the phase at any server time follows from the
// state, so every node (and every client, given the server's clock) agrees on it. The end of
// phase k rings alarm k; members acknowledge alarms, and the fastest acknowledger of every
// alarm is the day's study king.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace carrel::control {

struct TimerState {
  int64_t studyMs = 25 * 60000;
  int64_t breakMs = 5 * 60000;
  int cycles = 4;
  bool running = false;
  int64_t originMs = 0;   // running: the server time at which the sequence began (pauses moved)
  int64_t elapsedMs = 0;  // paused: how far into the sequence
  int64_t run = 0;        // counts starts from the beginning: acknowledgements belong to a run
  int64_t version = 0;    // every command bumps it; a scheduled tick of an older one is stale

  std::string toJson() const;
  static std::optional<TimerState> fromJson(const std::string& text);
};

struct TimerPhase {
  std::string kind;  // idle, study, break, done
  bool paused = false;
  int alarm = 0;  // 1-based number of the phase (its end rings alarm `alarm`); 0 when idle
  int cycle = 0;
  int64_t startMs = 0;  // server times; while paused, as if it went on now
  int64_t endMs = 0;
  int64_t remainingMs = 0;
  int ended = 0;  // alarms rung so far
};

// One acknowledgement: who, of which alarm, how long after it rang.
struct TimerAck {
  int64_t userId = 0;
  std::string name;
  int alarm = 0;
  int64_t delayMs = 0;
};

struct StudyKing {
  int64_t userId = 0;
  std::string name;
  int64_t averageMs = 0;
};

class RoomTimer {
 public:
  static int64_t totalMs(const TimerState& s);
  static TimerPhase phaseAt(const TimerState& s, int64_t nowMs);
  // When alarm k rang (or will ring) in a running sequence.
  static int64_t alarmAt(const TimerState& s, int alarm);
  // "1st study", "2nd break".
  static std::string alarmName(int alarm);
  // Who acknowledged every one of alarms 1..alarms with the smallest average delay (ties: the
  // lower user id).
  static std::optional<StudyKing> king(const std::vector<TimerAck>& acks, int alarms);
};

}  // namespace carrel::control
