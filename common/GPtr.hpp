// RAII owners for GLib/GObject/json-glib values, so no code pairs new/unref by hand.
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include <memory>
#include <string>

namespace carrel {

struct GObjectUnref {
  void operator()(gpointer p) const {
    if (p) g_object_unref(p);
  }
};
template <typename T>
using GObjectPtr = std::unique_ptr<T, GObjectUnref>;

struct GFreeDeleter {
  void operator()(gpointer p) const { g_free(p); }
};
using GCharPtr = std::unique_ptr<gchar, GFreeDeleter>;

struct GErrorFree {
  void operator()(GError* e) const {
    if (e) g_error_free(e);
  }
};
using GErrorPtr = std::unique_ptr<GError, GErrorFree>;

struct GSourceUnref {
  void operator()(GSource* s) const {
    if (s) {
      g_source_destroy(s);
      g_source_unref(s);
    }
  }
};
using GSourcePtr = std::unique_ptr<GSource, GSourceUnref>;

struct JsonObjectUnref {
  void operator()(JsonObject* o) const {
    if (o) json_object_unref(o);
  }
};
using JsonObjectPtr = std::unique_ptr<JsonObject, JsonObjectUnref>;

struct JsonNodeUnref {
  void operator()(JsonNode* n) const {
    if (n) json_node_unref(n);
  }
};
using JsonNodePtr = std::unique_ptr<JsonNode, JsonNodeUnref>;

struct JsonArrayUnref {
  void operator()(JsonArray* a) const {
    if (a) json_array_unref(a);
  }
};
using JsonArrayPtr = std::unique_ptr<JsonArray, JsonArrayUnref>;

// Takes a new reference: for keeping a borrowed object beyond its owner's lifetime.
inline JsonObjectPtr refObject(JsonObject* o) {
  return JsonObjectPtr(o ? json_object_ref(o) : nullptr);
}

// A GLib timeout owned by C++ scope: removed when the owner goes away.
class TimeoutSource {
 public:
  TimeoutSource() = default;
  ~TimeoutSource() { cancel(); }
  TimeoutSource(const TimeoutSource&) = delete;
  TimeoutSource& operator=(const TimeoutSource&) = delete;
  void reset(guint id) {
    cancel();
    id_ = id;
  }
  void cancel() {
    if (id_) g_source_remove(id_);
    id_ = 0;
  }
  // Call from inside the callback when it returns G_SOURCE_REMOVE.
  void release() { id_ = 0; }
  bool active() const { return id_ != 0; }

 private:
  guint id_ = 0;
};

}  // namespace carrel
