// Chat history in MariaDB (synchronous, on a DbWorker's thread, prepared statements only).
// Texts are stored and returned as the exact bytes received.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "MaterialStore.hpp"
#include "MySqlConnection.hpp"

namespace carrel::control {

// Who writes (or edits, or deletes): a signed-in user, or a guest known only by the
// connection's participant id (a guest's messages are its own on that connection alone).
struct ChatAuthor {
  uint64_t userId = 0;
  std::string participant;
  std::string name;
};

struct ChatMessage {
  uint64_t id = 0;
  std::string room;
  ChatAuthor author;
  std::string text;
  int64_t ts = 0;        // server time of arrival, ms since the epoch
  int64_t editedTs = 0;  // 0: never edited
  bool deleted = false;
  std::optional<Material> attachment;
};

// Unavailable: Failed because the database went away (set by the caller, which can tell).
enum class ChatResult { Ok, NotFound, NotYours, NoSuchMaterial, Failed, Unavailable };

class ChatStore {
 public:
  explicit ChatStore(MySqlConnection& db) : db_(db) {}

  // Stores m (its attachment, if any, given by id in m->attachment->id, must belong to the
  // room); fills m->id and the attachment's details. Autocommit: stored means committed.
  ChatResult insert(ChatMessage* m, std::string* error);
  // Up to limit messages of the room older than beforeId (0: the newest), oldest first.
  std::optional<std::vector<ChatMessage>> history(const std::string& room, uint64_t beforeId,
                                                  int limit, std::string* error);
  // Replaces the text of an own, not deleted message; *out gets the message as it now is.
  ChatResult edit(const std::string& room, uint64_t id, const ChatAuthor& who,
                  const std::string& text, int64_t nowMs, ChatMessage* out, std::string* error);
  // Blanks an own message (anyone's when anyMessage: moderation) and marks it deleted.
  // With anyMessage (a moderator's delete) the message need not be who's. *removed (when
  // given) gets the message as it was, so the caller can tell whose it was.
  ChatResult remove(const std::string& room, uint64_t id, const ChatAuthor& who, bool anyMessage,
                    int64_t nowMs, std::string* error, ChatMessage* removed = nullptr);

  static bool owns(const ChatAuthor& who, const ChatMessage& m);

 private:
  std::optional<ChatMessage> find(const std::string& room, uint64_t id, std::string* error);
  MySqlConnection& db_;
};

}  // namespace carrel::control
