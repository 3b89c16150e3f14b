#include "SfuPlacement.hpp"

#include <hiredis/hiredis.h>

#include "BusProtocol.hpp"
#include "Json.hpp"

namespace carrel::control {

namespace {

// KEYS: placement key. ARGV: chosen node, the value seen before ("" = none). Returns the
// value that holds afterwards: ours when the claim won.
constexpr const char* kClaimScript = R"lua(
local cur = redis.call('GET', KEYS[1])
if (not cur) or cur == ARGV[2] then
  redis.call('SET', KEYS[1], ARGV[1])
  return ARGV[1]
end
return cur
)lua";

constexpr int kAttempts = 3;

}  // namespace

std::optional<double> SfuPlacement::parseLoad(const std::string& text) {
  JsonObjectPtr o = json::parseObject(text, nullptr);
  if (!o) return std::nullopt;
  JsonNode* n = json_object_get_member(o.get(), "load");
  if (!n || !JSON_NODE_HOLDS_VALUE(n)) return std::nullopt;
  GType t = json_node_get_value_type(n);
  if (t == G_TYPE_INT64) return static_cast<double>(json_node_get_int(n));
  if (t == G_TYPE_DOUBLE) return json_node_get_double(n);
  return std::nullopt;
}

std::optional<std::string> SfuPlacement::pickLeastLoaded(const std::vector<SfuNodeLoad>& nodes) {
  const SfuNodeLoad* best = nullptr;
  for (const auto& n : nodes) {
    if (!best || n.load < best->load || (n.load == best->load && n.node < best->node)) best = &n;
  }
  if (!best) return std::nullopt;
  return best->node;
}

void SfuPlacement::liveNodes(NodesFn done) {
  std::weak_ptr<int> alive = alive_;
  redis_.command({"SMEMBERS", bus::kSfuNodesSet}, [this, alive, done](redisReply* r) {
    if (!alive.lock()) return;
    if (!r || r->type != REDIS_REPLY_ARRAY) {
      done(std::nullopt);
      return;
    }
    std::vector<std::string> ids;
    std::vector<std::string> args{"MGET"};
    for (size_t i = 0; i < r->elements; ++i) {
      redisReply* e = r->element[i];
      if (e->type != REDIS_REPLY_STRING) continue;
      ids.emplace_back(e->str, e->len);
      args.push_back(bus::sfuNodeKey(ids.back()));
    }
    if (ids.empty()) {
      done(std::vector<SfuNodeLoad>{});
      return;
    }
    redis_.command(args, [alive, ids, done](redisReply* m) {
      if (!alive.lock()) return;
      if (!m || m->type != REDIS_REPLY_ARRAY || m->elements != ids.size()) {
        done(std::nullopt);
        return;
      }
      std::vector<SfuNodeLoad> live;
      for (size_t i = 0; i < ids.size(); ++i) {
        redisReply* v = m->element[i];
        if (v->type != REDIS_REPLY_STRING) continue;  // key expired: the node is gone
        auto load = parseLoad(std::string(v->str, v->len));
        live.push_back({ids[i], load.value_or(0)});
      }
      done(std::move(live));
    });
  });
}

void SfuPlacement::place(const std::string& room, PlaceFn done) {
  attempt(room, kAttempts, std::move(done));
}

void SfuPlacement::attempt(const std::string& room, int attemptsLeft, PlaceFn done) {
  std::weak_ptr<int> alive = alive_;
  redis_.command(
      {"GET", bus::roomPlacementKey(room)}, [this, alive, room, attemptsLeft, done](redisReply* r) {
        if (!alive.lock()) return;
        if (!r || (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_NIL)) {
          done(std::nullopt, "redis is not reachable");
          return;
        }
        if (r->type == REDIS_REPLY_NIL) {
          chooseAndClaim(room, "", attemptsLeft, done);
          return;
        }
        std::string current(r->str, r->len);
        redis_.command({"EXISTS", bus::sfuNodeKey(current)},
                       [this, alive, room, current, attemptsLeft, done](redisReply* e) {
                         if (!alive.lock()) return;
                         if (!e || e->type != REDIS_REPLY_INTEGER) {
                           done(std::nullopt, "redis is not reachable");
                           return;
                         }
                         if (e->integer == 1) {
                           done(current, "");
                           return;
                         }
                         g_message("room %s: media node %s is gone, placing the room again",
                                   room.c_str(), current.c_str());
                         chooseAndClaim(room, current, attemptsLeft, done);
                       });
      });
}

void SfuPlacement::chooseAndClaim(const std::string& room, const std::string& stale,
                                  int attemptsLeft, PlaceFn done) {
  std::weak_ptr<int> alive = alive_;
  liveNodes([this, alive, room, stale, attemptsLeft, done](auto live) {
    if (!live) {
      done(std::nullopt, "redis is not reachable");
      return;
    }
    auto chosen = pickLeastLoaded(*live);
    if (!chosen) {
      done(std::nullopt, "no live media node");
      return;
    }
    redis_.command({"EVAL", kClaimScript, "1", bus::roomPlacementKey(room), *chosen, stale},
                   [this, alive, room, chosen = *chosen, attemptsLeft, done](redisReply* r) {
                     if (!alive.lock()) return;
                     if (!r || r->type != REDIS_REPLY_STRING) {
                       done(std::nullopt, "redis is not reachable");
                       return;
                     }
                     std::string winner(r->str, r->len);
                     if (winner == chosen) {
                       done(chosen, "");
                     } else if (attemptsLeft > 1) {
                       attempt(room, attemptsLeft - 1, done);  // another node won: check its choice
                     } else {
                       done(std::nullopt, "placement kept changing under us");
                     }
                   });
  });
}

}  // namespace carrel::control
