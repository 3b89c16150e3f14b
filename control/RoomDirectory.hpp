// Room state shared by every control node through Redis: the participants of a room in the
// hash carrel:room:<room>:participants (participant -> JSON {name, node, tracks}) and room
// broadcasts on the channel carrel:roomev:<room>, which every node receives (one pattern
// subscription) and hands to its own clients in that room. Each change of the hash and its
// broadcast run in one Lua script, so every node sees them in the same order.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "GPtr.hpp"
#include "RedisConnection.hpp"

namespace carrel::control {

struct ParticipantEntry {
  std::string participant;
  std::string name;
  std::string node;
  JsonArrayPtr tracks;  // [{track, kind}]
};

class RoomDirectory {
 public:
  // room, the participant that must not receive it (may be empty), the client message.
  using EventFn =
      std::function<void(const std::string& room, const std::string& exclude, JsonObject* msg)>;
  using DoneFn = std::function<void(bool ok)>;
  enum class JoinStatus { Ok, Full, Failed };
  using JoinFn = std::function<void(JoinStatus status, std::vector<ParticipantEntry> others)>;

  RoomDirectory(RedisConnection& redis, RedisConnection& sub, EventFn onEvent);
  ~RoomDirectory();
  RoomDirectory(const RoomDirectory&) = delete;
  RoomDirectory& operator=(const RoomDirectory&) = delete;

  static std::string participantsKey(const std::string& room);
  static std::string eventsChannel(const std::string& room);
  static std::string encodeEntry(const ParticipantEntry& e);
  // Null when the stored value is not an entry (it is then skipped, not fatal).
  static std::optional<ParticipantEntry> decodeEntry(const std::string& participant,
                                                     const std::string& json);
  static std::string encodeEvent(const std::string& exclude, JsonObject* msg);

  // Atomically: read the others, add this participant, announce it (to all but itself); or
  // Full when capacity (> 0) participants are there already, leaving everything unchanged.
  void join(const std::string& room, const ParticipantEntry& self, JsonObject* announce,
            int capacity, JoinFn done);
  // Rewrites an entry that still exists and announces the change to everyone in the room.
  void update(const std::string& room, const ParticipantEntry& self, JsonObject* announce,
              DoneFn done = {});
  // Removes an entry and, if it was there, announces it to everyone else.
  void leave(const std::string& room, const std::string& participant, JsonObject* announce,
             DoneFn done = {});
  void broadcast(const std::string& room, const std::string& exclude, JsonObject* msg,
                 DoneFn done = {});
  // All entries of a room (nullopt when Redis failed).
  void list(const std::string& room,
            std::function<void(std::optional<std::vector<ParticipantEntry>>)> done);
  // The id of the recording a media node is running in the room now (bus::roomRecordingKey):
  // done(ok, id), id empty when none; ok false when Redis failed.
  void runningRecording(const std::string& room,
                        std::function<void(bool ok, const std::string& id)> done);

 private:
  void onMessage(const std::string& channel, const std::string& payload);
  RedisConnection& redis_;
  EventFn onEvent_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace carrel::control
