// The client WebSocket to carrel-control's /ws (libsoup 3). Main context only: libsoup is
// single-threaded, so other threads go through postToMain (common/gst/MainContext.hpp).
#pragma once

#include <libsoup/soup.h>

#include <functional>
#include <string>

#include "GPtr.hpp"

namespace carrel::peer {

class SignalingClient {
 public:
  struct Handlers {
    std::function<void()> connected;
    std::function<void(const std::string& error)> connectFailed;
    // One text frame, as received.
    std::function<void(const std::string& text)> message;
    // The socket closed (by either side); code is the close code (0 if none).
    std::function<void(int code, const std::string& reason)> closed;
  };

  explicit SignalingClient(Handlers handlers);
  ~SignalingClient();
  SignalingClient(const SignalingClient&) = delete;
  SignalingClient& operator=(const SignalingClient&) = delete;

  void connect(const std::string& url);
  bool open() const;
  // Returns false (and sends nothing) when the socket is not open.
  bool send(const std::string& text);
  void close();

 private:
  static void onConnected(GObject* source, GAsyncResult* result, gpointer self);
  static void onMessage(SoupWebsocketConnection*, gint type, GBytes* message, gpointer self);
  static void onClosed(SoupWebsocketConnection* conn, gpointer self);
  static void onError(SoupWebsocketConnection*, GError* error, gpointer self);

  Handlers handlers_;
  GObjectPtr<SoupSession> session_;
  GObjectPtr<GCancellable> cancellable_;
  GObjectPtr<SoupWebsocketConnection> conn_;
  bool closedReported_ = false;
};

}  // namespace carrel::peer
