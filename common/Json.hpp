// Small json-glib helpers: parse without throwing, read typed fields, write compact text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "GPtr.hpp"

namespace carrel::json {

// Parses text that must hold one JSON object. Invalid UTF-8, a syntax error or a
// non-object yields nullptr and a reason in *error.
JsonObjectPtr parseObject(std::string_view text, std::string* error);

std::string stringify(JsonObject* object);
std::string stringify(JsonNode* node);

std::optional<std::string> getString(JsonObject* o, const char* name);
std::optional<int64_t> getInt(JsonObject* o, const char* name);
std::optional<bool> getBool(JsonObject* o, const char* name);
// Borrowed; nullptr when absent or not an object.
JsonObject* getObject(JsonObject* o, const char* name);
JsonArray* getArray(JsonObject* o, const char* name);

// Fluent builder for outgoing messages.
class Object {
 public:
  Object() : o_(json_object_new()) {}
  Object& set(const char* k, std::string_view v) {
    json_object_set_string_member(o_.get(), k, std::string(v).c_str());
    return *this;
  }
  Object& set(const char* k, const char* v) { return set(k, std::string_view(v)); }
  Object& set(const char* k, int64_t v) {
    json_object_set_int_member(o_.get(), k, v);
    return *this;
  }
  Object& set(const char* k, int v) { return set(k, static_cast<int64_t>(v)); }
  Object& set(const char* k, unsigned v) { return set(k, static_cast<int64_t>(v)); }
  Object& set(const char* k, double v) {
    json_object_set_double_member(o_.get(), k, v);
    return *this;
  }
  Object& setBool(const char* k, bool v) {
    json_object_set_boolean_member(o_.get(), k, v);
    return *this;
  }
  // Takes a reference; the caller keeps its own.
  Object& set(const char* k, JsonObject* v) {
    json_object_set_object_member(o_.get(), k, json_object_ref(v));
    return *this;
  }
  Object& set(const char* k, JsonArray* v) {
    json_object_set_array_member(o_.get(), k, json_array_ref(v));
    return *this;
  }
  Object& setNull(const char* k) {
    json_object_set_null_member(o_.get(), k);
    return *this;
  }
  JsonObject* get() const { return o_.get(); }
  JsonObjectPtr take() { return std::move(o_); }
  std::string str() const { return stringify(o_.get()); }

 private:
  JsonObjectPtr o_;
};

}  // namespace carrel::json
