// What the server does with each client message: one small handler per message type, found
// through a table; the dispatcher checks the frame, the session state (hello first, in a room
// or not) and the message's declared fields before a handler runs.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string_view>

#include "ChatHandlers.hpp"
#include "ClientMessages.hpp"
#include "ClientSession.hpp"

namespace carrel::control {

class ControlNode;

class MessageHandlers {
 public:
  explicit MessageHandlers(ControlNode& node) : node_(node), chat_(node) {}

  // One text frame from the client. Every refusal is a typed error to this client alone.
  void dispatch(const std::shared_ptr<ClientSession>& s, std::string_view text);

 private:
  using Session = std::shared_ptr<ClientSession>;
  using Handler = void (MessageHandlers::*)(const Session&, const ClientMessage&);
  static const std::map<std::string_view, Handler>& table();

  void onHello(const Session& s, const ClientMessage& m);
  void onPing(const Session& s, const ClientMessage& m);
  void onJoin(const Session& s, const ClientMessage& m);
  void onLeave(const Session& s, const ClientMessage& m);
  void onPublishOffer(const Session& s, const ClientMessage& m);
  void onSubscribeAnswer(const Session& s, const ClientMessage& m);
  void onCandidate(const Session& s, const ClientMessage& m);
  void onChat(const Session& s, const ClientMessage& m) { chat_.onChat(s, m); }
  void onChatHistory(const Session& s, const ClientMessage& m) { chat_.onHistory(s, m); }
  void onChatEdit(const Session& s, const ClientMessage& m) { chat_.onEdit(s, m); }
  void onChatDelete(const Session& s, const ClientMessage& m) { chat_.onDelete(s, m); }
  void onMute(const Session& s, const ClientMessage& m);
  void onRecordStart(const Session& s, const ClientMessage& m);
  void onRecordStop(const Session& s, const ClientMessage& m);
  void onSubscribe(const Session& s, const ClientMessage& m);

  // capacity: seats in the room, 0 for no limit (taken atomically with the directory entry).
  // video: the join's video mode ("all", "selected" or "" for the default).
  void placeAndJoin(const Session& s, const std::string& room, int capacity, const std::string& ref,
                    const std::string& video);
  void joinOnNode(const Session& s, const std::string& room, const std::string& sfuNode,
                  int capacity, const std::string& ref, const std::string& video);
  void enterDirectory(const Session& s, const std::string& room, const std::string& sfuNode,
                      int capacity, const std::string& ref);
  // Sends a request for the session's peer to its SFU node; errors go to the client as typed
  // errors (with ref); onOk runs with the response data while the session still exists.
  void relay(const Session& s, const char* method, JsonObjectPtr data, const std::string& ref,
             std::function<void(const Session&, JsonObject*)> onOk);

  ControlNode& node_;
  ChatHandlers chat_;
};

}  // namespace carrel::control
