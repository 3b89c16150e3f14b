#include "RoomDirectory.hpp"

#include <hiredis/hiredis.h>

#include "BusProtocol.hpp"
#include "Json.hpp"

namespace carrel::control {

namespace {

constexpr const char* kEventsPrefix = "carrel:roomev:";

// KEYS: participants hash, events channel. ARGV: participant, entry, event, capacity (0: none).
// Counting and taking the seat in one script is what makes capacity hold across nodes.
constexpr const char* kJoinScript = R"lua(
local cap = tonumber(ARGV[4])
if cap > 0 and redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 and
   redis.call('HLEN', KEYS[1]) >= cap then
  return 'full'
end
local others = redis.call('HGETALL', KEYS[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PUBLISH', KEYS[2], ARGV[3])
return others
)lua";

constexpr const char* kUpdateScript = R"lua(
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PUBLISH', KEYS[2], ARGV[3])
return 1
)lua";

// ARGV: participant, event.
constexpr const char* kLeaveScript = R"lua(
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('PUBLISH', KEYS[2], ARGV[2])
return 1
)lua";

std::vector<ParticipantEntry> entriesFromPairs(redisReply* r, const std::string& skip) {
  std::vector<ParticipantEntry> out;
  if (!r || r->type != REDIS_REPLY_ARRAY) return out;
  for (size_t i = 0; i + 1 < r->elements; i += 2) {
    redisReply* k = r->element[i];
    redisReply* v = r->element[i + 1];
    if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING) continue;
    std::string id(k->str, k->len);
    if (id == skip) continue;
    if (auto e = RoomDirectory::decodeEntry(id, std::string(v->str, v->len))) {
      out.push_back(std::move(*e));
    } else {
      g_warning("room directory: skipped an unreadable entry for '%s'", id.c_str());
    }
  }
  return out;
}

}  // namespace

RoomDirectory::RoomDirectory(RedisConnection& redis, RedisConnection& sub, EventFn onEvent)
    : redis_(redis), onEvent_(std::move(onEvent)) {
  std::weak_ptr<int> alive = alive_;
  sub.psubscribe(std::string(kEventsPrefix) + "*",
                 [this, alive](const std::string& channel, const std::string& payload) {
                   if (alive.lock()) onMessage(channel, payload);
                 });
}

RoomDirectory::~RoomDirectory() = default;

std::string RoomDirectory::participantsKey(const std::string& room) {
  return "carrel:room:" + room + ":participants";
}

std::string RoomDirectory::eventsChannel(const std::string& room) {
  return kEventsPrefix + room;
}

std::string RoomDirectory::encodeEntry(const ParticipantEntry& e) {
  json::Object o;
  o.set("name", e.name).set("node", e.node);
  if (e.tracks) {
    o.set("tracks", e.tracks.get());
  } else {
    JsonArrayPtr empty(json_array_new());
    o.set("tracks", empty.get());
  }
  return o.str();
}

std::optional<ParticipantEntry> RoomDirectory::decodeEntry(const std::string& participant,
                                                           const std::string& text) {
  JsonObjectPtr o = json::parseObject(text, nullptr);
  if (!o) return std::nullopt;
  auto name = json::getString(o.get(), "name");
  if (!name) return std::nullopt;
  ParticipantEntry e;
  e.participant = participant;
  e.name = *name;
  e.node = json::getString(o.get(), "node").value_or("");
  JsonArray* tracks = json::getArray(o.get(), "tracks");
  e.tracks.reset(tracks ? json_array_ref(tracks) : json_array_new());
  return e;
}

std::string RoomDirectory::encodeEvent(const std::string& exclude, JsonObject* msg) {
  json::Object o;
  o.set("exclude", exclude).set("msg", msg);
  return o.str();
}

void RoomDirectory::onMessage(const std::string& channel, const std::string& payload) {
  std::string_view ch(channel);
  if (ch.substr(0, std::char_traits<char>::length(kEventsPrefix)) != kEventsPrefix) return;
  std::string room(ch.substr(std::char_traits<char>::length(kEventsPrefix)));
  JsonObjectPtr o = json::parseObject(payload, nullptr);
  JsonObject* msg = o ? json::getObject(o.get(), "msg") : nullptr;
  if (!msg) {
    g_warning("room directory: dropped an unreadable event on %s", channel.c_str());
    return;
  }
  if (onEvent_) onEvent_(room, json::getString(o.get(), "exclude").value_or(""), msg);
}

void RoomDirectory::join(const std::string& room, const ParticipantEntry& self,
                         JsonObject* announce, int capacity, JoinFn done) {
  std::weak_ptr<int> alive = alive_;
  std::string me = self.participant;
  redis_.command({"EVAL", kJoinScript, "2", participantsKey(room), eventsChannel(room), me,
                  encodeEntry(self), encodeEvent(me, announce), std::to_string(capacity)},
                 [alive, me, done = std::move(done)](redisReply* r) {
                   if (!alive.lock()) return;
                   if (r && r->type == REDIS_REPLY_STRING && std::string_view(r->str) == "full") {
                     done(JoinStatus::Full, {});
                     return;
                   }
                   if (!r || r->type != REDIS_REPLY_ARRAY) {
                     if (r && r->type == REDIS_REPLY_ERROR) g_warning("join script: %s", r->str);
                     done(JoinStatus::Failed, {});
                     return;
                   }
                   done(JoinStatus::Ok, entriesFromPairs(r, me));
                 });
}

static void finishBool(std::weak_ptr<int> alive, const RoomDirectory::DoneFn& done, redisReply* r,
                       const char* what) {
  if (!alive.lock()) return;
  bool ok = r && r->type == REDIS_REPLY_INTEGER;
  if (r && r->type == REDIS_REPLY_ERROR) g_warning("room directory %s: %s", what, r->str);
  if (done) done(ok);
}

void RoomDirectory::update(const std::string& room, const ParticipantEntry& self,
                           JsonObject* announce, DoneFn done) {
  std::weak_ptr<int> alive = alive_;
  redis_.command(
      {"EVAL", kUpdateScript, "2", participantsKey(room), eventsChannel(room), self.participant,
       encodeEntry(self), encodeEvent("", announce)},
      [alive, done = std::move(done)](redisReply* r) { finishBool(alive, done, r, "update"); });
}

void RoomDirectory::leave(const std::string& room, const std::string& participant,
                          JsonObject* announce, DoneFn done) {
  std::weak_ptr<int> alive = alive_;
  redis_.command(
      {"EVAL", kLeaveScript, "2", participantsKey(room), eventsChannel(room), participant,
       encodeEvent(participant, announce)},
      [alive, done = std::move(done)](redisReply* r) { finishBool(alive, done, r, "leave"); });
}

void RoomDirectory::broadcast(const std::string& room, const std::string& exclude, JsonObject* msg,
                              DoneFn done) {
  std::weak_ptr<int> alive = alive_;
  redis_.command(
      {"PUBLISH", eventsChannel(room), encodeEvent(exclude, msg)},
      [alive, done = std::move(done)](redisReply* r) { finishBool(alive, done, r, "broadcast"); });
}

void RoomDirectory::list(const std::string& room,
                         std::function<void(std::optional<std::vector<ParticipantEntry>>)> done) {
  std::weak_ptr<int> alive = alive_;
  redis_.command({"HGETALL", participantsKey(room)},
                 [alive, done = std::move(done)](redisReply* r) {
                   if (!alive.lock()) return;
                   if (!r || r->type != REDIS_REPLY_ARRAY) {
                     done(std::nullopt);
                     return;
                   }
                   done(entriesFromPairs(r, ""));
                 });
}

void RoomDirectory::runningRecording(const std::string& room,
                                     std::function<void(bool, const std::string&)> done) {
  std::weak_ptr<int> alive = alive_;
  redis_.command(
      {"GET", bus::roomRecordingKey(room)}, [alive, done = std::move(done)](redisReply* r) {
        if (!alive.lock()) return;
        if (!r || (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_NIL)) {
          done(false, "");
          return;
        }
        done(true, r->type == REDIS_REPLY_STRING ? std::string(r->str, r->len) : std::string());
      });
}

}  // namespace carrel::control
