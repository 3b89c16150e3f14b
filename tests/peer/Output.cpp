#include "Output.hpp"

#include <memory>

#include "Json.hpp"

namespace carrel::peer {

namespace {
using MemberList = std::unique_ptr<GList, decltype(&g_list_free)>;
MemberList members(JsonObject* o) {
  return MemberList(json_object_get_members(o), &g_list_free);
}
}  // namespace

std::string Output::format(const std::string& event, JsonObject* fields) const {
  if (json_) {
    json::Object o;
    o.set("event", event);
    if (fields) {
      MemberList names = members(fields);
      for (GList* n = names.get(); n; n = n->next) {
        auto* name = static_cast<const char*>(n->data);
        if (std::string_view(name) == "event") continue;
        json_object_set_member(o.get(), name, json_object_dup_member(fields, name));
      }
    }
    return o.str();
  }
  std::string line = event;
  if (!fields) return line;
  MemberList names = members(fields);
  for (GList* n = names.get(); n; n = n->next) {
    auto* name = static_cast<const char*>(n->data);
    JsonNode* v = json_object_get_member(fields, name);
    line += ' ';
    line += name;
    line += '=';
    if (JSON_NODE_HOLDS_VALUE(v) && json_node_get_value_type(v) == G_TYPE_STRING) {
      line += json_node_get_string(v);
    } else {
      line += json::stringify(v);
    }
  }
  return line;
}

void Output::emit(const std::string& event, JsonObject* fields) {
  std::string line = format(event, fields);
  std::lock_guard lock(mu_);
  std::fputs(line.c_str(), out_);
  std::fputc('\n', out_);
  std::fflush(out_);
}

void Output::emit(const std::string& event) {
  emit(event, nullptr);
}

}  // namespace carrel::peer
