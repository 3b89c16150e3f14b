#include "Permissions.hpp"

#include <array>

#include "ModerationErrors.hpp"

namespace carrel::control {

namespace {

struct Entry {
  Action action;
  const char* name;
  Role lowest;  // this role and every higher one may
};

// The matrix. Changing a row here changes the server; the unit test spells out the expected
// table (as docs/protocol.md does), so both must change together.
constexpr std::array kMatrix{
    Entry{Action::Kick, "kick", Role::Moderator},
    Entry{Action::Ban, "ban", Role::Moderator},
    Entry{Action::MuteOther, "mute_participant", Role::Moderator},
    Entry{Action::UnmuteOther, "allow_unmute", Role::Moderator},
    Entry{Action::MuteAll, "mute_all", Role::Moderator},
    Entry{Action::StopScreen, "stop_screen", Role::Moderator},
    Entry{Action::Lock, "lock_room", Role::Moderator},
    Entry{Action::WaitingRoom, "waiting_room", Role::Moderator},
    Entry{Action::Admit, "admit", Role::Moderator},
    Entry{Action::CloseRoom, "close_room", Role::Owner},
    Entry{Action::DeleteAnyChat, "delete_any_chat", Role::Moderator},
    Entry{Action::AfkCheck, "afk_check", Role::Moderator},
    Entry{Action::SetModerator, "set_moderator", Role::Owner},
    Entry{Action::TransferOwnership, "transfer_ownership", Role::Owner},
    Entry{Action::ReadAudit, "read_audit", Role::Owner},
    Entry{Action::SetRoomTimer, "set_room_timer", Role::Moderator},
};

constexpr std::array kActions{
    Action::Kick,          Action::Ban,
    Action::MuteOther,     Action::UnmuteOther,
    Action::MuteAll,       Action::StopScreen,
    Action::Lock,          Action::WaitingRoom,
    Action::Admit,         Action::CloseRoom,
    Action::DeleteAnyChat, Action::AfkCheck,
    Action::SetModerator,  Action::TransferOwnership,
    Action::ReadAudit,     Action::SetRoomTimer,
};
constexpr std::array kRoles{Role::Admin, Role::Owner, Role::Moderator, Role::Member,
                            Role::Outsider};
constexpr std::array<const char*, 5> kRoleNames{"admin", "owner", "moderator", "member",
                                                "outsider"};

const Entry& entry(Action a) {
  for (const auto& e : kMatrix) {
    if (e.action == a) return e;
  }
  return kMatrix[0];  // unreachable: every action has a row (the unit test checks)
}

}  // namespace

int Permissions::rank(Role role) {
  switch (role) {
    case Role::Admin:
      return 4;
    case Role::Owner:
      return 3;
    case Role::Moderator:
      return 2;
    case Role::Member:
      return 1;
    case Role::Outsider:
      return 0;
  }
  return 0;
}

Role Permissions::lowestAllowed(Action action) {
  return entry(action).lowest;
}

std::optional<Denial> Permissions::check(Action action, Role role) {
  Role lowest = lowestAllowed(action);
  if (rank(role) >= rank(lowest)) return std::nullopt;
  std::string what = name(action);
  if (role == Role::Outsider) {
    return Denial{mcode::NotInRoom, what + ": you are not in this room"};
  }
  if (lowest == Role::Owner) {
    return Denial{mcode::OwnerOnly, what + ": only the room's owner (or an admin) may"};
  }
  return Denial{mcode::Forbidden, what + ": only moderators, the owner or an admin may"};
}

std::optional<Denial> Permissions::checkOn(Action action, Role actor, Role target) {
  if (auto d = check(action, actor)) return d;
  if (rank(actor) > rank(target)) return std::nullopt;
  return Denial{mcode::Outranked, std::string(name(action)) + ": the participant is a " +
                                      name(target) + ", which your role (" + name(actor) +
                                      ") does not outrank"};
}

const char* Permissions::name(Action action) {
  return entry(action).name;
}

const char* Permissions::name(Role role) {
  return kRoleNames[static_cast<size_t>(role)];
}

std::optional<Action> Permissions::actionNamed(std::string_view n) {
  for (const auto& e : kMatrix) {
    if (n == e.name) return e.action;
  }
  return std::nullopt;
}

std::optional<Role> Permissions::roleNamed(std::string_view n) {
  for (size_t i = 0; i < kRoleNames.size(); ++i) {
    if (n == kRoleNames[i]) return kRoles[i];
  }
  return std::nullopt;
}

std::span<const Action> Permissions::allActions() {
  return kActions;
}

std::span<const Role> Permissions::allRoles() {
  return kRoles;
}

}  // namespace carrel::control
