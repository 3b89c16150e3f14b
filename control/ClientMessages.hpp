// Every client -> server message of docs/protocol.md: its fields and limits, declared once in
// one table (one entry per message type), and the parsing that turns a frame into a message
// or a typed error. Session state (hello first, in a room or not) is checked by the dispatcher.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "FieldTable.hpp"
#include "GPtr.hpp"

namespace carrel::control {

inline constexpr size_t kMaxFrameBytes = 256 * 1024;
inline constexpr int64_t kMaxIdBytes = 64;
inline constexpr int64_t kMaxSdpBytes = 256 * 1024;
inline constexpr int64_t kMaxChatBytes = 2000;

enum class RoomRule { Any, MustBeIn, MustBeOut };

struct MessageSpec {
  const char* type;
  std::span<const Field> fields;
  bool needsHello;
  RoomRule room;
  // Checks the table cannot express (room id characters, enumerations); may be null.
  std::optional<FieldError> (*extra)(JsonObject* message);
};

const MessageSpec* findMessage(std::string_view type);
std::span<const MessageSpec> allMessages();

struct ClientMessage {
  JsonObjectPtr object;
  std::string type;
  std::string id;  // the client's "id", echoed as "ref"; empty when absent
  const MessageSpec* spec = nullptr;
};

struct ClientError {
  const char* code;
  std::string message;
  std::string ref;
};

// JSON, "type" and "id" checks only: bad_json, invalid_field (a bad "id"), unknown_type.
std::variant<ClientMessage, ClientError> parseClientMessage(std::string_view text);

// The message's own fields against its table, then its extra check.
std::optional<FieldError> validateMessage(const MessageSpec& spec, JsonObject* message);

// [A-Za-z0-9_-]{1,64}
bool isValidRoomId(std::string_view room);

}  // namespace carrel::control
