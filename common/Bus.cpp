#include "Bus.hpp"

namespace carrel {

BusResponder::BusResponder(std::weak_ptr<Bus*> bus, std::string id, std::string replyTo)
    : bus_(std::move(bus)), id_(std::move(id)), replyTo_(std::move(replyTo)) {}

BusResponder::~BusResponder() {
  if (!done_ && !id_.empty()) fail(bus::error::Internal, "request was dropped unanswered");
}

void BusResponder::ok(JsonObjectPtr data) {
  if (done_) return;
  done_ = true;
  auto b = bus_.lock();
  if (!b) return;
  bus::Response r;
  r.id = id_;
  r.from = (*b)->nodeId_;
  r.ok = true;
  r.data = std::move(data);
  (*b)->send(replyTo_, bus::encode(r));
}

void BusResponder::fail(const std::string& code, const std::string& message) {
  if (done_) return;
  done_ = true;
  auto b = bus_.lock();
  if (!b) return;
  bus::Response r;
  r.id = id_;
  r.from = (*b)->nodeId_;
  r.ok = false;
  r.error = {code, message};
  (*b)->send(replyTo_, bus::encode(r));
}

Bus::Bus(RedisConnection& pub, RedisConnection& sub, std::string nodeId)
    : pub_(pub), sub_(sub), nodeId_(std::move(nodeId)), self_(std::make_shared<Bus*>(this)) {
  sub_.subscribe(bus::channelFor(nodeId_),
                 [this](const std::string&, const std::string& payload) { onMessage(payload); });
}

Bus::~Bus() {
  self_.reset();
  for (auto& [id, p] : pending_) {
    if (p.timer) g_source_remove(p.timer);
  }
}

void Bus::send(const std::string& targetNode, std::string text) {
  pub_.command({"PUBLISH", bus::channelFor(targetNode), std::move(text)});
}

void Bus::emit(const std::string& targetNode, const std::string& event, JsonObjectPtr data) {
  bus::Event e{event, nodeId_, std::move(data)};
  send(targetNode, bus::encode(e));
}

void Bus::request(const std::string& targetNode, const std::string& method, JsonObjectPtr data,
                  ResponseFn done, guint timeoutMs) {
  bus::Request r{bus::newId(), method, nodeId_, std::move(data)};
  std::string id = r.id;
  auto& p = pending_[id];
  p.done = std::move(done);
  struct TimerData {
    std::weak_ptr<Bus*> bus;
    std::string id;
  };
  auto* td = new TimerData{self_, id};
  p.timer = g_timeout_add_full(
      G_PRIORITY_DEFAULT, timeoutMs,
      [](gpointer d) -> gboolean {
        auto* t = static_cast<TimerData*>(d);
        if (auto b = t->bus.lock()) {
          Bus* bus = *b;
          auto it = bus->pending_.find(t->id);
          if (it != bus->pending_.end()) {
            it->second.timer = 0;
            bus::Response r;
            r.id = t->id;
            r.ok = false;
            r.error = {bus::error::Timeout, "no response from the media node in time"};
            bus->finish(t->id, r);
          }
        }
        return G_SOURCE_REMOVE;
      },
      td, [](gpointer d) { delete static_cast<TimerData*>(d); });
  std::string text = bus::encode(r);
  std::weak_ptr<Bus*> weak = self_;
  pub_.command({"PUBLISH", bus::channelFor(targetNode), std::move(text)},
               [weak, id](redisReply* reply) {
                 auto b = weak.lock();
                 if (!b) return;
                 // PUBLISH answers how many subscribers got it: 0 means the node is gone.
                 bool delivered = reply && reply->type == REDIS_REPLY_INTEGER && reply->integer > 0;
                 if (delivered) return;
                 bus::Response r;
                 r.id = id;
                 r.ok = false;
                 r.error = {bus::error::Unavailable,
                            reply ? "no node listens on that channel" : "redis is not reachable"};
                 (*b)->finish(id, r);
               });
}

void Bus::finish(const std::string& id, const bus::Response& r) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  Pending p = std::move(it->second);
  pending_.erase(it);
  if (p.timer) g_source_remove(p.timer);
  if (p.done) p.done(r);
}

void Bus::onMessage(const std::string& payload) {
  bus::EnvelopeInfo info;
  auto decoded = bus::decode(payload, &info);
  if (auto* err = std::get_if<bus::Error>(&decoded)) {
    g_warning("bus %s: dropped a bad message from '%s': %s: %s", nodeId_.c_str(), info.from.c_str(),
              err->code.c_str(), err->message.c_str());
    if (info.kind == "request" && !info.id.empty() && !info.from.empty()) {
      BusResponder(self_, info.id, info.from).fail(err->code, err->message);
    }
    return;
  }
  auto& msg = std::get<bus::Message>(decoded);
  if (auto* req = std::get_if<bus::Request>(&msg)) {
    BusResponder responder(self_, req->id, req->from);
    auto h = handlers_.find(req->method);
    if (h == handlers_.end()) {
      responder.fail(bus::error::UnknownMethod, "this node does not handle " + req->method);
      return;
    }
    h->second(*req, std::move(responder));
  } else if (auto* resp = std::get_if<bus::Response>(&msg)) {
    finish(resp->id, *resp);
  } else if (auto* ev = std::get_if<bus::Event>(&msg)) {
    if (onEvent_) onEvent_(*ev);
  }
}

}  // namespace carrel
