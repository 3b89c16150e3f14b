// The typed error codes of moderation (docs/protocol.md, "Moderation"): in their own file so
// that the shared ClientErrors list stays small.
#pragma once

namespace carrel::control::mcode {
inline constexpr const char* Forbidden = "forbidden";    // role too low for the action
inline constexpr const char* OwnerOnly = "owner_only";   // only the owner or an admin
inline constexpr const char* NotInRoom = "not_in_room";  // an outsider of the room
inline constexpr const char* Outranked = "outranked";    // the target's role is not lower
inline constexpr const char* NoSuchParticipant = "no_such_participant";
inline constexpr const char* NotAUser = "not_a_user";  // guests hold no durable role/ban
inline constexpr const char* Banned = "banned";        // join refused: with reason, until
inline constexpr const char* LockedByModerator = "locked_by_moderator";  // join refused
inline constexpr const char* Refused = "refused";                        // the waiting room said no
inline constexpr const char* MutedByModerator = "muted_by_moderator";    // self-unmute refused
inline constexpr const char* RoomClosed = "room_closed";
inline constexpr const char* NoDatabase = "no_database";   // moderation needs MariaDB
inline constexpr const char* NoAfkCheck = "no_afk_check";  // afk_confirm with none pending
inline constexpr const char* NotBanned = "not_banned";     // unban of a user with no ban here
}  // namespace carrel::control::mcode
