// Who may do what in a room: the action x role matrix of docs/protocol.md ("Moderation"), kept
// as data in one table so that the unit test, the documentation and the handlers read the same
// thing. Roles are ranked; an action on another participant also needs the actor to outrank
// the target (a moderator cannot kick the owner or another moderator; nobody acts on an admin).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace carrel::control {

// Highest first. Outsider: signed in or not, but neither in the room nor holding a role in it.
enum class Role { Admin, Owner, Moderator, Member, Outsider };

enum class Action {
  Kick,
  Ban,
  MuteOther,
  UnmuteOther,
  MuteAll,
  StopScreen,
  Lock,
  WaitingRoom,
  Admit,
  CloseRoom,
  DeleteAnyChat,
  AfkCheck,
  SetModerator,
  TransferOwnership,
  ReadAudit,
  SetRoomTimer,
};

struct Denial {
  const char* code;
  std::string message;
};

class Permissions {
 public:
  // The lowest role that may do the action; nullopt when allowed.
  static std::optional<Denial> check(Action action, Role role);
  // check(), then the actor must outrank the target (an action on another participant).
  static std::optional<Denial> checkOn(Action action, Role actor, Role target);

  static Role lowestAllowed(Action action);
  static const char* name(Action action);
  static const char* name(Role role);
  static std::optional<Action> actionNamed(std::string_view name);
  static std::optional<Role> roleNamed(std::string_view name);
  static std::span<const Action> allActions();
  static std::span<const Role> allRoles();
  // Admin 4, Owner 3, Moderator 2, Member 1, Outsider 0.
  static int rank(Role role);
};

}  // namespace carrel::control
