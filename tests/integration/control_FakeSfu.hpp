// A scripted SFU node for the control tests that a real carrel-sfu cannot be made to do on
// demand: answer late (timeouts), fail with a chosen bus error, report a peer as failed, or
// emit track/offer events at a chosen moment. It is a real bus node (common/Bus on a real
// Redis), registered like carrel-sfu, running on its own GLib context in its own thread (it
// only answers and emits, so none of Bus' request timers, which use the default context, run).
#pragma once

#include <glib.h>

#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "Bus.hpp"
#include "Json.hpp"
#include "RedisConnection.hpp"

namespace carrel::test {

class FakeSfu {
 public:
  struct Peer {
    std::string room, peer, controlNode;
  };

  FakeSfu(int redisPort, std::string nodeId, int load) : id_(std::move(nodeId)) {
    ctx_ = g_main_context_new();
    loop_ = g_main_loop_new(ctx_, FALSE);
    std::promise<void> ready;
    auto started = ready.get_future();
    thread_ = std::thread([this, redisPort, load, &ready] {
      g_main_context_push_thread_default(ctx_);
      pub_ = std::make_unique<RedisConnection>("127.0.0.1", redisPort, id_ + "-pub");
      sub_ = std::make_unique<RedisConnection>("127.0.0.1", redisPort, id_ + "-sub");
      bus_ = std::make_unique<Bus>(*pub_, *sub_, id_);
      install();
      bool signalled = false;
      auto maybe = [this, load, &ready, &signalled] {
        if (signalled || !pub_->connected() || !sub_->connected()) return;
        signalled = true;
        pub_->command({"SADD", "carrel:sfu:nodes", id_});
        pub_->command(
            {"SET", "carrel:sfu:node:" + id_,
             "{\"node\":\"" + id_ + "\",\"load\":" + std::to_string(load) + "}", "PX", "60000"},
            [&ready](redisReply*) { ready.set_value(); });
      };
      pub_->onConnected = maybe;
      sub_->onConnected = maybe;
      pub_->start();
      sub_->start();
      g_main_loop_run(loop_);
      held_.clear();
      bus_.reset();
      sub_.reset();
      pub_.reset();
      g_main_context_pop_thread_default(ctx_);
    });
    started.wait_for(std::chrono::seconds(10));
  }

  ~FakeSfu() {
    run([this] { g_main_loop_quit(loop_); });
    thread_.join();
    g_main_loop_unref(loop_);
    g_main_context_unref(ctx_);
  }

  const std::string& id() const { return id_; }

  // The SFU's "node is alive" key expires now, as when the process dies. Returns once Redis
  // has deleted it: a join sent right after must not find the node alive (a CI failure).
  void expire() {
    auto deleted = std::make_shared<std::promise<void>>();
    auto done = deleted->get_future();
    run([this, deleted] {
      pub_->command({"DEL", "carrel:sfu:node:" + id_},
                    [deleted](redisReply*) { deleted->set_value(); });
    });
    done.wait_for(std::chrono::seconds(10));
  }

  // The first peer added with this id (waits for it).
  Peer waitPeer(const std::string& peer,
                std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::unique_lock lk(mu_);
    cv_.wait_for(lk, timeout, [&] { return peers_.count(peer) != 0; });
    auto it = peers_.find(peer);
    return it == peers_.end() ? Peer{} : it->second;
  }
  std::vector<std::string> methods() {
    std::lock_guard lk(mu_);
    return methods_;
  }

  // Emits an event to the control node that added the peer; data gets room and peer.
  void emit(const std::string& peer, const std::string& event, const std::string& extraJson) {
    Peer p = waitPeer(peer);
    run([this, p, event, extraJson] {
      JsonObjectPtr d = json::parseObject(extraJson, nullptr);
      if (!d) d.reset(json_object_new());
      json_object_set_string_member(d.get(), "room", p.room.c_str());
      json_object_set_string_member(d.get(), "peer", p.peer.c_str());
      bus_->emit(p.controlNode, event, std::move(d));
    });
  }

 private:
  void run(std::function<void()> fn) {
    auto* f = new std::function<void()>(std::move(fn));
    g_main_context_invoke_full(
        ctx_, G_PRIORITY_DEFAULT,
        [](gpointer d) -> gboolean {
          (*static_cast<std::function<void()>*>(d))();
          return G_SOURCE_REMOVE;
        },
        f, [](gpointer d) { delete static_cast<std::function<void()>*>(d); });
  }

  void record(const bus::Request& r) {
    std::lock_guard lk(mu_);
    methods_.push_back(r.method);
  }

  void install() {
    bus_->handle(bus::method::PeerAdd, [this](const bus::Request& r, BusResponder resp) {
      record(r);
      {
        std::lock_guard lk(mu_);
        std::string peer = *json::getString(r.data.get(), "peer");
        peers_.emplace(peer, Peer{*json::getString(r.data.get(), "room"), peer, r.from});
        cv_.notify_all();
      }
      resp.ok();
    });
    bus_->handle(bus::method::PeerRemove, [this](const bus::Request& r, BusResponder resp) {
      record(r);
      resp.ok();
    });
    // The offer's text scripts the answer: "timeout" never answers, "fail:<code>" fails.
    bus_->handle(bus::method::PublishOffer, [this](const bus::Request& r, BusResponder resp) {
      record(r);
      std::string sdp = *json::getString(r.data.get(), "sdp");
      if (sdp == "timeout") {
        held_.push_back(std::make_shared<BusResponder>(std::move(resp)));
      } else if (sdp.rfind("fail:", 0) == 0) {
        resp.fail(sdp.substr(5), "scripted failure");
      } else {
        json::Object a;
        a.set("sdp", "v=0 answer to " + sdp);
        resp.ok(a.take());
      }
    });
    bus_->handle(bus::method::SubscribeAnswer, [this](const bus::Request& r, BusResponder resp) {
      record(r);
      resp.fail(bus::error::WrongState, "no subscribe offer is waiting for an answer");
    });
    bus_->handle(bus::method::Candidate, [this](const bus::Request& r, BusResponder resp) {
      record(r);
      std::string c = *json::getString(r.data.get(), "candidate");
      if (c == "garbage") {
        resp.fail(bus::error::BadCandidate, "cannot parse the candidate");
      } else {
        resp.ok();
      }
    });
  }

  std::string id_;
  GMainContext* ctx_ = nullptr;
  GMainLoop* loop_ = nullptr;
  std::thread thread_;
  std::unique_ptr<RedisConnection> pub_, sub_;
  std::unique_ptr<Bus> bus_;
  std::vector<std::shared_ptr<BusResponder>> held_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Peer> peers_;
  std::vector<std::string> methods_;
};

}  // namespace carrel::test
