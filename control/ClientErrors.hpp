// The typed error codes of the client protocol (docs/protocol.md, "Errors") and how bus
// errors from the SFU become one of them.
#pragma once

#include <string>
#include <string_view>

namespace carrel::control {

namespace code {
inline constexpr const char* BadJson = "bad_json";
inline constexpr const char* TooLarge = "too_large";
inline constexpr const char* UnknownType = "unknown_type";
inline constexpr const char* InvalidField = "invalid_field";
inline constexpr const char* NotHello = "not_hello";
inline constexpr const char* AlreadyHello = "already_hello";
inline constexpr const char* NotInRoom = "not_in_room";
inline constexpr const char* AlreadyInRoom = "already_in_room";
inline constexpr const char* BadSdp = "bad_sdp";
inline constexpr const char* NoSuchConnection = "no_such_connection";
inline constexpr const char* BadCandidate = "bad_candidate";
inline constexpr const char* MediaUnavailable = "media_unavailable";
inline constexpr const char* MediaTimeout = "media_timeout";
inline constexpr const char* NoSuchRoom = "no_such_room";
inline constexpr const char* RoomLocked = "room_locked";
inline constexpr const char* RoomFull = "room_full";
inline constexpr const char* RateLimited = "rate_limited";
inline constexpr const char* NoSuchMessage = "no_such_message";
inline constexpr const char* NotYourMessage = "not_your_message";
inline constexpr const char* NoSuchMaterial = "no_such_material";
inline constexpr const char* NoDatabase = "no_database";
// The database is unreachable right now (restarting): nothing was stored, try again later.
inline constexpr const char* StorageUnavailable = "storage_unavailable";
inline constexpr const char* Internal = "internal";
// Study time (StudyService): guests do not count; one interval per user on all devices.
inline constexpr const char* AccountRequired = "account_required";
inline constexpr const char* StudyElsewhere = "study_elsewhere";
inline constexpr const char* NotStudying = "not_studying";
}  // namespace code

// A bus error code (common/BusProtocol.hpp, bus::error) as the client sees it.
const char* clientCodeForBusError(std::string_view busCode);

// The message sent with a mapped bus error: the SFU's own text for the codes a client can act
// on, a neutral text for "internal" (the details stay in the server log).
std::string clientMessageForBusError(std::string_view busCode, const std::string& busMessage);

}  // namespace carrel::control
