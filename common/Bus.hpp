// A node on the control <-> SFU bus: sends requests and waits for their responses (with a
// timeout), answers requests through a table of handlers, and emits and receives events.
// Everything runs on the thread-default GLib main context.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "BusProtocol.hpp"
#include "RedisConnection.hpp"

namespace carrel {

class Bus;

// Answers one request exactly once; an unanswered Responder answers "internal" when dropped.
class BusResponder {
 public:
  BusResponder(std::weak_ptr<Bus*> bus, std::string id, std::string replyTo);
  // Not copyable (std::function needs copies): hold it in a shared_ptr to answer later.
  BusResponder(BusResponder&& o) noexcept
      : bus_(std::move(o.bus_)),
        id_(std::move(o.id_)),
        replyTo_(std::move(o.replyTo_)),
        done_(o.done_) {
    o.done_ = true;
  }
  BusResponder& operator=(BusResponder&&) = delete;
  BusResponder(const BusResponder&) = delete;
  ~BusResponder();
  void ok(JsonObjectPtr data = {});
  void fail(const std::string& code, const std::string& message);

 private:
  std::weak_ptr<Bus*> bus_;
  std::string id_;
  std::string replyTo_;
  bool done_ = false;
};

class Bus {
 public:
  using Handler = std::function<void(const bus::Request&, BusResponder)>;
  using ResponseFn = std::function<void(const bus::Response&)>;
  using EventFn = std::function<void(const bus::Event&)>;

  // pub sends commands; sub is given over to this node's channel subscription.
  Bus(RedisConnection& pub, RedisConnection& sub, std::string nodeId);
  ~Bus();

  const std::string& nodeId() const { return nodeId_; }

  void handle(const std::string& method, Handler h) { handlers_[method] = std::move(h); }
  void onEvent(EventFn h) { onEvent_ = std::move(h); }

  // done always runs once: with the response, or with error "timeout"/"unavailable".
  void request(const std::string& targetNode, const std::string& method, JsonObjectPtr data,
               ResponseFn done, guint timeoutMs = 5000);
  void emit(const std::string& targetNode, const std::string& event, JsonObjectPtr data);

 private:
  friend class BusResponder;
  struct Pending {
    ResponseFn done;
    guint timer = 0;
  };
  void send(const std::string& targetNode, std::string text);
  void onMessage(const std::string& payload);
  void finish(const std::string& id, const bus::Response& r);

  RedisConnection& pub_;
  RedisConnection& sub_;
  std::string nodeId_;
  std::map<std::string, Handler> handlers_;
  EventFn onEvent_;
  std::map<std::string, Pending> pending_;
  std::shared_ptr<Bus*> self_;
};

}  // namespace carrel
