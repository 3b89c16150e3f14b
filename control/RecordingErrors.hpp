// The typed error codes of recording (docs/protocol.md, "Recording"), in their own file so the
// shared ClientErrors list stays small. "forbidden" is the same code moderation uses.
#pragma once

namespace carrel::control::rcode {
inline constexpr const char* Forbidden = "forbidden";  // only the room's owner or an admin
inline constexpr const char* AlreadyRecording = "already_recording";
inline constexpr const char* NotRecording = "not_recording";
// No database, or the room's media node records nothing (no --recordings-dir).
inline constexpr const char* RecordingUnavailable = "recording_unavailable";
}  // namespace carrel::control::rcode
