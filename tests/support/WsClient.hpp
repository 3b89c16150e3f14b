// A WebSocket test client for GoogleTest: libsoup 3 on its own GMainContext in its own thread,
// with a blocking API. Every received frame is kept; waitFor() returns the first one not yet
// taken that matches, so a test can wait for messages in any order.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "Json.hpp"

typedef struct _GMainContext GMainContext;
typedef struct _GMainLoop GMainLoop;
typedef struct _SoupSession SoupSession;
typedef struct _SoupWebsocketConnection SoupWebsocketConnection;

namespace carrel::test {

class WsClient {
 public:
  using Ms = std::chrono::milliseconds;
  using Pred = std::function<bool(JsonObject*)>;

  WsClient();
  ~WsClient();
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  // ws://host:port/path (http:// works too). False, and why in *error, when it fails.
  bool connect(const std::string& url, Ms timeout = Ms(5000), std::string* error = nullptr);
  void send(const std::string& text);
  void send(const json::Object& msg) { send(msg.str()); }
  void sendBinary(const std::string& bytes);
  // Sends a text frame whose bytes need not be UTF-8 (for testing the server's checks).
  void sendRawText(const std::string& bytes);

  // The first received, not yet taken JSON object matching pred; null on timeout.
  JsonObjectPtr waitFor(const Pred& pred, Ms timeout = Ms(5000));
  JsonObjectPtr waitForType(const std::string& type, Ms timeout = Ms(5000));
  // An "error" with this code (and, if given, this ref).
  JsonObjectPtr waitForError(const std::string& code, const std::string& ref = "",
                             Ms timeout = Ms(5000));
  // True when nothing matching arrives (taken or not) within the time.
  bool noneWithin(const Pred& pred, Ms duration);
  std::vector<std::string> received();

  bool isOpen();
  bool waitClosed(Ms timeout = Ms(5000));
  int closeCode();  // 0 until closed; 1006-like libsoup values when closed without a frame
  void close(unsigned short code = 1000);

  // Sends hello and waits for welcome; returns the participant id ("" on failure).
  std::string hello(const std::string& name, Ms timeout = Ms(5000));

 private:
  struct Entry {
    std::string text;
    bool taken = false;
  };
  void runInLoop(std::function<void()> fn, bool wait);
  static void onMessage(SoupWebsocketConnection* c, int type, struct _GBytes* msg, void* self);
  static void onClosed(SoupWebsocketConnection* c, void* self);

  GMainContext* ctx_ = nullptr;
  GMainLoop* loop_ = nullptr;
  std::thread thread_;
  SoupSession* session_ = nullptr;           // touched only on the loop thread
  SoupWebsocketConnection* conn_ = nullptr;  // touched only on the loop thread
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Entry> entries_;
  bool connected_ = false;
  bool closed_ = false;
  int closeCode_ = 0;
};

}  // namespace carrel::test
