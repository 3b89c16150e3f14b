// The chat messages of the client protocol: chat (stored before it is acknowledged and
// broadcast), chat_history (paging back), chat_edit and chat_delete (own messages; anyone's for
// moderators, owners and admins, audit-logged), and the
// recent history a joiner gets after "joined". With a database every write runs on the chat
// DbWorker's thread; without one chat is live-only and the rest answers no_database.
#pragma once

#include <memory>
#include <string>

#include "ChatStore.hpp"
#include "ClientMessages.hpp"
#include "ClientSession.hpp"
#include "RateLimiter.hpp"

namespace carrel::control {

class ControlNode;

class ChatHandlers {
 public:
  using Session = std::shared_ptr<ClientSession>;

  explicit ChatHandlers(ControlNode& node);

  void onChat(const Session& s, const ClientMessage& m);
  void onHistory(const Session& s, const ClientMessage& m);
  void onEdit(const Session& s, const ClientMessage& m);
  void onDelete(const Session& s, const ClientMessage& m);
  // Right after "joined": remembers a signed-in user as a member of the room and sends the
  // recent history.
  void afterJoin(const Session& s, const std::string& room);

  static constexpr int kRecentOnJoin = 50;
  static constexpr int kMaxPage = 100;

 private:
  // Takes a token from the sender's bucket; false after telling it rate_limited.
  bool allow(const Session& s, const std::string& ref);
  // Whether s may delete other people's messages in its room (the permission matrix's
  // delete_any_chat, by its role there).
  bool mayDeleteAny(const Session& s) const;
  bool needDatabase(const Session& s, const std::string& ref);
  void sendHistory(const Session& s, const std::string& room, uint64_t before, int limit,
                   const std::string& ref);
  static ChatAuthor authorOf(const ClientSession& s);
  static void sendResultError(const Session& s, ChatResult r, const std::string& ref);

  ControlNode& node_;
  RateLimiter limiter_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace carrel::control
