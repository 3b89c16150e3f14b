// The study and timer client messages against their declared fields.
#include <gtest/gtest.h>

#include "ClientMessages.hpp"
#include "Json.hpp"

using namespace carrel;
using namespace carrel::control;

namespace {

// The field a message is refused for ("" when valid).
std::string refused(const std::string& text) {
  auto parsed = parseClientMessage(text);
  if (!std::holds_alternative<ClientMessage>(parsed)) return "(unparsed)";
  const auto& m = std::get<ClientMessage>(parsed);
  auto e = validateMessage(*m.spec, m.object.get());
  return e ? e->field : "";
}

}  // namespace

TEST(ControlStudyMessages, StudyActions) {
  EXPECT_EQ(refused(R"({"type":"study","action":"start"})"), "");
  EXPECT_EQ(refused(R"({"type":"study","action":"stop","id":"s1"})"), "");
  EXPECT_EQ(refused(R"({"type":"study"})"), "action");
  EXPECT_EQ(refused(R"({"type":"study","action":"pause"})"), "action");
  EXPECT_EQ(refused(R"({"type":"study","action":7})"), "action");
  EXPECT_EQ(refused(R"({"type":"study","action":"mode","mode":"camera"})"), "");
  EXPECT_EQ(refused(R"({"type":"study","action":"mode","mode":"manual"})"), "");
  EXPECT_EQ(refused(R"({"type":"study","action":"mode"})"), "mode");
  EXPECT_EQ(refused(R"({"type":"study","action":"mode","mode":"always"})"), "mode");
  EXPECT_EQ(refused(R"({"type":"study","action":"mode","mode":3})"), "mode");
  EXPECT_EQ(findMessage("study")->room, RoomRule::MustBeIn);
}

TEST(ControlStudyMessages, TimerFieldsAndLimits) {
  EXPECT_EQ(refused(R"({"type":"timer","action":"set","study_minutes":25,"break_minutes":5,)"
                    R"("cycles":4})"),
            "");
  EXPECT_EQ(refused(R"({"type":"timer","action":"start"})"), "");
  EXPECT_EQ(refused(R"({"type":"timer","action":"ack","alarm":2})"), "");
  EXPECT_EQ(refused(R"({"type":"timer","action":"set","study_minutes":0})"), "study_minutes");
  EXPECT_EQ(refused(R"({"type":"timer","action":"set","study_minutes":241})"), "study_minutes");
  EXPECT_EQ(refused(R"({"type":"timer","action":"set","cycles":25})"), "cycles");
  EXPECT_EQ(refused(R"({"type":"timer","action":"set","break_minutes":"5"})"), "break_minutes");
  EXPECT_EQ(refused(R"({"type":"timer","action":"ack","alarm":0})"), "alarm");
  EXPECT_EQ(refused(R"({"type":"timer","action":"explode"})"), "action");
}
