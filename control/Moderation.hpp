// Moderation that holds (issue 7), on one control node. Each session's role in
// its room is known here (read from MariaDB when it joins, changed by the
// owner's appointments); every action is checked against the Permissions
// matrix, written to the audit log, and carried out on whichever node holds its
// target: the actor's node broadcasts an internal room event
// ("_mod.*", never shown to clients) that every node receives through the room
// directory, and the node holding the target session removes it
// (ControlNode::leaveRoom, which tears down its SFU peer), asks the SFU to stop
// forwarding its tracks (track.mute), or sends it an AFK check.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "AfkPolicy.hpp"
#include "ClientMessages.hpp"
#include "ClientSession.hpp"
#include "DbWorker.hpp"
#include "GPtr.hpp"
#include "ModerationStore.hpp"
#include "Permissions.hpp"
#include "RoomRoles.hpp"

namespace carrel::control {

class ControlNode;

class Moderation {
 public:
  using Session = std::shared_ptr<ClientSession>;
  // A room was closed by its owner or an admin (everyone removed); e.g.
  // recording stops.
  using RoomClosedFn = std::function<void(const std::string& room)>;

  // db may be null: then nobody holds a role above member and no action is
  // allowed.
  Moderation(ControlNode& node, DbWorker* db);
  ~Moderation();
  Moderation(const Moderation&) = delete;
  Moderation& operator=(const Moderation&) = delete;

  // --- hooks of the control node
  // --------------------------------------------------------- Before a join
  // reaches the SFU: a ban, a locked room or the waiting room may stop it (the
  // client gets the typed error, or "waiting"); proceed() runs when it may go
  // on.
  void admitJoin(const Session& s, const std::string& room, const std::string& ref,
                 std::function<void()> proceed) {
    gate(s, room, ref, std::move(proceed), false);
  }
  // A room broadcast arrived; true when it was internal to moderation (not for
  // clients).
  bool onRoomEvent(const std::string& room, JsonObject* msg);
  // The session has left the room for good (every final leave goes through
  // here).
  void onLeft(const Session& s, const std::string& room, std::string_view reason);
  // A track of the session was published: a force-muted kind stays muted in the
  // SFU.
  void onTrackPublished(const Session& s, const std::string& track, const std::string& kind);
  // The participant muted (or unmuted) their own kind: a camera kept off counts towards the
  // room's AFK policy.
  void onSelfMute(const Session& s, const std::string& kind, bool muted);
  // Self-unmute of a kind a moderator muted is refused.
  bool isForceMuted(const Session& s, const std::string& kind) const;
  // Chat: moderators, the owner and admins delete anyone's message.
  bool mayDeleteAnyChat(const Session& s) const;
  // The session's role in its room (Outsider when it is in none).
  Role roleOf(const Session& s) const;
  void onRoomClosed(RoomClosedFn fn) { roomClosed_.push_back(std::move(fn)); }

  // --- client messages (ModerationMessages)
  // ------------------------------------------------
  void handle(const Session& s, const ClientMessage& m);

  // --- used by the admin API
  // --------------------------------------------------------------- Everyone
  // out of the room (on every node), the close observers run, audit row
  // written.
  void closeRoom(const std::string& room, uint64_t actorId, const std::string& actorName,
                 const std::string& reason);
  // Removes every present session of the user (in any room on any node: by
  // broadcast to the rooms the user is in, found by the caller).
  void removeUserFromRoom(const std::string& room, int64_t userId, const std::string& action,
                          const std::string& reason, int64_t untilMs);
  void audit(AuditEntry e);
  DbWorker* db() const { return db_; }
  RoomRoles& roles() { return roles_; }

 private:
  struct Local {
    std::weak_ptr<ClientSession> session;
    std::string room;
    int64_t userId = 0;
    Role role = Role::Member;
    std::set<std::string> forcedMuted;  // kinds
    TimeoutSource afk;
  };
  struct Waiting {
    std::weak_ptr<ClientSession> session;
    std::string room;
    std::string ref;
    RoleEntry entry;
    std::function<void()> proceed;
  };
  using Handler = void (Moderation::*)(const Session&, const ClientMessage&, Role);
  // What async replies need of a message (ClientMessage itself is move-only).
  struct Req {
    std::string type;
    std::string id;
  };

  // The one join gate: role, ban and the room's flags read afresh. fromWaitingRoom: a
  // moderator let this joiner in, past the waiting room and the lock; a ban still holds.
  void gate(const Session& s, const std::string& room, const std::string& ref,
            std::function<void()> proceed, bool fromWaitingRoom);
  // In: the role and the room's moderation state (flags, when there is a database) go out
  // after "joined", then proceed().
  void admitted(const Session& s, const std::string& room, const RoleEntry& e,
                const std::optional<RoomFlags>& flags, std::function<void()> proceed);
  Local* local(const Session& s);
  const Local* local(const Session& s) const;
  // Checks the actor's permission and the target's rank, then runs act(target)
  // (or answers the actor with the typed error).
  void withTarget(const Session& s, const ClientMessage& m, Action action,
                  std::function<void(const std::string& participant, const RoleEntry&)> act);
  void broadcastInternal(const std::string& room, json::Object& msg);
  void announce(const Session& actor, const char* action, const std::string& target,
                const std::function<void(json::Object&)>& extra = {});
  void auditBy(const Session& actor, const char* action, const std::string& participant,
               const RoleEntry* target, const std::string& reason);
  void ack(const Session& s, const Req& q);
  void changeRole(const std::string& room, int64_t userId, Role role);

  void onKick(const Session& s, const ClientMessage& m, Role actor);
  void onBan(const Session& s, const ClientMessage& m, Role actor);
  void onListBans(const Session& s, const ClientMessage& m, Role actor);  // ModerationBans.cpp
  void onUnban(const Session& s, const ClientMessage& m, Role actor);
  void onMuteParticipant(const Session& s, const ClientMessage& m, Role actor);
  void onMuteAll(const Session& s, const ClientMessage& m, Role actor);
  void onStopScreen(const Session& s, const ClientMessage& m, Role actor);
  void onLock(const Session& s, const ClientMessage& m, Role actor);
  void onWaitingRoom(const Session& s, const ClientMessage& m, Role actor);
  void onAdmit(const Session& s, const ClientMessage& m, Role actor);
  void onCloseRoom(const Session& s, const ClientMessage& m, Role actor);
  void onAfkCheck(const Session& s, const ClientMessage& m, Role actor);
  void onAfkConfirm(const Session& s, const ClientMessage& m, Role actor);
  void onAfkPolicy(const Session& s, const ClientMessage& m, Role actor);
  void onSetModerator(const Session& s, const ClientMessage& m, Role actor);
  void onTransferOwnership(const Session& s, const ClientMessage& m, Role actor);
  void onAuditLog(const Session& s, const ClientMessage& m, Role actor);

  // Internal events, on the node holding the target.
  void doRemove(const std::string& room, JsonObject* msg);
  void doMute(const std::string& room, JsonObject* msg);
  void doAfk(const std::string& room, JsonObject* msg);
  void doAdmit(const std::string& room, JsonObject* msg);
  void doKnock(const std::string& room, JsonObject* msg);
  void doRole(const std::string& room, JsonObject* msg);
  void doClose(const std::string& room, JsonObject* msg);
  void doPolicy(const std::string& room, JsonObject* msg);
  // Sends the session the presence check and removes it when unanswered in time.
  void startAfkCheck(const Session& s, const std::string& room);
  // The room's AFK policy found the participant's camera off too long.
  void onCameraOffTooLong(const std::string& room, const std::string& participant, int seconds);
  // The typed refusal of a banned user's join (docs/protocol.md, "Moderation").
  static void refuseBanned(const Session& s, const Ban& ban, const std::string& ref);
  void muteTracks(const Session& s, const std::string& kind, bool muted);
  void removeSession(const Session& s, const std::string& action, const std::string& reason,
                     int64_t untilMs);
  void passOwnership(const std::string& room, const std::string& leaving, int64_t userId);
  void handOver(const std::string& room, const std::string& leaving, int64_t userId,
                const std::map<std::string, RoleEntry>& present);

  ControlNode& node_;
  DbWorker* db_;
  RoomRoles roles_;
  std::map<std::string, std::unique_ptr<Local>> local_;      // by participant
  std::map<std::string, std::unique_ptr<Waiting>> waiting_;  // by participant
  std::vector<RoomClosedFn> roomClosed_;
  AfkPolicy afkPolicy_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace carrel::control
