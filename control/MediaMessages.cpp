#include "MediaMessages.hpp"

#include <array>
#include <string>

#include "Json.hpp"

namespace carrel::control {

namespace {

constexpr std::array kPublishTrack{Field{"mid", FieldType::String, true, 1, 64},
                                   Field{"source", FieldType::String, true, 1, 16}};
constexpr std::array kSelected{Field{"participant", FieldType::String, true, 1, 128},
                               Field{"track", FieldType::String, true, 1, 64}};

// Each item of an array field must be an object passing table; the error names the item.
template <typename Table>
std::optional<FieldError> checkItems(JsonObject* m, const char* field, const Table& table,
                                     bool (*extra)(JsonObject*) = nullptr,
                                     const char* extraWhy = nullptr) {
  JsonArray* a = json::getArray(m, field);
  for (guint i = 0; a && i < json_array_get_length(a); ++i) {
    JsonNode* n = json_array_get_element(a, i);
    std::string at = std::string(field) + "[" + std::to_string(i) + "]";
    if (!n || !JSON_NODE_HOLDS_OBJECT(n)) return FieldError{field, at + " must be an object"};
    JsonObject* o = json_node_get_object(n);
    if (auto e = validateFields(o, table)) return FieldError{field, at + ": " + e->message};
    if (extra && !extra(o)) return FieldError{field, at + ": " + extraWhy};
  }
  return std::nullopt;
}

bool knownSource(JsonObject* o) {
  std::string s = json::getString(o, "source").value_or("");
  return s == "camera" || s == "microphone" || s == "screen";
}

}  // namespace

std::optional<FieldError> checkJoinVideo(JsonObject* m) {
  auto video = json::getString(m, "video");
  if (video && *video != "all" && *video != "selected") {
    return FieldError{"video", "field 'video' must be 'all' or 'selected'"};
  }
  return std::nullopt;
}

std::optional<FieldError> checkPublishTracks(JsonObject* m) {
  return checkItems(m, "tracks", kPublishTrack, &knownSource,
                    "field 'source' must be 'camera', 'microphone' or 'screen'");
}

std::optional<FieldError> checkSubscribe(JsonObject* m) {
  return checkItems(m, "video", kSelected);
}

JsonArrayPtr publishSources(JsonObject* m) {
  JsonArrayPtr out(json_array_new());
  JsonArray* a = json::getArray(m, "tracks");
  for (guint i = 0; a && i < json_array_get_length(a); ++i) {
    JsonObject* o = json_array_get_object_element(a, i);
    json::Object t;
    t.set("mid", *json::getString(o, "mid")).set("source", *json::getString(o, "source"));
    json_array_add_object_element(out.get(), t.take().release());
  }
  return out;
}

JsonArrayPtr videoSelection(JsonObject* m) {
  JsonArrayPtr out(json_array_new());
  JsonArray* a = json::getArray(m, "video");
  for (guint i = 0; a && i < json_array_get_length(a); ++i) {
    JsonObject* o = json_array_get_object_element(a, i);
    json::Object t;
    t.set("peer", *json::getString(o, "participant")).set("track", *json::getString(o, "track"));
    json_array_add_object_element(out.get(), t.take().release());
  }
  return out;
}

}  // namespace carrel::control
