// The list fields of bus requests about tracks, checked item by item (the bus declares only
// the lists' lengths): a publish offer's {mid, source} and a subscription's {peer, track}.
#pragma once

#include <json-glib/json-glib.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

namespace carrel::sfu {

// mid -> "camera" | "microphone" | "screen", from peer.publish_offer's optional "tracks".
// nullopt (with *error) when an item is malformed.
std::optional<std::map<std::string, std::string>> parseSources(JsonObject* data,
                                                               std::string* error);
// {peer, track} pairs from peer.subscribe's "video".
std::optional<std::set<std::pair<std::string, std::string>>> parseSelection(JsonObject* data,
                                                                            std::string* error);

}  // namespace carrel::sfu
