// The media parts of client messages that a field table alone cannot check (list items,
// enumerations), and their translation into bus data: join's "video" mode, publish_offer's
// "tracks" (mid -> source) and subscribe's "video" selection. See docs/protocol.md.
#pragma once

#include <optional>

#include "FieldTable.hpp"
#include "GPtr.hpp"

namespace carrel::control {

inline constexpr int64_t kMaxPublishTracks = 16;
inline constexpr int64_t kMaxSelectedVideo = 64;

// Extra checks of the message table (ClientMessages.cpp).
std::optional<FieldError> checkJoinVideo(JsonObject* message);
std::optional<FieldError> checkPublishTracks(JsonObject* message);
std::optional<FieldError> checkSubscribe(JsonObject* message);

// Bus data from checked messages: [{mid, source}] and [{peer, track}].
JsonArrayPtr publishSources(JsonObject* message);
JsonArrayPtr videoSelection(JsonObject* message);

}  // namespace carrel::control
