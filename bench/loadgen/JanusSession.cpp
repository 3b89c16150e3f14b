#include "JanusSession.hpp"

#include <json-glib/json-glib.h>

namespace carrel::bench {

namespace {

struct Pending {
  std::weak_ptr<bool> alive;
  std::function<void(GBytes* body, const std::string& error)> done;
};

void finish(GObject* source, GAsyncResult* result, gpointer data) {
  std::unique_ptr<Pending> p(static_cast<Pending*>(data));
  GError* raw = nullptr;
  GBytes* body = soup_session_send_and_read_finish(SOUP_SESSION(source), result, &raw);
  GErrorPtr err(raw);
  if (!p->alive.lock()) {
    if (body) g_bytes_unref(body);
    return;
  }
  p->done(body, err ? err->message : (body ? "" : "no body"));
  if (body) g_bytes_unref(body);
}

void request(SoupSession* http, GCancellable* cancel, const char* method, const std::string& url,
             const std::string* body, std::weak_ptr<bool> alive,
             std::function<void(GBytes*, const std::string&)> done) {
  SoupMessage* msg = soup_message_new(method, url.c_str());
  if (!msg) {
    done(nullptr, "bad url " + url);
    return;
  }
  if (body) {
    GBytes* bytes = g_bytes_new(body->data(), body->size());
    soup_message_set_request_body_from_bytes(msg, "application/json", bytes);
    g_bytes_unref(bytes);
  }
  soup_session_send_and_read_async(http, msg, G_PRIORITY_DEFAULT, cancel, &finish,
                                   new Pending{std::move(alive), std::move(done)});
  g_object_unref(msg);
}

std::string text(GBytes* body) {
  if (!body) return {};
  gsize n = 0;
  const char* d = static_cast<const char*>(g_bytes_get_data(body, &n));
  return std::string(d ? d : "", n);
}

}  // namespace

JanusSession::JanusSession(std::string baseUrl)
    : base_(std::move(baseUrl)),
      http_(soup_session_new_with_options("max-conns-per-host", 8, "timeout", 60, nullptr)),
      cancel_(g_cancellable_new()) {}

JanusSession::~JanusSession() {
  // Tell Janus to drop the session (fire and forget), then stop the long poll.
  if (session_) {
    json::Object m;
    m.set("janus", "destroy").set("transaction", "bye");
    std::string body = m.str();
    SoupMessage* msg = soup_message_new("POST", (base_ + "/" + std::to_string(session_)).c_str());
    if (msg) {
      GBytes* bytes = g_bytes_new(body.data(), body.size());
      soup_message_set_request_body_from_bytes(msg, "application/json", bytes);
      g_bytes_unref(bytes);
      GBytes* reply = soup_session_send_and_read(http_.get(), msg, nullptr, nullptr);
      if (reply) g_bytes_unref(reply);
      g_object_unref(msg);
    }
  }
  g_cancellable_cancel(cancel_.get());
}

void JanusSession::post(const std::string& url, json::Object& body, Reply reply) {
  body.set("transaction", std::to_string(nextTransaction_++));
  std::string b = body.str();
  request(http_.get(), cancel_.get(), "POST", url, &b, alive_,
          [reply](GBytes* bytes, const std::string& error) {
            if (!error.empty()) return reply(nullptr, error);
            std::string err;
            JsonObjectPtr o = json::parseObject(text(bytes), &err);
            if (!o) return reply(nullptr, "bad reply: " + err);
            if (json::getString(o.get(), "janus").value_or("") == "error") {
              JsonObject* e = json::getObject(o.get(), "error");
              return reply(nullptr, "janus error: " +
                                        (e ? json::getString(e, "reason").value_or("?") : "?"));
            }
            reply(o.get(), {});
          });
}

void JanusSession::create(std::function<void(const std::string&)> done) {
  json::Object m;
  m.set("janus", "create");
  post(base_, m, [this, done](JsonObject* r, const std::string& error) {
    JsonObject* data = r ? json::getObject(r, "data") : nullptr;
    if (!data) return done(error.empty() ? "create: no data" : error);
    session_ = static_cast<uint64_t>(json::getInt(data, "id").value_or(0));
    poll();
    done({});
  });
}

void JanusSession::attach(std::function<void(uint64_t, const std::string&)> done) {
  json::Object m;
  m.set("janus", "attach").set("plugin", "janus.plugin.videoroom");
  post(base_ + "/" + std::to_string(session_), m, [done](JsonObject* r, const std::string& error) {
    JsonObject* data = r ? json::getObject(r, "data") : nullptr;
    if (!data) return done(0, error.empty() ? "attach: no data" : error);
    done(static_cast<uint64_t>(json::getInt(data, "id").value_or(0)), {});
  });
}

void JanusSession::send(uint64_t handle, const char* verb, json::Object& fields, Reply reply) {
  fields.set("janus", verb);
  post(base_ + "/" + std::to_string(session_) + "/" + std::to_string(handle), fields,
       std::move(reply));
}

void JanusSession::poll() {
  std::string url = base_ + "/" + std::to_string(session_) + "?maxev=10";
  request(http_.get(), cancel_.get(), "GET", url, nullptr, alive_,
          [this](GBytes* body, const std::string& error) {
            if (!error.empty()) {
              g_printerr("carrel-loadgen: janus long poll: %s\n", error.c_str());
              return;
            }
            GObjectPtr<JsonParser> parser(json_parser_new());
            std::string t = text(body);
            if (json_parser_load_from_data(parser.get(), t.data(), static_cast<gssize>(t.size()),
                                           nullptr)) {
              JsonNode* root = json_parser_get_root(parser.get());
              if (root && JSON_NODE_HOLDS_ARRAY(root)) {
                JsonArray* a = json_node_get_array(root);
                for (guint i = 0; i < json_array_get_length(a); ++i) {
                  if (JsonObject* e = json_array_get_object_element(a, i)) dispatch(e);
                }
              } else if (root && JSON_NODE_HOLDS_OBJECT(root)) {
                dispatch(json_node_get_object(root));
              }
            }
            poll();
          });
}

void JanusSession::dispatch(JsonObject* event) {
  auto sender = json::getInt(event, "sender");
  if (!sender) return;  // keepalive
  auto it = handlers_.find(static_cast<uint64_t>(*sender));
  if (it != handlers_.end()) it->second(event);
}

}  // namespace carrel::bench
