#include "ModerationMessages.hpp"

#include <array>

#include "Json.hpp"

namespace carrel::control {

namespace {

constexpr Field kParticipant{"participant", FieldType::String, true, 1, 64};
constexpr Field kReason{"reason", FieldType::String, false, 0, 500};

constexpr std::array kTargetReason{kParticipant, kReason};
constexpr std::array kTarget{kParticipant};
// minutes: absent or 0 bans for good; at most a year.
constexpr std::array kBan{kParticipant, kReason,
                          Field{"minutes", FieldType::Int, false, 0, 525600}};
constexpr std::array kMuteOther{kParticipant, Field{"kind", FieldType::String, true, 1, 16},
                                Field{"muted", FieldType::Bool, true}};
constexpr std::array kMuteAll{Field{"kind", FieldType::String, false, 1, 16}};
constexpr std::array kLock{Field{"locked", FieldType::Bool, true}};
constexpr std::array kWaiting{Field{"enabled", FieldType::Bool, true}};
constexpr std::array kAfkPolicy{Field{"camera_off_seconds", FieldType::Int, true, 0, 86400}};
constexpr std::array kAdmit{kParticipant, Field{"admit", FieldType::Bool, true}};
constexpr std::array kClose{kReason};
constexpr std::array kSetModerator{kParticipant, Field{"moderator", FieldType::Bool, true}};
constexpr std::array kAudit{Field{"before", FieldType::Int, false, 0, INT64_MAX},
                            Field{"limit", FieldType::Int, false, 1, 200}};
constexpr std::array kUnban{Field{"user", FieldType::Int, true, 1, INT64_MAX}};
constexpr std::array<Field, 0> kNone{};

std::optional<FieldError> checkKind(JsonObject* m, bool required) {
  auto kind = json::getString(m, "kind");
  if (!kind && !required) return std::nullopt;
  if (!kind || (*kind != "audio" && *kind != "video" && *kind != "screen")) {
    return FieldError{"kind", "field 'kind' must be 'audio', 'video' or 'screen'"};
  }
  return std::nullopt;
}

const std::array kMessages{
    MessageSpec{"kick", kTargetReason, true, RoomRule::MustBeIn, nullptr},
    MessageSpec{"ban", kBan, true, RoomRule::MustBeIn, nullptr},
    MessageSpec{"bans", kNone, true, RoomRule::MustBeIn, nullptr},
    MessageSpec{"unban", kUnban, true, RoomRule::MustBeIn, nullptr},
    MessageSpec{"mute_participant", kMuteOther, true, RoomRule::MustBeIn,
                [](JsonObject* m) { return checkKind(m, true); }},
    MessageSpec{"mute_all", kMuteAll, true, RoomRule::MustBeIn,
                [](JsonObject* m) { return checkKind(m, false); }},
    MessageSpec{"stop_screen", kTarget, true, RoomRule::MustBeIn, nullptr},
    MessageSpec{"lock_room", kLock, true, RoomRule::MustBeIn, nullptr},
    MessageSpec{"waiting_room", kWaiting, true, RoomRule::MustBeIn, nullptr},
    MessageSpec{"admit", kAdmit, true, RoomRule::MustBeIn, nullptr},
    MessageSpec{"close_room", kClose, true, RoomRule::MustBeIn, nullptr},
    MessageSpec{"afk_check", kTarget, true, RoomRule::MustBeIn, nullptr},
    MessageSpec{"afk_confirm", kNone, true, RoomRule::MustBeIn, nullptr},
    MessageSpec{"afk_policy", kAfkPolicy, true, RoomRule::MustBeIn, nullptr},
    MessageSpec{"set_moderator", kSetModerator, true, RoomRule::MustBeIn, nullptr},
    MessageSpec{"transfer_ownership", kTarget, true, RoomRule::MustBeIn, nullptr},
    MessageSpec{"audit_log", kAudit, true, RoomRule::MustBeIn, nullptr},
};

}  // namespace

const MessageSpec* findModerationMessage(std::string_view type) {
  for (const auto& m : kMessages) {
    if (type == m.type) return &m;
  }
  return nullptr;
}

std::span<const MessageSpec> moderationMessages() {
  return kMessages;
}

}  // namespace carrel::control
