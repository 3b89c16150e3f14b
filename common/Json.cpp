#include "Json.hpp"

#include <vector>

namespace carrel::json {

namespace {

// json-glib ends a string at an escaped NUL (so "a\u0000b" silently becomes "a") and turns a
// lone surrogate escape ("\ud800") into bytes that are not UTF-8, which would then go out to
// other clients: a message holding either is refused rather than passed on changed.
bool hasEscapedNul(std::string_view t) {
  bool inString = false;
  for (size_t i = 0; i < t.size(); ++i) {
    char c = t[i];
    if (!inString) {
      inString = c == '"';
    } else if (c == '"') {
      inString = false;
    } else if (c == '\\') {
      if (t.substr(i + 1, 5) == "u0000") return true;
      ++i;
    }
  }
  return false;
}

// Every string and member name of the tree is UTF-8 (iterative: depth costs no stack).
bool allUtf8(JsonNode* root) {
  std::vector<JsonNode*> todo{root};
  while (!todo.empty()) {
    JsonNode* n = todo.back();
    todo.pop_back();
    if (JSON_NODE_HOLDS_OBJECT(n)) {
      JsonObjectIter it;
      const gchar* name = nullptr;
      JsonNode* member = nullptr;
      json_object_iter_init(&it, json_node_get_object(n));
      while (json_object_iter_next(&it, &name, &member)) {
        if (!g_utf8_validate(name, -1, nullptr)) return false;
        todo.push_back(member);
      }
    } else if (JSON_NODE_HOLDS_ARRAY(n)) {
      JsonArray* a = json_node_get_array(n);
      for (guint i = 0; i < json_array_get_length(a); ++i) {
        todo.push_back(json_array_get_element(a, i));
      }
    } else if (JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING) {
      if (!g_utf8_validate(json_node_get_string(n), -1, nullptr)) return false;
    }
  }
  return true;
}

}  // namespace

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
    // json-glib quotes the bad input in its message, which may hold what is not UTF-8 (a
    // lone surrogate it decoded): the reason goes back to the client, so it is made valid.
    GCharPtr valid(g_utf8_make_valid(err ? err->message : "unknown", -1));
    return fail(std::string("malformed JSON: ") + valid.get());
  }
  JsonNode* root = json_parser_get_root(parser.get());
  if (!root || !JSON_NODE_HOLDS_OBJECT(root)) return fail("expected a JSON object");
  if (hasEscapedNul(text)) return fail("a string holds \\u0000, which is not accepted");
  if (!allUtf8(root)) return fail("a string escapes a lone surrogate (not valid UTF-8)");
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
