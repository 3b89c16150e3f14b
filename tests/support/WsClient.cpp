#include "WsClient.hpp"

#include <libsoup/soup.h>

#include <future>

namespace carrel::test {

WsClient::WsClient() {
  ctx_ = g_main_context_new();
  loop_ = g_main_loop_new(ctx_, FALSE);
  thread_ = std::thread([this] {
    g_main_context_push_thread_default(ctx_);
    g_main_loop_run(loop_);
    g_main_context_pop_thread_default(ctx_);
  });
}

WsClient::~WsClient() {
  runInLoop(
      [this] {
        if (conn_) {
          g_signal_handlers_disconnect_by_data(conn_, this);
          if (soup_websocket_connection_get_state(conn_) == SOUP_WEBSOCKET_STATE_OPEN) {
            soup_websocket_connection_close(conn_, SOUP_WEBSOCKET_CLOSE_NORMAL, nullptr);
          }
          g_object_unref(conn_);
          conn_ = nullptr;
        }
        if (session_) {
          g_object_unref(session_);
          session_ = nullptr;
        }
      },
      true);
  // A moment for the close frame to leave before the loop stops.
  std::this_thread::sleep_for(Ms(20));
  runInLoop([this] { g_main_loop_quit(loop_); }, false);
  thread_.join();
  g_main_loop_unref(loop_);
  g_main_context_unref(ctx_);
}

void WsClient::runInLoop(std::function<void()> fn, bool wait) {
  struct Call {
    std::function<void()> fn;
    std::promise<void> done;
  };
  auto* call = new Call{std::move(fn), {}};
  std::future<void> f = call->done.get_future();
  g_main_context_invoke_full(
      ctx_, G_PRIORITY_DEFAULT,
      [](gpointer d) -> gboolean {
        auto* c = static_cast<Call*>(d);
        c->fn();
        c->done.set_value();
        return G_SOURCE_REMOVE;
      },
      call, [](gpointer d) { delete static_cast<Call*>(d); });
  if (wait) f.wait();
}

void WsClient::onMessage(SoupWebsocketConnection*, int, GBytes* msg, void* self) {
  auto* me = static_cast<WsClient*>(self);
  gsize n = 0;
  const char* data = static_cast<const char*>(g_bytes_get_data(msg, &n));
  std::lock_guard lk(me->mu_);
  me->entries_.push_back({std::string(data ? data : "", n), false});
  me->cv_.notify_all();
}

void WsClient::onClosed(SoupWebsocketConnection* c, void* self) {
  auto* me = static_cast<WsClient*>(self);
  std::lock_guard lk(me->mu_);
  me->closed_ = true;
  me->closeCode_ = soup_websocket_connection_get_close_code(c);
  if (me->closeCode_ == 0) me->closeCode_ = 1006;  // closed without a close frame
  me->cv_.notify_all();
}

bool WsClient::connect(const std::string& urlIn, Ms timeout, std::string* error) {
  std::string url = urlIn;
  if (url.rfind("ws://", 0) == 0) url = "http://" + url.substr(5);
  struct Result {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    std::string error;
  };
  auto result = std::make_shared<Result>();
  runInLoop(
      [this, url, result] {
        session_ = soup_session_new();
        SoupMessage* msg = soup_message_new("GET", url.c_str());
        if (!msg) {
          std::lock_guard lk(result->mu);
          result->done = true;
          result->error = "bad url " + url;
          result->cv.notify_all();
          return;
        }
        struct Ctx {
          WsClient* self;
          std::shared_ptr<Result> result;
        };
        soup_session_websocket_connect_async(
            session_, msg, nullptr, nullptr, G_PRIORITY_DEFAULT, nullptr,
            [](GObject* src, GAsyncResult* res, gpointer d) {
              std::unique_ptr<Ctx> ctx(static_cast<Ctx*>(d));
              GError* err = nullptr;
              SoupWebsocketConnection* c =
                  soup_session_websocket_connect_finish(SOUP_SESSION(src), res, &err);
              std::lock_guard lk(ctx->result->mu);
              if (c) {
                WsClient* me = ctx->self;
                me->conn_ = c;
                soup_websocket_connection_set_max_incoming_payload_size(c, 64 * 1024 * 1024);
                g_signal_connect(c, "message", G_CALLBACK(&WsClient::onMessage), me);
                g_signal_connect(c, "closed", G_CALLBACK(&WsClient::onClosed), me);
                std::lock_guard lk2(me->mu_);
                me->connected_ = true;
              } else {
                ctx->result->error = err ? err->message : "connect failed";
              }
              if (err) g_error_free(err);
              ctx->result->done = true;
              ctx->result->cv.notify_all();
            },
            new Ctx{this, result});
        g_object_unref(msg);
      },
      true);
  std::unique_lock lk(result->mu);
  bool done = result->cv.wait_for(lk, timeout, [&] { return result->done; });
  if (!done) {
    if (error) *error = "timed out connecting to " + urlIn;
    return false;
  }
  if (!result->error.empty()) {
    if (error) *error = result->error;
    return false;
  }
  return true;
}

void WsClient::send(const std::string& text) {
  runInLoop(
      [this, text] {
        if (conn_ && soup_websocket_connection_get_state(conn_) == SOUP_WEBSOCKET_STATE_OPEN) {
          soup_websocket_connection_send_text(conn_, text.c_str());
        }
      },
      true);
}

void WsClient::sendRawText(const std::string& bytes) {
  runInLoop(
      [this, bytes] {
        if (conn_ && soup_websocket_connection_get_state(conn_) == SOUP_WEBSOCKET_STATE_OPEN) {
          GBytes* b = g_bytes_new(bytes.data(), bytes.size());
          soup_websocket_connection_send_message(conn_, SOUP_WEBSOCKET_DATA_TEXT, b);
          g_bytes_unref(b);
        }
      },
      true);
}

void WsClient::sendBinary(const std::string& bytes) {
  runInLoop(
      [this, bytes] {
        if (conn_ && soup_websocket_connection_get_state(conn_) == SOUP_WEBSOCKET_STATE_OPEN) {
          soup_websocket_connection_send_binary(conn_, bytes.data(), bytes.size());
        }
      },
      true);
}

JsonObjectPtr WsClient::waitFor(const Pred& pred, Ms timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lk(mu_);
  size_t seen = 0;
  for (;;) {
    for (; seen < entries_.size(); ++seen) {
      Entry& e = entries_[seen];
      if (e.taken) continue;
      JsonObjectPtr o = json::parseObject(e.text, nullptr);
      if (o && pred(o.get())) {
        e.taken = true;
        return o;
      }
    }
    if (cv_.wait_until(lk, deadline) == std::cv_status::timeout && seen == entries_.size()) {
      return nullptr;
    }
  }
}

JsonObjectPtr WsClient::waitForType(const std::string& type, Ms timeout) {
  return waitFor([&](JsonObject* o) { return json::getString(o, "type").value_or("") == type; },
                 timeout);
}

JsonObjectPtr WsClient::waitForError(const std::string& code, const std::string& ref, Ms timeout) {
  return waitFor(
      [&](JsonObject* o) {
        return json::getString(o, "type").value_or("") == "error" &&
               json::getString(o, "code").value_or("") == code &&
               (ref.empty() || json::getString(o, "ref").value_or("") == ref);
      },
      timeout);
}

bool WsClient::noneWithin(const Pred& pred, Ms duration) {
  std::this_thread::sleep_for(duration);
  std::lock_guard lk(mu_);
  for (const auto& e : entries_) {
    JsonObjectPtr o = json::parseObject(e.text, nullptr);
    if (o && pred(o.get())) return false;
  }
  return true;
}

std::vector<std::string> WsClient::received() {
  std::lock_guard lk(mu_);
  std::vector<std::string> out;
  for (const auto& e : entries_) out.push_back(e.text);
  return out;
}

bool WsClient::isOpen() {
  std::lock_guard lk(mu_);
  return connected_ && !closed_;
}

bool WsClient::waitClosed(Ms timeout) {
  std::unique_lock lk(mu_);
  return cv_.wait_for(lk, timeout, [&] { return closed_; });
}

int WsClient::closeCode() {
  std::lock_guard lk(mu_);
  return closeCode_;
}

void WsClient::close(unsigned short code) {
  runInLoop(
      [this, code] {
        if (conn_ && soup_websocket_connection_get_state(conn_) == SOUP_WEBSOCKET_STATE_OPEN) {
          soup_websocket_connection_close(conn_, code, nullptr);
        }
      },
      true);
}

std::string WsClient::hello(const std::string& name, Ms timeout) {
  json::Object h;
  h.set("type", "hello").set("name", name);
  send(h);
  JsonObjectPtr w = waitForType("welcome", timeout);
  return w ? json::getString(w.get(), "participant").value_or("") : "";
}

}  // namespace carrel::test
