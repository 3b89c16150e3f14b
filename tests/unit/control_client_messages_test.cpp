// Validation of every client message (docs/protocol.md): good ones pass, and each kind of bad
// field (missing, wrong type, out of limits, bad room id) is refused with invalid_field.
#include <gtest/gtest.h>

#include "ClientErrors.hpp"
#include "ClientMessages.hpp"
#include "Json.hpp"

using namespace carrel;
using namespace carrel::control;

namespace {

// Parses and validates like the dispatcher; returns "" when accepted, else the error code.
std::string check(const std::string& text, std::string* message = nullptr,
                  std::string* ref = nullptr) {
  auto parsed = parseClientMessage(text);
  if (auto* e = std::get_if<ClientError>(&parsed)) {
    if (message) *message = e->message;
    if (ref) *ref = e->ref;
    return e->code;
  }
  auto& m = std::get<ClientMessage>(parsed);
  if (ref) *ref = m.id;
  if (auto fe = validateMessage(*m.spec, m.object.get())) {
    if (message) *message = fe->message;
    return code::InvalidField;
  }
  return "";
}

std::string repeat(char c, size_t n) {
  return std::string(n, c);
}

}  // namespace

TEST(ControlClientMessages, EveryProtocolMessageIsDeclared) {
  for (const char* t : {"hello", "ping", "join", "leave", "publish_offer", "subscribe_answer",
                        "candidate", "chat", "mute", "study", "timer", "chat_history", "chat_edit",
                        "chat_delete", "record_start", "record_stop", "subscribe"}) {
    EXPECT_NE(findMessage(t), nullptr) << t;
  }
  EXPECT_EQ(findMessage("welcome"), nullptr);  // server -> client only
  EXPECT_EQ(allMessages().size(), 17u);
}

TEST(ControlClientMessages, BadJson) {
  EXPECT_EQ(check("{"), code::BadJson);
  EXPECT_EQ(check("[1,2]"), code::BadJson);
  EXPECT_EQ(check("\"hello\""), code::BadJson);
  EXPECT_EQ(check("{}"), code::BadJson);
  EXPECT_EQ(check(R"({"type":5})"), code::BadJson);
  EXPECT_EQ(check(std::string("{\"type\":\"hello\",\"name\":\"\xff\xfe\"}")), code::BadJson);
}

TEST(ControlClientMessages, UnknownTypeEchoesRef) {
  std::string ref;
  EXPECT_EQ(check(R"({"type":"dance","id":"7"})", nullptr, &ref), code::UnknownType);
  EXPECT_EQ(ref, "7");
  std::string msg;
  EXPECT_EQ(check("{\"type\":\"" + repeat('x', 500) + "\"}", &msg), code::UnknownType);
  EXPECT_LT(msg.size(), 200u);
}

TEST(ControlClientMessages, IdMustBeAShortString) {
  EXPECT_EQ(check(R"({"type":"ping","id":"abc"})"), "");
  EXPECT_EQ(check(R"({"type":"ping","id":7})"), code::InvalidField);
  EXPECT_EQ(check("{\"type\":\"ping\",\"id\":\"" + repeat('i', 65) + "\"}"), code::InvalidField);
  EXPECT_EQ(check("{\"type\":\"ping\",\"id\":\"" + repeat('i', 64) + "\"}"), "");
}

TEST(ControlClientMessages, Hello) {
  EXPECT_EQ(check(R"({"type":"hello","name":"Mina"})"), "");
  std::string msg;
  EXPECT_EQ(check(R"({"type":"hello"})", &msg), code::InvalidField);
  EXPECT_NE(msg.find("name"), std::string::npos);
  EXPECT_EQ(check(R"({"type":"hello","name":42})"), code::InvalidField);
  EXPECT_EQ(check(R"({"type":"hello","name":""})"), code::InvalidField);
  EXPECT_EQ(check("{\"type\":\"hello\",\"name\":\"" + repeat('n', 64) + "\"}"), "");
  EXPECT_EQ(check("{\"type\":\"hello\",\"name\":\"" + repeat('n', 65) + "\"}"), code::InvalidField);
}

TEST(ControlClientMessages, Join) {
  EXPECT_EQ(check(R"({"type":"join","room":"algebra_2-B"})"), "");
  EXPECT_EQ(check(R"({"type":"join"})"), code::InvalidField);
  EXPECT_EQ(check(R"({"type":"join","room":["a"]})"), code::InvalidField);
  EXPECT_EQ(check(R"({"type":"join","room":""})"), code::InvalidField);
  EXPECT_EQ(check("{\"type\":\"join\",\"room\":\"" + repeat('r', 64) + "\"}"), "");
  EXPECT_EQ(check("{\"type\":\"join\",\"room\":\"" + repeat('r', 65) + "\"}"), code::InvalidField);
  for (const char* bad : {"a b", "a/b", "..", "a.b", "caf\xc3\xa9", "a:b", "a*"}) {
    std::string msg;
    EXPECT_EQ(check(std::string("{\"type\":\"join\",\"room\":\"") + bad + "\"}", &msg),
              code::InvalidField)
        << bad;
    EXPECT_NE(msg.find("room"), std::string::npos);
  }
}

TEST(ControlClientMessages, RoomIds) {
  EXPECT_TRUE(isValidRoomId("a"));
  EXPECT_TRUE(isValidRoomId("Z9_-"));
  EXPECT_FALSE(isValidRoomId(""));
  EXPECT_FALSE(isValidRoomId(repeat('a', 65)));
  EXPECT_TRUE(isValidRoomId(repeat('a', 64)));
  EXPECT_FALSE(isValidRoomId(std::string("a\0b", 3)));
}

TEST(ControlClientMessages, NoFieldMessages) {
  EXPECT_EQ(check(R"({"type":"ping"})"), "");
  EXPECT_EQ(check(R"({"type":"leave"})"), "");
  EXPECT_EQ(check(R"({"type":"leave","extra":1})"), "");  // unknown fields are ignored
}

TEST(ControlClientMessages, Sdp) {
  for (const char* t : {"publish_offer", "subscribe_answer"}) {
    std::string head = std::string("{\"type\":\"") + t + "\"";
    EXPECT_EQ(check(head + ",\"sdp\":\"v=0\"}"), "") << t;
    EXPECT_EQ(check(head + "}"), code::InvalidField) << t;
    EXPECT_EQ(check(head + ",\"sdp\":\"\"}"), code::InvalidField) << t;
    EXPECT_EQ(check(head + ",\"sdp\":{}}"), code::InvalidField) << t;
    EXPECT_EQ(check(head + ",\"sdp\":\"" + repeat('s', 256 * 1024) + "\"}"), "") << t;
    EXPECT_EQ(check(head + ",\"sdp\":\"" + repeat('s', 256 * 1024 + 1) + "\"}"), code::InvalidField)
        << t;
  }
}

TEST(ControlClientMessages, Candidate) {
  EXPECT_EQ(
      check(
          R"({"type":"candidate","conn":"publish","candidate":"candidate:1 1 UDP 1 127.0.0.1 5000 typ host","sdp_mline_index":0})"),
      "");
  EXPECT_EQ(check(R"({"type":"candidate","conn":"subscribe","candidate":"","sdp_mline_index":1})"),
            "");  // end of gathering
  EXPECT_EQ(check(R"({"type":"candidate","conn":"both","candidate":"","sdp_mline_index":0})"),
            code::InvalidField);
  EXPECT_EQ(check(R"({"type":"candidate","candidate":"","sdp_mline_index":0})"),
            code::InvalidField);
  EXPECT_EQ(check(R"({"type":"candidate","conn":"publish","sdp_mline_index":0})"),
            code::InvalidField);
  EXPECT_EQ(check(R"({"type":"candidate","conn":"publish","candidate":""})"), code::InvalidField);
  EXPECT_EQ(check(R"({"type":"candidate","conn":"publish","candidate":"","sdp_mline_index":"0"})"),
            code::InvalidField);
  EXPECT_EQ(check(R"({"type":"candidate","conn":"publish","candidate":"","sdp_mline_index":-1})"),
            code::InvalidField);
  EXPECT_EQ(check(R"({"type":"candidate","conn":"publish","candidate":"","sdp_mline_index":1.5})"),
            code::InvalidField);
  EXPECT_EQ(check("{\"type\":\"candidate\",\"conn\":\"publish\",\"candidate\":\"" +
                  repeat('c', 1025) + "\",\"sdp_mline_index\":0}"),
            code::InvalidField);
}

TEST(ControlClientMessages, Chat) {
  EXPECT_EQ(check(R"({"type":"chat","text":"Who has the notes?"})"), "");
  EXPECT_EQ(check(R"({"type":"chat","text":""})"), code::InvalidField);
  EXPECT_EQ(check(R"({"type":"chat"})"), code::InvalidField);
  EXPECT_EQ(check(R"({"type":"chat","text":true})"), code::InvalidField);
  EXPECT_EQ(check("{\"type\":\"chat\",\"text\":\"" + repeat('t', 2000) + "\"}"), "");
  EXPECT_EQ(check("{\"type\":\"chat\",\"text\":\"" + repeat('t', 2001) + "\"}"),
            code::InvalidField);
}

TEST(ControlClientMessages, SessionRulesAreDeclared) {
  EXPECT_FALSE(findMessage("hello")->needsHello);
  for (const char* t :
       {"ping", "join", "leave", "publish_offer", "subscribe_answer", "candidate", "chat"}) {
    EXPECT_TRUE(findMessage(t)->needsHello) << t;
  }
  EXPECT_EQ(findMessage("join")->room, RoomRule::MustBeOut);
  for (const char* t : {"leave", "publish_offer", "subscribe_answer", "candidate", "chat"}) {
    EXPECT_EQ(findMessage(t)->room, RoomRule::MustBeIn) << t;
  }
}

TEST(ControlClientMessages, ChatTextOrAttachmentAndItsLimits) {
  EXPECT_EQ(check(R"({"type":"chat","text":"hi"})"), "");
  EXPECT_EQ(check(R"({"type":"chat","text":"","attachment":3})"), "");
  EXPECT_EQ(check(R"({"type":"chat","text":""})"), code::InvalidField);
  EXPECT_EQ(check(R"({"type":"chat","text":"x","attachment":0})"), code::InvalidField);
  EXPECT_EQ(check(R"({"type":"chat","text":"x","attachment":"3"})"), code::InvalidField);
  EXPECT_EQ(check(R"({"type":"chat","text":")" + repeat('a', 2000) + "\"}"), "");
  EXPECT_EQ(check(R"({"type":"chat","text":")" + repeat('a', 2001) + "\"}"), code::InvalidField);
}

TEST(ControlClientMessages, ChatHistoryEditDeleteFields) {
  EXPECT_EQ(check(R"({"type":"chat_history"})"), "");
  EXPECT_EQ(check(R"({"type":"chat_history","before":42,"limit":100})"), "");
  EXPECT_EQ(check(R"({"type":"chat_history","limit":101})"), code::InvalidField);
  EXPECT_EQ(check(R"({"type":"chat_history","limit":0})"), code::InvalidField);
  EXPECT_EQ(check(R"({"type":"chat_history","before":-1})"), code::InvalidField);
  EXPECT_EQ(check(R"({"type":"chat_edit","message":7,"text":"fixed"})"), "");
  EXPECT_EQ(check(R"({"type":"chat_edit","message":7,"text":""})"), code::InvalidField);
  EXPECT_EQ(check(R"({"type":"chat_edit","text":"no id"})"), code::InvalidField);
  EXPECT_EQ(check(R"({"type":"chat_delete","message":7})"), "");
  EXPECT_EQ(check(R"({"type":"chat_delete","message":"7"})"), code::InvalidField);
}

// json-glib would cut a string at an escaped NUL and pass a lone surrogate on as bytes that
// are not UTF-8: both are refused before any handler sees them.
TEST(ControlClientMessages, EscapedNulAndLoneSurrogatesAreBadJson) {
  EXPECT_EQ(check(R"({"type":"chat","text":"a\u0000b"})"), code::BadJson);
  EXPECT_EQ(check(R"({"type":"chat","text":"\ud800"})"), code::BadJson);
  EXPECT_EQ(check(R"({"type":"chat","text":"x","\udfff":1})"), code::BadJson);
  // An escaped backslash before u0000 is the text \u0000, which is fine.
  EXPECT_EQ(check(R"({"type":"chat","text":"a\\u0000b"})"), "");
  EXPECT_EQ(check(R"({"type":"chat","text":"\ud83d\ude00 ok"})"), "");
  // json-glib itself refuses a high surrogate at the end of a string, quoting the decoded
  // bytes in its message: the reason sent back must still be UTF-8.
  std::string why;
  EXPECT_EQ(check(R"({"type":"chat","text":"half \ud83d"})", &why), code::BadJson);
  EXPECT_TRUE(g_utf8_validate(why.data(), static_cast<gssize>(why.size()), nullptr)) << why;
}
