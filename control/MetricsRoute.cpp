#include "MetricsRoute.hpp"

#include "ClusterMetrics.hpp"

namespace carrel::control {

namespace {

constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

struct MessageUnref {
  void operator()(SoupServerMessage* m) const { g_object_unref(m); }
};

void respond(SoupServerMessage* msg, guint status, const char* type, const std::string& body) {
  soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Cache-Control",
                               "no-cache");
  soup_server_message_set_status(msg, status, nullptr);
  soup_server_message_set_response(msg, type, SOUP_MEMORY_COPY, body.data(), body.size());
}

}  // namespace

void MetricsRoute::install(SoupServer* server) {
  soup_server_add_handler(
      server, "/metrics",
      [](SoupServer*, SoupServerMessage* msg, const char* path, GHashTable*, gpointer self) {
        if (g_strcmp0(path, "/metrics") != 0) {
          respond(msg, SOUP_STATUS_NOT_FOUND, "text/plain", "not found\n");
          return;
        }
        if (soup_server_message_get_method(msg) != SOUP_METHOD_GET &&
            soup_server_message_get_method(msg) != SOUP_METHOD_HEAD) {
          respond(msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "text/plain", "use GET\n");
          return;
        }
        static_cast<MetricsRoute*>(self)->serve(msg);
      },
      this, nullptr);
}

void MetricsRoute::serve(SoupServerMessage* msg) {
  std::shared_ptr<SoupServerMessage> held(static_cast<SoupServerMessage*>(g_object_ref(msg)),
                                          MessageUnref());
  soup_server_message_pause(msg);
  std::weak_ptr<int> alive = alive_;
  auto fail = [held](const char* why) {
    respond(held.get(), SOUP_STATUS_SERVICE_UNAVAILABLE, "text/plain", why);
    soup_server_message_unpause(held.get());
  };
  store_.sfuNodes([this, alive, held, fail](std::optional<std::vector<SfuNodeStatus>> nodes) {
    if (!alive.lock()) return;
    if (!nodes) {
      fail("redis unavailable\n");
      return;
    }
    store_.reports([alive, held, fail, nodes](std::optional<std::vector<StoredStats>> reports) {
      if (!alive.lock()) return;
      if (!reports) {
        fail("redis unavailable\n");
        return;
      }
      respond(held.get(), SOUP_STATUS_OK, kContentType,
              ClusterMetrics::render(std::move(*nodes), std::move(*reports)));
      soup_server_message_unpause(held.get());
    });
  });
}

}  // namespace carrel::control
