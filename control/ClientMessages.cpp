#include "ClientMessages.hpp"

#include <array>

#include "ClientErrors.hpp"
#include "Json.hpp"
#include "MediaMessages.hpp"
#include "ModerationMessages.hpp"
#include "StudyMessages.hpp"

namespace carrel::control {

namespace {

constexpr Field kId{"id", FieldType::String, false, 0, kMaxIdBytes};
constexpr std::array kIdOnly{kId};

constexpr std::array kHello{Field{"name", FieldType::String, true, 1, 64},
                            Field{"resume", FieldType::String, false, 1, 64}};
constexpr std::array<Field, 0> kNoFields{};
constexpr std::array kJoin{Field{"room", FieldType::String, true, 1, kMaxIdBytes},
                           Field{"password", FieldType::String, false, 1, 128},
                           Field{"invite", FieldType::String, false, 1, 64},
                           Field{"video", FieldType::String, false, 1, 16}};
constexpr std::array kPublishOffer{Field{"sdp", FieldType::String, true, 1, kMaxSdpBytes},
                                   Field{"tracks", FieldType::Array, false, 0, kMaxPublishTracks}};
constexpr std::array kSubscribe{Field{"video", FieldType::Array, true, 0, kMaxSelectedVideo}};
constexpr std::array kSdp{Field{"sdp", FieldType::String, true, 1, kMaxSdpBytes}};
constexpr std::array kCandidate{Field{"conn", FieldType::String, true, 1, 16},
                                Field{"candidate", FieldType::String, true, 0, 1024},
                                Field{"sdp_mline_index", FieldType::Int, true, 0, 1023}};
// Chat text may be empty only when the message shares a study material (checkChat).
constexpr std::array kChat{Field{"text", FieldType::String, true, 0, kMaxChatBytes},
                           Field{"attachment", FieldType::Int, false, 1, 0}};
constexpr std::array kChatHistory{Field{"before", FieldType::Int, false, 1, 0},
                                  Field{"limit", FieldType::Int, false, 1, 100}};
constexpr std::array kChatEdit{Field{"message", FieldType::Int, true, 1, 0},
                               Field{"text", FieldType::String, true, 1, kMaxChatBytes}};
constexpr std::array kChatDelete{Field{"message", FieldType::Int, true, 1, 0}};
constexpr std::array kMute{Field{"kind", FieldType::String, true, 1, 16},
                           Field{"muted", FieldType::Bool, true}};

std::optional<FieldError> checkRoom(JsonObject* m) {
  auto room = json::getString(m, "room");
  if (!room || !isValidRoomId(*room)) {
    return FieldError{"room", "field 'room' must be 1..64 bytes of A-Z a-z 0-9 _ -"};
  }
  return checkJoinVideo(m);
}

std::optional<FieldError> checkConn(JsonObject* m) {
  auto conn = json::getString(m, "conn");
  if (!conn || (*conn != "publish" && *conn != "subscribe")) {
    return FieldError{"conn", "field 'conn' must be 'publish' or 'subscribe'"};
  }
  return std::nullopt;
}

std::optional<FieldError> checkMuteKind(JsonObject* m) {
  auto kind = json::getString(m, "kind");
  if (!kind || (*kind != "audio" && *kind != "video")) {
    return FieldError{"kind", "field 'kind' must be 'audio' or 'video'"};
  }
  return std::nullopt;
}

std::optional<FieldError> checkChat(JsonObject* m) {
  if (json::getString(m, "text").value_or("").empty() && !json::getInt(m, "attachment")) {
    return FieldError{"text", "field 'text' must be 1..2000 bytes (or come with an attachment)"};
  }
  return std::nullopt;
}

const std::array kMessages{
    MessageSpec{"hello", kHello, false, RoomRule::Any, nullptr},
    MessageSpec{"ping", kNoFields, true, RoomRule::Any, nullptr},
    MessageSpec{"join", kJoin, true, RoomRule::MustBeOut, checkRoom},
    MessageSpec{"leave", kNoFields, true, RoomRule::MustBeIn, nullptr},
    MessageSpec{"publish_offer", kPublishOffer, true, RoomRule::MustBeIn, checkPublishTracks},
    MessageSpec{"subscribe_answer", kSdp, true, RoomRule::MustBeIn, nullptr},
    MessageSpec{"candidate", kCandidate, true, RoomRule::MustBeIn, checkConn},
    MessageSpec{"chat", kChat, true, RoomRule::MustBeIn, checkChat},
    MessageSpec{"chat_history", kChatHistory, true, RoomRule::MustBeIn, nullptr},
    MessageSpec{"chat_edit", kChatEdit, true, RoomRule::MustBeIn, nullptr},
    MessageSpec{"chat_delete", kChatDelete, true, RoomRule::MustBeIn, nullptr},
    MessageSpec{"mute", kMute, true, RoomRule::MustBeIn, checkMuteKind},
    MessageSpec{"record_start", kNoFields, true, RoomRule::MustBeIn, nullptr},
    MessageSpec{"record_stop", kNoFields, true, RoomRule::MustBeIn, nullptr},
    MessageSpec{"study", kStudyFields, true, RoomRule::MustBeIn, checkStudyAction},
    MessageSpec{"timer", kTimerFields, true, RoomRule::MustBeIn, checkTimerAction},
    MessageSpec{"subscribe", kSubscribe, true, RoomRule::MustBeIn, checkSubscribe},
};

}  // namespace

const MessageSpec* findMessage(std::string_view type) {
  for (const auto& m : kMessages) {
    if (type == m.type) return &m;
  }
  return findModerationMessage(type);
}

std::span<const MessageSpec> allMessages() {
  return kMessages;
}

bool isValidRoomId(std::string_view room) {
  if (room.empty() || room.size() > static_cast<size_t>(kMaxIdBytes)) return false;
  for (char c : room) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::variant<ClientMessage, ClientError> parseClientMessage(std::string_view text) {
  std::string why;
  JsonObjectPtr o = json::parseObject(text, &why);
  if (!o) return ClientError{code::BadJson, why, {}};
  auto type = json::getString(o.get(), "type");
  if (!type) return ClientError{code::BadJson, "the object has no string field 'type'", {}};
  if (auto e = validateFields(o.get(), kIdOnly)) {
    return ClientError{code::InvalidField, e->message, {}};
  }
  std::string id = json::getString(o.get(), "id").value_or("");
  const MessageSpec* spec = findMessage(*type);
  if (!spec) {
    // The name is echoed only when short: cutting it could split a UTF-8 sequence.
    std::string msg = type->size() <= 64 ? "no client message is called '" + *type + "'"
                                         : std::string("no client message has that type");
    return ClientError{code::UnknownType, msg, id};
  }
  return ClientMessage{std::move(o), *type, std::move(id), spec};
}

std::optional<FieldError> validateMessage(const MessageSpec& spec, JsonObject* message) {
  if (auto e = validateFields(message, spec.fields)) return e;
  if (spec.extra) return spec.extra(message);
  return std::nullopt;
}

}  // namespace carrel::control
