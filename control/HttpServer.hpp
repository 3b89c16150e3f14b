// The libsoup 3 server: /healthz, /ws (WebSocket upgrade) and static files for everything else.
// It only routes; what each route does is given as callbacks.
#pragma once

#include <libsoup/soup.h>

#include <functional>
#include <string>

#include "GPtr.hpp"

namespace carrel::control {

class HttpServer {
 public:
  using HttpFn = std::function<void(SoupServerMessage* msg)>;
  using WebSocketFn = std::function<void(SoupServerMessage* msg, SoupWebsocketConnection* conn)>;

  HttpServer(HttpFn healthz, HttpFn files, WebSocketFn websocket);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Listens on host:port (port 0 picks a free one); false and *error on failure.
  bool listen(const std::string& host, int port, std::string* error);
  int port() const { return port_; }
  // For routes added by other parts (the REST API); handlers must outlive the server.
  SoupServer* soup() const { return server_.get(); }
  void disconnect();

 private:
  GObjectPtr<SoupServer> server_;
  HttpFn healthz_;
  HttpFn files_;
  WebSocketFn websocket_;
  int port_ = 0;
};

}  // namespace carrel::control
