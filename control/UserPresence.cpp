#include "UserPresence.hpp"

#include <hiredis/hiredis.h>

#include "Json.hpp"

namespace carrel::control {

namespace {

// KEYS: presence hash. ARGV: participant, node, name, now ms, ttl s, channel.
constexpr const char* kClaimScript = R"lua(
local old = redis.call('HGET', KEYS[1], 'participant')
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'participant', ARGV[1], 'node', ARGV[2], 'name', ARGV[3],
           'online_since', ARGV[4], 'room', '', 'since', '0')
redis.call('EXPIRE', KEYS[1], ARGV[5])
if old and old ~= ARGV[1] then
  redis.call('PUBLISH', ARGV[6], cjson.encode({participant = old, by = ARGV[1]}))
end
return old
)lua";

// KEYS: presence hash. ARGV: participant, room, since.
constexpr const char* kRoomScript = R"lua(
if redis.call('HGET', KEYS[1], 'participant') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'room', ARGV[2], 'since', ARGV[3])
return 1
)lua";

// KEYS: presence hash. ARGV: participant.
constexpr const char* kReleaseScript = R"lua(
if redis.call('HGET', KEYS[1], 'participant') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
)lua";

int64_t nowMs() {
  return g_get_real_time() / 1000;
}

}  // namespace

UserPresence::UserPresence(RedisConnection& redis, RedisConnection& sub, std::string nodeId,
                           guint ttlSeconds, ReplacedFn onReplaced)
    : redis_(redis),
      nodeId_(std::move(nodeId)),
      ttlSeconds_(ttlSeconds),
      onReplaced_(std::move(onReplaced)) {
  std::weak_ptr<int> alive = alive_;
  sub.subscribe(kReplacedChannel, [this, alive](const std::string&, const std::string& payload) {
    if (!alive.lock()) return;
    JsonObjectPtr o = json::parseObject(payload, nullptr);
    if (!o) return;
    std::string who = json::getString(o.get(), "participant").value_or("");
    if (!who.empty() && onReplaced_) onReplaced_(who, json::getString(o.get(), "by").value_or(""));
  });
  // Refresh well within the TTL so a live node's users never blink offline.
  struct Tick {
    std::weak_ptr<int> alive;
    UserPresence* self;
  };
  refreshTimer_.reset(g_timeout_add_full(
      G_PRIORITY_DEFAULT, ttlSeconds_ * 1000 / 3,
      [](gpointer p) -> gboolean {
        auto* t = static_cast<Tick*>(p);
        if (t->alive.lock()) t->self->refresh();
        return G_SOURCE_CONTINUE;
      },
      new Tick{alive, this}, [](gpointer p) { delete static_cast<Tick*>(p); }));
}

UserPresence::~UserPresence() = default;

std::string UserPresence::key(int64_t user) {
  return "carrel:presence:" + std::to_string(user);
}

void UserPresence::claim(int64_t user, const std::string& participant, const std::string& name) {
  local_[user] = participant;
  redis_.command({"EVAL", kClaimScript, "1", key(user), participant, nodeId_, name,
                  std::to_string(nowMs()), std::to_string(ttlSeconds_), kReplacedChannel});
}

void UserPresence::setRoom(int64_t user, const std::string& participant, const std::string& room,
                           int64_t since) {
  redis_.command({"EVAL", kRoomScript, "1", key(user), participant, room,
                  std::to_string(room.empty() ? 0 : since)});
}

void UserPresence::release(int64_t user, const std::string& participant) {
  auto it = local_.find(user);
  if (it != local_.end() && it->second == participant) local_.erase(it);
  redis_.command({"EVAL", kReleaseScript, "1", key(user), participant});
}

void UserPresence::refresh() {
  for (const auto& [user, participant] : local_) {
    redis_.command({"EXPIRE", key(user), std::to_string(ttlSeconds_)});
  }
}

void UserPresence::get(int64_t user, std::function<void(std::optional<PresenceInfo>)> done) {
  std::weak_ptr<int> alive = alive_;
  redis_.command({"HGETALL", key(user)}, [alive, done](redisReply* r) {
    if (!alive.lock()) return;
    if (!r || r->type != REDIS_REPLY_ARRAY) return done(std::nullopt);
    PresenceInfo p;
    for (size_t i = 0; i + 1 < r->elements; i += 2) {
      if (r->element[i]->type != REDIS_REPLY_STRING ||
          r->element[i + 1]->type != REDIS_REPLY_STRING) {
        continue;
      }
      std::string k(r->element[i]->str, r->element[i]->len);
      std::string v(r->element[i + 1]->str, r->element[i + 1]->len);
      if (k == "participant") p.participant = v;
      if (k == "node") p.node = v;
      if (k == "name") p.name = v;
      if (k == "room") p.room = v;
      if (k == "online_since") p.onlineSince = g_ascii_strtoll(v.c_str(), nullptr, 10);
      if (k == "since") p.since = g_ascii_strtoll(v.c_str(), nullptr, 10);
    }
    p.online = !p.participant.empty();
    done(p);
  });
}

}  // namespace carrel::control
