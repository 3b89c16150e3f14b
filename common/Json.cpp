#include "Json.hpp"

namespace carrel::json {

JsonObjectPtr parseObject(std::string_view text, std::string* error) {
  auto fail = [&](std::string why) {
    if (error) *error = std::move(why);
    return JsonObjectPtr();
  };
  if (!g_utf8_validate(text.data(), static_cast<gssize>(text.size()), nullptr)) {
    return fail("not valid UTF-8");
  }
  GObjectPtr<JsonParser> parser(json_parser_new_immutable());
  GError* raw = nullptr;
  if (!json_parser_load_from_data(parser.get(), text.data(), static_cast<gssize>(text.size()),
                                  &raw)) {
    GErrorPtr err(raw);
    return fail(std::string("malformed JSON: ") + (err ? err->message : "unknown"));
  }
  JsonNode* root = json_parser_get_root(parser.get());
  if (!root || !JSON_NODE_HOLDS_OBJECT(root)) return fail("expected a JSON object");
  return refObject(json_node_get_object(root));
}

std::string stringify(JsonNode* node) {
  GObjectPtr<JsonGenerator> gen(json_generator_new());
  json_generator_set_root(gen.get(), node);
  GCharPtr text(json_generator_to_data(gen.get(), nullptr));
  return text ? std::string(text.get()) : std::string();
}

std::string stringify(JsonObject* object) {
  JsonNodePtr node(json_node_alloc());
  json_node_init_object(node.get(), object);
  return stringify(node.get());
}

static JsonNode* member(JsonObject* o, const char* name) {
  return o ? json_object_get_member(o, name) : nullptr;
}

std::optional<std::string> getString(JsonObject* o, const char* name) {
  JsonNode* n = member(o, name);
  if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING) return {};
  const char* s = json_node_get_string(n);
  return std::string(s ? s : "");
}

std::optional<int64_t> getInt(JsonObject* o, const char* name) {
  JsonNode* n = member(o, name);
  if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64) return {};
  return json_node_get_int(n);
}

std::optional<bool> getBool(JsonObject* o, const char* name) {
  JsonNode* n = member(o, name);
  if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_BOOLEAN) return {};
  return json_node_get_boolean(n) != FALSE;
}

JsonObject* getObject(JsonObject* o, const char* name) {
  JsonNode* n = member(o, name);
  return (n && JSON_NODE_HOLDS_OBJECT(n)) ? json_node_get_object(n) : nullptr;
}

JsonArray* getArray(JsonObject* o, const char* name) {
  JsonNode* n = member(o, name);
  return (n && JSON_NODE_HOLDS_ARRAY(n)) ? json_node_get_array(n) : nullptr;
}

}  // namespace carrel::json
