#include "ChatHandlers.hpp"

#include "ChatJson.hpp"
#include "ClientErrors.hpp"
#include "ControlNode.hpp"
#include "DbWorker.hpp"
#include "RoomStore.hpp"

namespace carrel::control {

namespace {

int64_t nowMs() {
  return g_get_real_time() / 1000;
}

int64_t monotonicMs() {
  return g_get_monotonic_time() / 1000;
}

json::Object ack(const std::string& ref, uint64_t id, int64_t ts) {
  json::Object a;
  a.set("type", "chat_ack");
  if (!ref.empty()) a.set("ref", ref);
  if (id) a.set("id", static_cast<int64_t>(id));
  a.set("ts", ts).setBool("stored", id != 0);
  return a;
}

}  // namespace

ChatHandlers::ChatHandlers(ControlNode& node)
    : node_(node), limiter_(node.options().chatRatePerSecond, node.options().chatBurst) {}

ChatAuthor ChatHandlers::authorOf(const ClientSession& s) {
  return ChatAuthor{static_cast<uint64_t>(s.userId() > 0 ? s.userId() : 0), s.participant(),
                    s.name()};
}

bool ChatHandlers::allow(const Session& s, const std::string& ref) {
  // A user's bucket follows them across connections; a guest has one per connection.
  std::string key = s->participant();
  if (s->userId() > 0) key = std::string("user:").append(std::to_string(s->userId()));
  int64_t wait = limiter_.take(key, monotonicMs());
  if (wait == 0) return true;
  json::Object e;
  e.set("type", "error")
      .set("code", code::RateLimited)
      .set("message", "too many chat messages: wait before sending more")
      .set("retry_after_ms", wait);
  if (!ref.empty()) e.set("ref", ref);
  s->send(e);
  return false;
}

bool ChatHandlers::mayDeleteAny(const Session& s) const {
  return node_.moderation().mayDeleteAnyChat(s);
}

bool ChatHandlers::needDatabase(const Session& s, const std::string& ref) {
  if (node_.chatDatabase()) return true;
  s->sendError(code::NoDatabase, "this server keeps no chat history (it runs without a database)",
               ref);
  return false;
}

void ChatHandlers::sendResultError(const Session& s, ChatResult r, const std::string& ref) {
  switch (r) {
    case ChatResult::NotFound:
      return s->sendError(code::NoSuchMessage, "no such message in this room", ref);
    case ChatResult::NotYours:
      return s->sendError(code::NotYourMessage, "only its author may change that message", ref);
    case ChatResult::NoSuchMaterial:
      return s->sendError(code::NoSuchMaterial, "no such study material in this room", ref);
    case ChatResult::Unavailable:
      return s->sendError(
          code::StorageUnavailable,
          "the chat database is unreachable; nothing was changed or sent: try again", ref);
    default:
      return s->sendError(code::Internal, "the chat could not be stored; nothing was sent", ref);
  }
}

void ChatHandlers::onChat(const Session& s, const ClientMessage& m) {
  if (!allow(s, m.id)) return;
  ChatMessage msg;
  msg.room = s->room();
  msg.author = authorOf(*s);
  msg.text = *json::getString(m.object.get(), "text");
  msg.ts = nowMs();
  auto attachment = json::getInt(m.object.get(), "attachment");
  std::string ref = m.id;
  std::weak_ptr<ClientSession> weak = s;
  DbWorker* db = node_.chatDatabase();
  if (!db) {
    if (attachment) {
      s->sendError(code::NoDatabase, "attachments need the server's database", ref);
      return;
    }
    json::Object chat = chatMessageJson(msg);
    json_object_remove_member(chat.get(), "id");
    chat.set("type", "chat");
    s->send(ack(ref, 0, msg.ts));
    node_.rooms().broadcast(msg.room, "", chat.get(), [weak, ref](bool ok) {
      auto s = weak.lock();
      if (!ok && s) s->sendError(code::Internal, "the chat could not be delivered", ref);
    });
    return;
  }
  if (attachment) {
    msg.attachment = Material{};
    msg.attachment->id = static_cast<uint64_t>(*attachment);
  }
  auto shared = std::make_shared<ChatMessage>(std::move(msg));
  auto result = std::make_shared<ChatResult>(ChatResult::Failed);
  auto why = std::make_shared<std::string>();
  std::weak_ptr<int> alive = alive_;
  db->run(
      [shared, result, why](MySqlConnection& c) {
        *result = ChatStore(c).insert(shared.get(), why.get());
        // Whether the database went away (the client may retry) or the message itself failed.
        if (*result == ChatResult::Failed && c.unavailable()) *result = ChatResult::Unavailable;
      },
      [this, alive, weak, shared, result, why, ref] {
        if (!alive.lock()) return;
        auto s = weak.lock();
        if (*result != ChatResult::Ok) {
          if (*result == ChatResult::Failed || *result == ChatResult::Unavailable) {
            g_warning("chat in room %s not stored: %s", shared->room.c_str(), why->c_str());
          }
          if (s && !s->closed()) sendResultError(s, *result, ref);
          return;
        }
        // Stored (committed): now, and only now, the sender hears it arrived.
        if (s && !s->closed()) s->send(ack(ref, shared->id, shared->ts));
        json::Object chat = chatMessageJson(*shared);
        chat.set("type", "chat");
        node_.rooms().broadcast(shared->room, "", chat.get(), [weak, ref](bool ok) {
          auto s = weak.lock();
          if (!ok && s) {
            s->sendError(code::Internal, "stored, but not delivered live: see the history", ref);
          }
        });
      });
}

void ChatHandlers::onHistory(const Session& s, const ClientMessage& m) {
  if (!needDatabase(s, m.id)) return;
  auto before = json::getInt(m.object.get(), "before");
  auto limit = json::getInt(m.object.get(), "limit");
  sendHistory(s, s->room(), before ? static_cast<uint64_t>(*before) : 0,
              limit ? static_cast<int>(*limit) : kRecentOnJoin, m.id);
}

void ChatHandlers::afterJoin(const Session& s, const std::string& room) {
  DbWorker* db = node_.chatDatabase();
  if (!db) return;
  if (s->userId() > 0) {
    uint64_t user = static_cast<uint64_t>(s->userId());
    db->run([room, user](MySqlConnection& c) {
      std::string why;
      if (!RoomStore(c).recordVisit(room, user, nowMs(), &why)) {
        g_warning("room %s: visit of user %llu not recorded: %s", room.c_str(),
                  static_cast<unsigned long long>(user), why.c_str());
      }
    });
  }
  sendHistory(s, room, 0, kRecentOnJoin, "");
}

void ChatHandlers::sendHistory(const Session& s, const std::string& room, uint64_t before,
                               int limit, const std::string& ref) {
  // One more than asked tells whether there is more before the page.
  auto page = std::make_shared<std::optional<std::vector<ChatMessage>>>();
  auto why = std::make_shared<std::string>();
  auto down = std::make_shared<bool>(false);
  std::weak_ptr<ClientSession> weak = s;
  std::weak_ptr<int> alive = alive_;
  node_.chatDatabase()->run(
      [page, why, down, room, before, limit](MySqlConnection& c) {
        *page = ChatStore(c).history(room, before, limit + 1, why.get());
        if (!*page) *down = c.unavailable();
      },
      [alive, weak, page, why, down, room, limit, ref] {
        auto s = weak.lock();
        if (!alive.lock() || !s || s->closed()) return;
        // The client may have left (or moved) meanwhile: history of another room is no use.
        if (s->roomState() != RoomState::InRoom || s->room() != room) return;
        if (!*page) {
          g_warning("chat history of room %s: %s", room.c_str(), why->c_str());
          if (*down) {
            s->sendError(code::StorageUnavailable,
                         "the chat database is unreachable: ask for the history again later", ref);
          } else {
            s->sendError(code::Internal, "the chat history could not be read", ref);
          }
          return;
        }
        auto& rows = **page;
        bool more = rows.size() > static_cast<size_t>(limit);
        JsonArrayPtr list(json_array_new());
        for (size_t i = more ? 1 : 0; i < rows.size(); ++i) {
          json_array_add_object_element(list.get(), chatMessageJson(rows[i]).take().release());
        }
        json::Object h;
        h.set("type", "chat_history");
        if (!ref.empty()) h.set("ref", ref);
        h.set("room", room).set("messages", list.get()).setBool("has_more", more);
        s->send(h);
      });
}

void ChatHandlers::onEdit(const Session& s, const ClientMessage& m) {
  if (!needDatabase(s, m.id) || !allow(s, m.id)) return;
  uint64_t id = static_cast<uint64_t>(*json::getInt(m.object.get(), "message"));
  std::string text = *json::getString(m.object.get(), "text");
  std::string room = s->room();
  ChatAuthor who = authorOf(*s);
  auto result = std::make_shared<ChatResult>(ChatResult::Failed);
  auto edited = std::make_shared<ChatMessage>();
  auto why = std::make_shared<std::string>();
  std::weak_ptr<ClientSession> weak = s;
  std::weak_ptr<int> alive = alive_;
  std::string ref = m.id;
  node_.chatDatabase()->run(
      [=](MySqlConnection& c) {
        *result = ChatStore(c).edit(room, id, who, text, nowMs(), edited.get(), why.get());
        if (*result == ChatResult::Failed && c.unavailable()) *result = ChatResult::Unavailable;
      },
      [this, alive, weak, result, edited, why, room, ref] {
        if (!alive.lock()) return;
        auto s = weak.lock();
        if (*result != ChatResult::Ok) {
          if (*result == ChatResult::Failed) g_warning("chat edit: %s", why->c_str());
          if (s && !s->closed()) sendResultError(s, *result, ref);
          return;
        }
        if (s && !s->closed()) s->send(ack(ref, edited->id, edited->editedTs));
        json::Object ev;
        ev.set("type", "chat_edited")
            .set("id", static_cast<int64_t>(edited->id))
            .set("text", edited->text)
            .set("edited_ts", edited->editedTs);
        node_.rooms().broadcast(room, "", ev.get());
      });
}

void ChatHandlers::onDelete(const Session& s, const ClientMessage& m) {
  if (!needDatabase(s, m.id)) return;
  uint64_t id = static_cast<uint64_t>(*json::getInt(m.object.get(), "message"));
  std::string room = s->room();
  ChatAuthor who = authorOf(*s);
  bool any = mayDeleteAny(s);
  auto result = std::make_shared<ChatResult>(ChatResult::Failed);
  auto removed = std::make_shared<ChatMessage>();
  auto why = std::make_shared<std::string>();
  std::weak_ptr<ClientSession> weak = s;
  std::weak_ptr<int> alive = alive_;
  std::string ref = m.id;
  int64_t ts = nowMs();
  node_.chatDatabase()->run(
      [=](MySqlConnection& c) {
        *result = ChatStore(c).remove(room, id, who, any, ts, why.get(), removed.get());
        if (*result == ChatResult::Failed && c.unavailable()) *result = ChatResult::Unavailable;
      },
      [this, alive, weak, result, removed, why, room, id, ts, ref, who] {
        if (!alive.lock()) return;
        auto s = weak.lock();
        if (*result != ChatResult::Ok) {
          if (*result == ChatResult::Failed) g_warning("chat delete: %s", why->c_str());
          if (s && !s->closed()) sendResultError(s, *result, ref);
          return;
        }
        // Someone else's message: a moderation action, on the record like any other.
        bool moderated = !ChatStore::owns(who, *removed);
        if (moderated) {
          AuditEntry a;
          a.room = room;
          a.actorId = who.userId;
          a.actorName = who.name;
          a.action = "delete_chat";
          a.targetUserId = removed->author.userId;
          a.targetParticipant = removed->author.participant;
          a.targetName = removed->author.name;
          a.reason = "chat message " + std::to_string(id);
          node_.moderation().audit(a);
        }
        if (s && !s->closed()) s->send(ack(ref, id, ts));
        json::Object ev;
        ev.set("type", "chat_deleted")
            .set("id", static_cast<int64_t>(id))
            .set("by", who.participant)
            .setBool("moderated", moderated)
            .set("ts", ts);
        node_.rooms().broadcast(room, "", ev.get());
      });
}

}  // namespace carrel::control
