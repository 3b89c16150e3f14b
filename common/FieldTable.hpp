// Declarative validation of JSON objects (the idea of Janus' JANUS_VALIDATE_JSON_OBJECT):
// every message type names its fields, their types and their limits in one table.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "GPtr.hpp"

namespace carrel {

enum class FieldType { String, Int, Bool, Object, Array };

struct Field {
  const char* name;
  FieldType type;
  bool required;
  // String: byte length; Int: value; Array: element count. max 0 = no limit.
  int64_t min = 0;
  int64_t max = 0;
};

struct FieldError {
  std::string field;
  std::string message;
};

// Checks presence, type and limits of every declared field; unknown fields are ignored.
std::optional<FieldError> validateFields(JsonObject* object, std::span<const Field> fields);

const char* fieldTypeName(FieldType t);

}  // namespace carrel
