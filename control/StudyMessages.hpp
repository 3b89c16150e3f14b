// The study-time client messages' fields (declared in ClientMessages' table, handled by
// StudyService): "study" starts or stops counting (or sets how the room counts), "timer" drives the
// room's pomodoro timer.
#pragma once

#include <array>
#include <optional>
#include <string>

#include "FieldTable.hpp"
#include "Json.hpp"

namespace carrel::control {

inline constexpr std::array kStudyFields{Field{"action", FieldType::String, true, 1, 16},
                                         Field{"mode", FieldType::String, false, 1, 16}};
inline constexpr std::array kTimerFields{Field{"action", FieldType::String, true, 1, 16},
                                         Field{"study_minutes", FieldType::Int, false, 1, 240},
                                         Field{"break_minutes", FieldType::Int, false, 1, 120},
                                         Field{"cycles", FieldType::Int, false, 1, 24},
                                         Field{"study_seconds", FieldType::Int, false, 1, 14400},
                                         Field{"break_seconds", FieldType::Int, false, 1, 7200},
                                         Field{"alarm", FieldType::Int, false, 1, 1000}};

inline std::optional<FieldError> oneOf(JsonObject* m, const char* field,
                                       std::initializer_list<const char*> allowed,
                                       const char* message) {
  auto v = json::getString(m, field);
  for (const char* a : allowed) {
    if (v && *v == a) return std::nullopt;
  }
  return FieldError{field, message};
}

inline std::optional<FieldError> checkStudyAction(JsonObject* m) {
  if (auto e = oneOf(m, "action", {"start", "stop", "mode"},
                     "field 'action' must be 'start', 'stop' or 'mode'")) {
    return e;
  }
  if (*json::getString(m, "action") != "mode") return std::nullopt;
  return oneOf(m, "mode", {"manual", "camera"}, "field 'mode' must be 'manual' or 'camera'");
}

inline std::optional<FieldError> checkTimerAction(JsonObject* m) {
  return oneOf(m, "action", {"set", "start", "pause", "reset", "ack"},
               "field 'action' must be 'set', 'start', 'pause', 'reset' or 'ack'");
}

}  // namespace carrel::control
