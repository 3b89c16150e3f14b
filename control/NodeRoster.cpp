#include "NodeRoster.hpp"

#include <hiredis/hiredis.h>

#include "Json.hpp"

namespace carrel::control {

namespace {

constexpr const char* kNodesKey = "carrel:ctl:nodes";

std::string aliveKey(const std::string& node) {
  return "carrel:ctl:alive:" + node;
}

// Runs fn every ms on the main context while the returned id's source lives.
guint every(guint ms, std::weak_ptr<int> alive, std::function<void()> fn) {
  struct Tick {
    std::weak_ptr<int> alive;
    std::function<void()> fn;
  };
  return g_timeout_add_full(
      G_PRIORITY_DEFAULT, ms,
      [](gpointer p) -> gboolean {
        auto* t = static_cast<Tick*>(p);
        if (t->alive.lock()) t->fn();
        return G_SOURCE_CONTINUE;
      },
      new Tick{std::move(alive), std::move(fn)}, [](gpointer p) { delete static_cast<Tick*>(p); });
}

std::vector<Seat> seatsFromPairs(redisReply* r, const std::string& node) {
  std::vector<Seat> out;
  if (!r || r->type != REDIS_REPLY_ARRAY) return out;
  for (size_t i = 0; i + 1 < r->elements; i += 2) {
    redisReply* k = r->element[i];
    redisReply* v = r->element[i + 1];
    if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING) continue;
    if (auto s = NodeRoster::decodeSeat(std::string(k->str, k->len), std::string(v->str, v->len))) {
      s->node = node;
      out.push_back(std::move(*s));
    }
  }
  return out;
}

}  // namespace

NodeRoster::NodeRoster(RedisConnection& redis, std::string nodeId, Timing timing, SweepFn sweep)
    : redis_(redis), nodeId_(std::move(nodeId)), timing_(timing), onSweep_(std::move(sweep)) {}

NodeRoster::~NodeRoster() = default;

std::string NodeRoster::seatsKey(const std::string& node) const {
  return "carrel:ctl:seats:" + node;
}

std::string NodeRoster::encodeSeat(const Seat& s) {
  json::Object o;
  o.set("room", s.room).set("sfu", s.sfu).set("since", s.since).set("name", s.name);
  o.set("user", s.user);
  return o.str();
}

std::optional<Seat> NodeRoster::decodeSeat(const std::string& participant,
                                           const std::string& text) {
  JsonObjectPtr o = json::parseObject(text, nullptr);
  if (!o) return std::nullopt;
  auto room = json::getString(o.get(), "room");
  if (!room) return std::nullopt;
  Seat s;
  s.participant = participant;
  s.room = *room;
  s.sfu = json::getString(o.get(), "sfu").value_or("");
  s.since = json::getInt(o.get(), "since").value_or(0);
  s.name = json::getString(o.get(), "name").value_or("");
  s.user = json::getInt(o.get(), "user").value_or(0);
  return s;
}

void NodeRoster::start() {
  // Seats under this id from an earlier run (killed, then restarted with the same id) are
  // nobody's now.
  sweepNode(nodeId_);
  beat();
  beatTimer_.reset(every(timing_.heartbeatMs, alive_, [this] { beat(); }));
  sweepTimer_.reset(every(timing_.sweepMs, alive_, [this] { sweep(); }));
}

void NodeRoster::stop() {
  beatTimer_.cancel();
  sweepTimer_.cancel();
  redis_.command({"DEL", aliveKey(nodeId_), seatsKey(nodeId_)});
  redis_.command({"SREM", kNodesKey, nodeId_});
}

void NodeRoster::beat() {
  redis_.command({"SET", aliveKey(nodeId_), "1", "PX", std::to_string(timing_.ttlMs)});
  redis_.command({"SADD", kNodesKey, nodeId_});
}

void NodeRoster::seated(const Seat& seat) {
  redis_.command({"HSET", seatsKey(nodeId_), seat.participant, encodeSeat(seat)});
}

void NodeRoster::unseated(const std::string& participant) {
  redis_.command({"HDEL", seatsKey(nodeId_), participant});
}

void NodeRoster::sweep() {
  if (sweeping_) return;
  sweeping_ = true;
  std::weak_ptr<int> alive = alive_;
  redis_.command({"SMEMBERS", kNodesKey}, [this, alive](redisReply* r) {
    if (!alive.lock()) return;
    sweeping_ = false;
    if (!r || r->type != REDIS_REPLY_ARRAY) return;
    for (size_t i = 0; i < r->elements; ++i) {
      if (r->element[i]->type != REDIS_REPLY_STRING) continue;
      std::string node(r->element[i]->str, r->element[i]->len);
      if (node == nodeId_) continue;
      redis_.command({"EXISTS", aliveKey(node)}, [this, alive, node](redisReply* e) {
        if (!alive.lock() || !e || e->type != REDIS_REPLY_INTEGER || e->integer != 0) return;
        g_message("control node %s is silent: sweeping its participants", node.c_str());
        sweepNode(node);
      });
    }
  });
}

void NodeRoster::sweepNode(const std::string& node) {
  std::weak_ptr<int> alive = alive_;
  // Read and delete in one step, so two sweeping nodes never both get the same seats.
  redis_.command({"EVAL",
                  "local s = redis.call('HGETALL', KEYS[1]) redis.call('DEL', KEYS[1]) "
                  "redis.call('SREM', KEYS[2], ARGV[1]) return s",
                  "2", seatsKey(node), kNodesKey, node},
                 [this, alive, node](redisReply* r) {
                   if (!alive.lock()) return;
                   for (const Seat& s : seatsFromPairs(r, node)) {
                     if (onSweep_) onSweep_(s);
                   }
                 });
  // The sweep withdrew this node too; a live one (ourselves) announces itself again.
  if (node == nodeId_) redis_.command({"SADD", kNodesKey, nodeId_});
}

void NodeRoster::allSeats(std::function<void(std::optional<std::vector<Seat>>)> done) {
  std::weak_ptr<int> alive = alive_;
  redis_.command({"SMEMBERS", kNodesKey}, [this, alive, done](redisReply* r) {
    if (!alive.lock()) return;
    if (!r || r->type != REDIS_REPLY_ARRAY) return done(std::nullopt);
    struct Gather {
      std::vector<Seat> seats;
      size_t pending = 0;
      bool failed = false;
    };
    auto g = std::make_shared<Gather>();
    std::vector<std::string> nodes;
    for (size_t i = 0; i < r->elements; ++i) {
      if (r->element[i]->type == REDIS_REPLY_STRING) {
        nodes.emplace_back(r->element[i]->str, r->element[i]->len);
      }
    }
    g->pending = nodes.size();
    if (nodes.empty()) return done(std::vector<Seat>{});
    for (const auto& node : nodes) {
      redis_.command({"HGETALL", seatsKey(node)}, [alive, g, node, done](redisReply* h) {
        if (!alive.lock()) return;
        if (!h || h->type != REDIS_REPLY_ARRAY) g->failed = true;
        for (auto& s : seatsFromPairs(h, node)) g->seats.push_back(std::move(s));
        if (--g->pending == 0) {
          if (g->failed) return done(std::nullopt);
          done(std::move(g->seats));
        }
      });
    }
  });
}

}  // namespace carrel::control
