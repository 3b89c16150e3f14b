#include "StatsStore.hpp"

#include <hiredis/hiredis.h>

#include "BusProtocol.hpp"
#include "Json.hpp"

namespace carrel::control {

std::string StatsStore::key(const std::string& sfu, const std::string& control,
                            const std::string& room) {
  return "carrel:stats:" + sfu + ":" + control + ":" + room;
}

void StatsStore::store(const bus::Event& ev) {
  std::string room = json::getString(ev.data.get(), "room").value_or("");
  int64_t interval = json::getInt(ev.data.get(), "interval_ms").value_or(5000);
  JsonArray* peers = json::getArray(ev.data.get(), "peers");
  std::string k = key(ev.from, nodeId_, room);
  if (!peers || json_array_get_length(peers) == 0) {
    redis_.command({"DEL", k});
    redis_.command({"SREM", kIndexSet, k});
    return;
  }
  json::Object v;
  v.set("sfu", ev.from).set("control", nodeId_).set("stats", ev.data.get());
  redis_.command({"SET", k, v.str(), "PX", std::to_string(ttlMs(interval))});
  redis_.command({"SADD", kIndexSet, k});
}

void StatsStore::mget(
    const std::string& indexSet, std::function<std::string(const std::string&)> keyOf,
    std::function<void(std::optional<std::vector<std::pair<std::string, std::string>>>)> done) {
  std::weak_ptr<int> alive = alive_;
  redis_.command({"SMEMBERS", indexSet}, [this, alive, indexSet, keyOf, done](redisReply* r) {
    if (!alive.lock()) return;
    if (!r || r->type != REDIS_REPLY_ARRAY) {
      done(std::nullopt);
      return;
    }
    std::vector<std::string> members;
    std::vector<std::string> args{"MGET"};
    for (size_t i = 0; i < r->elements; ++i) {
      if (r->element[i]->type != REDIS_REPLY_STRING) continue;
      members.emplace_back(r->element[i]->str, r->element[i]->len);
      args.push_back(keyOf(members.back()));
    }
    if (members.empty()) {
      done(std::vector<std::pair<std::string, std::string>>{});
      return;
    }
    redis_.command(args, [this, alive, members, done](redisReply* m) {
      if (!alive.lock()) return;
      if (!m || m->type != REDIS_REPLY_ARRAY || m->elements != members.size()) {
        done(std::nullopt);
        return;
      }
      // An expired key answers nil: its member is left out (empty value).
      std::vector<std::pair<std::string, std::string>> out;
      for (size_t i = 0; i < members.size(); ++i) {
        redisReply* v = m->element[i];
        out.emplace_back(members[i],
                         v->type == REDIS_REPLY_STRING ? std::string(v->str, v->len) : "");
      }
      done(std::move(out));
    });
  });
}

void StatsStore::reports(std::function<void(std::optional<std::vector<StoredStats>>)> done) {
  std::weak_ptr<int> alive = alive_;
  mget(
      kIndexSet, [](const std::string& k) { return k; },
      [this, alive, done](std::optional<std::vector<std::pair<std::string, std::string>>> values) {
        if (!values) {
          done(std::nullopt);
          return;
        }
        std::vector<StoredStats> out;
        std::vector<std::string> expired{"SREM", kIndexSet};
        for (const auto& [k, text] : *values) {
          if (text.empty()) {
            expired.push_back(k);
            continue;
          }
          JsonObjectPtr o = json::parseObject(text, nullptr);
          JsonObject* data = o ? json::getObject(o.get(), "stats") : nullptr;
          // Written by a control node after validation; checked again, as Redis is shared.
          if (!data || validateFields(data, bus::eventFields(bus::event::StatsRoom)) ||
              bus::validateStatsRoom(data)) {
            continue;
          }
          out.push_back({json::getString(o.get(), "sfu").value_or(""),
                         json::getString(o.get(), "control").value_or(""),
                         bus::roomStatsFromJson(data)});
        }
        if (alive.lock() && expired.size() > 2) redis_.command(expired);
        done(std::move(out));
      });
}

void StatsStore::sfuNodes(std::function<void(std::optional<std::vector<SfuNodeStatus>>)> done) {
  mget(
      bus::kSfuNodesSet, [](const std::string& id) { return bus::sfuNodeKey(id); },
      [done](std::optional<std::vector<std::pair<std::string, std::string>>> values) {
        if (!values) {
          done(std::nullopt);
          return;
        }
        std::vector<SfuNodeStatus> out;
        for (const auto& [id, text] : *values) {
          JsonObjectPtr o = text.empty() ? nullptr : json::parseObject(text, nullptr);
          if (!o) continue;  // its heartbeat expired: the node is gone
          out.push_back({id, json::getInt(o.get(), "load").value_or(0),
                         json::getInt(o.get(), "rooms").value_or(0),
                         json::getInt(o.get(), "peers").value_or(0)});
        }
        done(std::move(out));
      });
}

}  // namespace carrel::control
