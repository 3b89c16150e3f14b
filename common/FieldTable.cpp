#include "FieldTable.hpp"

#include <cstring>

namespace carrel {

const char* fieldTypeName(FieldType t) {
  switch (t) {
    case FieldType::String:
      return "string";
    case FieldType::Int:
      return "integer";
    case FieldType::Bool:
      return "boolean";
    case FieldType::Object:
      return "object";
    case FieldType::Array:
      return "array";
  }
  return "?";
}

static bool hasType(JsonNode* n, FieldType t) {
  switch (t) {
    case FieldType::String:
      return JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING;
    case FieldType::Int:
      return JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_INT64;
    case FieldType::Bool:
      return JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_BOOLEAN;
    case FieldType::Object:
      return JSON_NODE_HOLDS_OBJECT(n);
    case FieldType::Array:
      return JSON_NODE_HOLDS_ARRAY(n);
  }
  return false;
}

std::optional<FieldError> validateFields(JsonObject* object, std::span<const Field> fields) {
  for (const Field& f : fields) {
    JsonNode* n = object ? json_object_get_member(object, f.name) : nullptr;
    if (!n || JSON_NODE_HOLDS_NULL(n)) {
      if (f.required)
        return FieldError{f.name, std::string("missing required field '") + f.name + "'"};
      continue;
    }
    if (!hasType(n, f.type)) {
      return FieldError{f.name,
                        std::string("field '") + f.name + "' must be a " + fieldTypeName(f.type)};
    }
    int64_t measure = 0;
    const char* unit = "";
    switch (f.type) {
      case FieldType::String:
        measure = static_cast<int64_t>(std::strlen(json_node_get_string(n)));
        unit = " bytes long";
        break;
      case FieldType::Int:
        measure = json_node_get_int(n);
        break;
      case FieldType::Array:
        measure = json_array_get_length(json_node_get_array(n));
        unit = " elements";
        break;
      default:
        continue;
    }
    if (measure < f.min || (f.max > 0 && measure > f.max)) {
      std::string range = std::to_string(f.min) + ".." + (f.max > 0 ? std::to_string(f.max) : "");
      return FieldError{f.name, std::string("field '") + f.name + "' must be " + range + unit};
    }
  }
  return std::nullopt;
}

}  // namespace carrel
