// One asynchronous hiredis connection driven by the GLib main context, reconnecting on its
// own. A subscribed connection can only subscribe, so a Redis user holds two of these.
#pragma once

#include <glib.h>
#include <hiredis/async.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "GPtr.hpp"

namespace carrel {

class RedisConnection {
 public:
  // reply is nullptr when the command could not run (not connected, connection lost).
  using ReplyFn = std::function<void(redisReply* reply)>;
  // One pub/sub message: channel and payload.
  using MessageFn = std::function<void(const std::string& channel, const std::string& payload)>;

  RedisConnection(std::string host, int port, std::string name);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Starts connecting; retries every retryMs until it succeeds, and again after a loss.
  void start(guint retryMs = 500);
  bool connected() const { return connected_; }

  void command(const std::vector<std::string>& args, ReplyFn done = {});
  // Subscriptions survive reconnects: they are issued again on every connect.
  void subscribe(const std::string& channel, MessageFn onMessage);
  void psubscribe(const std::string& pattern, MessageFn onMessage);

  // Called after every successful (re)connect and after every loss.
  std::function<void()> onConnected;
  std::function<void()> onDisconnected;

  const std::string& name() const { return name_; }

 private:
  struct Pending;
  struct Subscription {
    RedisConnection* owner;
    std::string target;
    bool pattern;
    MessageFn onMessage;
  };

  void connectNow();
  void scheduleReconnect();
  void issueSubscription(Subscription* s);
  void dropContext();
  static void onConnect(const redisAsyncContext* ac, int status);
  static void onDisconnect(const redisAsyncContext* ac, int status);
  static void onReply(redisAsyncContext* ac, void* reply, void* privdata);
  static void onSubscriptionReply(redisAsyncContext* ac, void* reply, void* privdata);

  std::string host_;
  int port_;
  std::string name_;
  guint retryMs_ = 500;
  redisAsyncContext* ac_ = nullptr;
  GSource* source_ = nullptr;  // our poll source for ac_
  bool connected_ = false;
  bool stopping_ = false;
  TimeoutSource retry_;
  std::map<std::string, std::unique_ptr<Subscription>> subscriptions_;
  friend struct RedisSourceAccess;
};

}  // namespace carrel
