// How chat messages and study materials look on the wire (docs/protocol.md, "Chat" and
// "Study materials"): one place, so history, live chat and REST agree.
#pragma once

#include "ChatStore.hpp"
#include "Json.hpp"
#include "MaterialStore.hpp"

namespace carrel::control {

// {"id","from":{"participant","name","user_id"?},"text","ts","edited_ts"?,"deleted"?,
//  "attachment"?}
json::Object chatMessageJson(const ChatMessage& m);
// {"id","room","name","size","type","uploader","created_at","url"}
json::Object materialJson(const Material& m);

}  // namespace carrel::control
