// The room timer's phases at any time (running, paused, done), alarm names and the study king.
#include <gtest/gtest.h>

#include "RoomTimer.hpp"

using namespace carrel::control;

namespace {

TimerState running(int64_t origin) {
  TimerState s;
  s.studyMs = 2000;
  s.breakMs = 1000;
  s.cycles = 2;
  s.running = true;
  s.originMs = origin;
  return s;
}

}  // namespace

TEST(ControlRoomTimer, PhasesFollowFromTheState) {
  TimerState idle;
  EXPECT_EQ(RoomTimer::phaseAt(idle, 5000).kind, "idle");
  TimerState s = running(10000);
  TimerPhase p = RoomTimer::phaseAt(s, 10000);
  EXPECT_EQ(p.kind, "study");
  EXPECT_EQ(p.alarm, 1);
  EXPECT_EQ(p.cycle, 1);
  EXPECT_EQ(p.startMs, 10000);
  EXPECT_EQ(p.endMs, 12000);
  p = RoomTimer::phaseAt(s, 12000);
  EXPECT_EQ(p.kind, "break");
  EXPECT_EQ(p.alarm, 2);
  EXPECT_EQ(p.ended, 1);
  EXPECT_EQ(p.endMs, 13000);
  p = RoomTimer::phaseAt(s, 14500);
  EXPECT_EQ(p.kind, "study");
  EXPECT_EQ(p.cycle, 2);
  EXPECT_EQ(p.alarm, 3);
  EXPECT_EQ(p.remainingMs, 500);
  p = RoomTimer::phaseAt(s, 15999);
  EXPECT_EQ(p.kind, "break");
  EXPECT_EQ(p.alarm, 4);
  p = RoomTimer::phaseAt(s, 16000);
  EXPECT_EQ(p.kind, "done");
  EXPECT_EQ(p.ended, 4);
  EXPECT_EQ(RoomTimer::alarmAt(s, 1), 12000);
  EXPECT_EQ(RoomTimer::alarmAt(s, 2), 13000);
  EXPECT_EQ(RoomTimer::alarmAt(s, 3), 15000);
  EXPECT_EQ(RoomTimer::alarmAt(s, 4), 16000);
}

TEST(ControlRoomTimer, PausedStandsStill) {
  TimerState s = running(0);
  s.running = false;
  s.elapsedMs = 2500;
  TimerPhase a = RoomTimer::phaseAt(s, 100000);
  TimerPhase b = RoomTimer::phaseAt(s, 900000);
  EXPECT_TRUE(a.paused);
  EXPECT_EQ(a.kind, "break");
  EXPECT_EQ(a.remainingMs, 500);
  EXPECT_EQ(b.remainingMs, 500);
  EXPECT_EQ(a.alarm, b.alarm);
}

TEST(ControlRoomTimer, StateRoundTripsAndRefusesNonsense) {
  TimerState s = running(123);
  s.run = 3;
  s.version = 9;
  auto back = TimerState::fromJson(s.toJson());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->toJson(), s.toJson());
  EXPECT_FALSE(TimerState::fromJson("{").has_value());
  EXPECT_FALSE(TimerState::fromJson(R"({"study_ms":0})").has_value());
}

TEST(ControlRoomTimer, AlarmNames) {
  EXPECT_EQ(RoomTimer::alarmName(1), "1st study");
  EXPECT_EQ(RoomTimer::alarmName(4), "2nd break");
  EXPECT_EQ(RoomTimer::alarmName(5), "3rd study");
  EXPECT_EQ(RoomTimer::alarmName(22), "11th break");
  EXPECT_EQ(RoomTimer::alarmName(41), "21st study");
}

TEST(ControlRoomTimer, TheKingAcknowledgedEveryAlarmFastest) {
  std::vector<TimerAck> acks{{1, "Mina", 1, 900}, {1, "Mina", 2, 700}, {2, "Olga", 1, 200},
                             {2, "Olga", 2, 300}, {3, "Sami", 1, 50},  {2, "Olga", 2, 5000},
                             {1, "Mina", 9, 1}};
  auto k = RoomTimer::king(acks, 2);
  ASSERT_TRUE(k);
  EXPECT_EQ(k->name, "Olga");  // Sami missed alarm 2; Olga's second ack of 2 does not count
  EXPECT_EQ(k->averageMs, 250);
  EXPECT_FALSE(RoomTimer::king({{3, "Sami", 1, 50}}, 2).has_value());
  EXPECT_FALSE(RoomTimer::king({}, 0).has_value());
}
