// The moderation messages of the client protocol (docs/protocol.md, "Moderation"): their
// fields and limits in one table of their own, found by findMessage() after the core ones.
#pragma once

#include <span>
#include <string_view>

#include "ClientMessages.hpp"

namespace carrel::control {

const MessageSpec* findModerationMessage(std::string_view type);
std::span<const MessageSpec> moderationMessages();

}  // namespace carrel::control
