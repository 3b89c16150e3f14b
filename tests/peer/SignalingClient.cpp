#include "SignalingClient.hpp"

namespace carrel::peer {

// Frames up to the protocol's 256 KiB limit must arrive whole (libsoup's default is 128 KiB).
static constexpr guint64 kMaxFrameBytes = 256 * 1024;

SignalingClient::SignalingClient(Handlers handlers)
    : handlers_(std::move(handlers)),
      session_(soup_session_new()),
      cancellable_(g_cancellable_new()) {}

SignalingClient::~SignalingClient() {
  g_cancellable_cancel(cancellable_.get());
  if (conn_) {
    g_signal_handlers_disconnect_by_data(conn_.get(), this);
    if (soup_websocket_connection_get_state(conn_.get()) == SOUP_WEBSOCKET_STATE_OPEN) {
      soup_websocket_connection_close(conn_.get(), SOUP_WEBSOCKET_CLOSE_NORMAL, nullptr);
    }
  }
}

void SignalingClient::connect(const std::string& url) {
  GObjectPtr<SoupMessage> msg(soup_message_new(SOUP_METHOD_GET, url.c_str()));
  if (!msg) {
    handlers_.connectFailed("invalid URL " + url);
    return;
  }
  soup_session_websocket_connect_async(session_.get(), msg.get(), nullptr, nullptr,
                                       G_PRIORITY_DEFAULT, cancellable_.get(), &onConnected, this);
}

void SignalingClient::onConnected(GObject* source, GAsyncResult* result, gpointer data) {
  GError* raw = nullptr;
  SoupWebsocketConnection* conn =
      soup_session_websocket_connect_finish(SOUP_SESSION(source), result, &raw);
  GErrorPtr err(raw);
  // A cancelled connect means the client is gone: touch nothing.
  if (err && g_error_matches(err.get(), G_IO_ERROR, G_IO_ERROR_CANCELLED)) return;
  auto* self = static_cast<SignalingClient*>(data);
  if (!conn) {
    self->handlers_.connectFailed(err ? err->message : "WebSocket connect failed");
    return;
  }
  // A reconnect: the old socket is closed; it reports nothing more.
  if (self->conn_) g_signal_handlers_disconnect_by_data(self->conn_.get(), self);
  self->closedReported_ = false;
  self->conn_.reset(conn);
  soup_websocket_connection_set_max_incoming_payload_size(conn, kMaxFrameBytes);
  soup_websocket_connection_set_keepalive_interval(conn, 0);
  g_signal_connect(conn, "message", G_CALLBACK(&onMessage), self);
  g_signal_connect(conn, "closed", G_CALLBACK(&onClosed), self);
  g_signal_connect(conn, "error", G_CALLBACK(&onError), self);
  self->handlers_.connected();
}

void SignalingClient::onMessage(SoupWebsocketConnection*, gint type, GBytes* message,
                                gpointer data) {
  auto* self = static_cast<SignalingClient*>(data);
  if (type != SOUP_WEBSOCKET_DATA_TEXT) {
    g_printerr("carrel-peer: ignoring a binary frame\n");
    return;
  }
  gsize size = 0;
  auto* bytes = static_cast<const char*>(g_bytes_get_data(message, &size));
  self->handlers_.message(std::string(bytes ? bytes : "", size));
}

void SignalingClient::onClosed(SoupWebsocketConnection* conn, gpointer data) {
  auto* self = static_cast<SignalingClient*>(data);
  if (self->closedReported_) return;
  self->closedReported_ = true;
  const char* reason = soup_websocket_connection_get_close_data(conn);
  self->handlers_.closed(soup_websocket_connection_get_close_code(conn), reason ? reason : "");
}

void SignalingClient::onError(SoupWebsocketConnection*, GError* error, gpointer) {
  g_printerr("carrel-peer: WebSocket error: %s\n", error ? error->message : "?");
}

bool SignalingClient::open() const {
  return conn_ && soup_websocket_connection_get_state(conn_.get()) == SOUP_WEBSOCKET_STATE_OPEN;
}

bool SignalingClient::send(const std::string& text) {
  if (!open()) return false;
  soup_websocket_connection_send_text(conn_.get(), text.c_str());
  return true;
}

void SignalingClient::close() {
  if (open()) soup_websocket_connection_close(conn_.get(), SOUP_WEBSOCKET_CLOSE_NORMAL, nullptr);
}

}  // namespace carrel::peer
