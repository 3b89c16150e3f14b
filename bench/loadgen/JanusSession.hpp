// A Janus session over its HTTP transport (the REST-ish API of Janus 1.x): create, attach
// plugin handles, send requests with a transaction, and a long poll that hands each
// asynchronous event to the handle it names. One SoupSession per Janus session, like one
// browser tab. Main thread only.
#pragma once

#include <libsoup/soup.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "GPtr.hpp"
#include "Json.hpp"

namespace carrel::bench {

class JanusSession {
 public:
  // reply is nullptr on a transport failure, with the reason in error.
  using Reply = std::function<void(JsonObject* reply, const std::string& error)>;
  using EventHandler = std::function<void(JsonObject* event)>;

  explicit JanusSession(std::string baseUrl);
  ~JanusSession();
  JanusSession(const JanusSession&) = delete;
  JanusSession& operator=(const JanusSession&) = delete;

  void create(std::function<void(const std::string& error)> done);
  void attach(std::function<void(uint64_t handle, const std::string& error)> done);
  void onEvent(uint64_t handle, EventHandler h) { handlers_[handle] = std::move(h); }
  // Sends {"janus": verb, ...fields} to a handle (a transaction is added).
  void send(uint64_t handle, const char* verb, json::Object& fields, Reply reply);

 private:
  void post(const std::string& url, json::Object& body, Reply reply);
  void poll();
  void dispatch(JsonObject* event);

  std::string base_;
  uint64_t session_ = 0;
  uint64_t nextTransaction_ = 1;
  GObjectPtr<SoupSession> http_;
  GObjectPtr<GCancellable> cancel_;
  std::map<uint64_t, EventHandler> handlers_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace carrel::bench
