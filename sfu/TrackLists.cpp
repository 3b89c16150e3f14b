#include "TrackLists.hpp"

#include <array>
#include <vector>

#include "FieldTable.hpp"
#include "Json.hpp"

namespace carrel::sfu {

namespace {

constexpr std::array kSource{Field{"mid", FieldType::String, true, 1, 64},
                             Field{"source", FieldType::String, true, 1, 16}};
constexpr std::array kSelected{Field{"peer", FieldType::String, true, 1, 64},
                               Field{"track", FieldType::String, true, 1, 64}};

bool knownSource(const std::string& s) {
  return s == "camera" || s == "microphone" || s == "screen";
}

// The objects of an array field, or nullopt with *error when an item is not one.
template <typename Table>
std::optional<std::vector<JsonObject*>> items(JsonObject* data, const char* field,
                                              const Table& table, std::string* error) {
  std::vector<JsonObject*> out;
  JsonArray* a = data ? json::getArray(data, field) : nullptr;
  for (guint i = 0; a && i < json_array_get_length(a); ++i) {
    JsonNode* n = json_array_get_element(a, i);
    JsonObject* o = n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : nullptr;
    if (!o) {
      *error = std::string(field) + "[" + std::to_string(i) + "] is not an object";
      return std::nullopt;
    }
    if (auto bad = validateFields(o, table)) {
      *error = std::string(field) + "[" + std::to_string(i) + "]: " + bad->message;
      return std::nullopt;
    }
    out.push_back(o);
  }
  return out;
}

}  // namespace

std::optional<std::map<std::string, std::string>> parseSources(JsonObject* data,
                                                               std::string* error) {
  auto list = items(data, "tracks", kSource, error);
  if (!list) return std::nullopt;
  std::map<std::string, std::string> out;
  for (JsonObject* o : *list) {
    std::string source = *json::getString(o, "source");
    if (!knownSource(source)) {
      *error = "source must be camera, microphone or screen";
      return std::nullopt;
    }
    out[*json::getString(o, "mid")] = source;
  }
  return out;
}

std::optional<std::set<std::pair<std::string, std::string>>> parseSelection(JsonObject* data,
                                                                            std::string* error) {
  auto list = items(data, "video", kSelected, error);
  if (!list) return std::nullopt;
  std::set<std::pair<std::string, std::string>> out;
  for (JsonObject* o : *list)
    out.emplace(*json::getString(o, "peer"), *json::getString(o, "track"));
  return out;
}

}  // namespace carrel::sfu
