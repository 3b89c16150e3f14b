#include "HttpServer.hpp"

namespace carrel::control {

HttpServer::HttpServer(HttpFn healthz, HttpFn files, WebSocketFn websocket)
    : server_(static_cast<SoupServer*>(
          g_object_new(SOUP_TYPE_SERVER, "server-header", "carrel-control", nullptr))),
      healthz_(std::move(healthz)),
      files_(std::move(files)),
      websocket_(std::move(websocket)) {
  // Compression would let a small frame inflate past the frame limit before we can refuse it.
  soup_server_remove_websocket_extension(server_.get(), SOUP_TYPE_WEBSOCKET_EXTENSION_DEFLATE);
  soup_server_add_handler(
      server_.get(), "/healthz",
      [](SoupServer*, SoupServerMessage* msg, const char*, GHashTable*, gpointer self) {
        static_cast<HttpServer*>(self)->healthz_(msg);
      },
      this, nullptr);
  soup_server_add_handler(
      server_.get(), "/",
      [](SoupServer*, SoupServerMessage* msg, const char*, GHashTable*, gpointer self) {
        static_cast<HttpServer*>(self)->files_(msg);
      },
      this, nullptr);
  soup_server_add_websocket_handler(
      server_.get(), "/ws", nullptr, nullptr,
      [](SoupServer*, SoupServerMessage* msg, const char*, SoupWebsocketConnection* conn,
         gpointer self) { static_cast<HttpServer*>(self)->websocket_(msg, conn); },
      this, nullptr);
}

HttpServer::~HttpServer() {
  disconnect();
}

void HttpServer::disconnect() {
  if (server_) soup_server_disconnect(server_.get());
}

bool HttpServer::listen(const std::string& host, int port, std::string* error) {
  GObjectPtr<GSocketAddress> addr(
      g_inet_socket_address_new_from_string(host.c_str(), static_cast<guint>(port)));
  if (!addr) {
    if (error) *error = "not an IP address: " + host;
    return false;
  }
  GError* raw = nullptr;
  if (!soup_server_listen(server_.get(), addr.get(), static_cast<SoupServerListenOptions>(0),
                          &raw)) {
    GErrorPtr err(raw);
    if (error) *error = err ? err->message : "listen failed";
    return false;
  }
  GSList* uris = soup_server_get_uris(server_.get());
  if (uris) port_ = g_uri_get_port(static_cast<GUri*>(uris->data));
  g_slist_free_full(uris, reinterpret_cast<GDestroyNotify>(g_uri_unref));
  return port_ > 0;
}

}  // namespace carrel::control
