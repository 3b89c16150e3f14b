#include <gtest/gtest.h>

#include "BusProtocol.hpp"
#include "Json.hpp"

using namespace carrel;
using namespace carrel::bus;

namespace {

JsonObjectPtr data(std::initializer_list<std::pair<const char*, const char*>> kv) {
  json::Object o;
  for (auto& [k, v] : kv) o.set(k, v);
  return o.take();
}

template <typename T>
const T& as(const std::variant<Message, Error>& d) {
  EXPECT_TRUE(std::holds_alternative<Message>(d)) << std::get<Error>(d).message;
  return std::get<T>(std::get<Message>(d));
}

std::string errorCode(const std::variant<Message, Error>& d) {
  return std::holds_alternative<Error>(d) ? std::get<Error>(d).code : "";
}

}  // namespace

TEST(BusProtocol, RequestRoundTrip) {
  Request r{"abc", method::PeerAdd, "ctl-1",
            data({{"room", "algebra"}, {"peer", "p1"}, {"name", "Mina"}})};
  auto decoded = decode(encode(r));
  const auto& back = as<Request>(decoded);
  EXPECT_EQ(back.id, "abc");
  EXPECT_EQ(back.method, method::PeerAdd);
  EXPECT_EQ(back.from, "ctl-1");
  EXPECT_EQ(json::getString(back.data.get(), "name").value(), "Mina");
}

TEST(BusProtocol, ResponseOkAndError) {
  Response ok;
  ok.id = "1";
  ok.from = "sfu-1";
  ok.ok = true;
  ok.data = data({{"sdp", "v=0"}});
  auto d1 = decode(encode(ok));
  const auto& r1 = as<Response>(d1);
  EXPECT_TRUE(r1.ok);
  EXPECT_EQ(json::getString(r1.data.get(), "sdp").value(), "v=0");

  Response bad;
  bad.id = "2";
  bad.from = "sfu-1";
  bad.error = {error::NoSuchPeer, "no peer p9"};
  auto d2 = decode(encode(bad));
  const auto& r2 = as<Response>(d2);
  EXPECT_FALSE(r2.ok);
  EXPECT_EQ(r2.error.code, error::NoSuchPeer);
  EXPECT_EQ(r2.error.message, "no peer p9");
}

TEST(BusProtocol, EventRoundTrip) {
  json::Object d;
  d.set("room", "r").set("peer", "p").set("track", "video0").set("kind", "video");
  Event e{event::TrackPublished, "sfu-1", d.take()};
  auto decoded = decode(encode(e));
  const auto& back = as<Event>(decoded);
  EXPECT_EQ(back.name, event::TrackPublished);
  EXPECT_EQ(json::getString(back.data.get(), "track").value(), "video0");
}

TEST(BusProtocol, RejectsMalformedAndUnknown) {
  EXPECT_EQ(errorCode(decode("{not json")), error::BadMessage);
  EXPECT_EQ(errorCode(decode("[1,2]")), error::BadMessage);
  EXPECT_EQ(errorCode(decode("{\"v\":1,\"kind\":\"request\"}")), error::BadMessage);
  EXPECT_EQ(
      errorCode(decode(R"({"v":2,"kind":"event","from":"x","event":"track.ended","data":{}})")),
      error::VersionMismatch);
  EXPECT_EQ(errorCode(decode(
                R"({"v":1,"kind":"request","from":"x","id":"1","method":"peer.fly","data":{}})")),
            error::UnknownMethod);
  EXPECT_EQ(errorCode(decode(R"({"v":1,"kind":"gossip","from":"x"})")), error::BadMessage);
  EXPECT_EQ(errorCode(decode(std::string("{\"v\":1,\"x\":\"\xff\xfe\"}"))), error::BadMessage);
}

TEST(BusProtocol, ValidatesDataAgainstDeclaredFields) {
  // peer.add without a peer
  auto missing = decode(
      R"({"v":1,"kind":"request","from":"c","id":"1","method":"peer.add","data":{"room":"r"}})");
  EXPECT_EQ(errorCode(missing), error::BadMessage);
  EXPECT_NE(std::get<Error>(missing).message.find("peer"), std::string::npos);
  // room id too long
  std::string longRoom(65, 'a');
  auto tooLong = decode(
      R"({"v":1,"kind":"request","from":"c","id":"1","method":"peer.remove","data":{"room":")" +
      longRoom + R"(","peer":"p"}})");
  EXPECT_EQ(errorCode(tooLong), error::BadMessage);
  // wrong type
  auto wrongType = decode(
      R"({"v":1,"kind":"request","from":"c","id":"1","method":"peer.candidate","data":{"room":"r","peer":"p","conn":"publish","candidate":"c","sdp_mline_index":"0"}})");
  EXPECT_EQ(errorCode(wrongType), error::BadMessage);
}

TEST(BusProtocol, EnvelopeInfoSurvivesValidationFailure) {
  EnvelopeInfo info;
  auto d = decode(
      R"({"v":1,"kind":"request","from":"ctl-7","id":"42","method":"peer.add","data":{}})", &info);
  EXPECT_EQ(errorCode(d), error::BadMessage);
  EXPECT_EQ(info.kind, "request");
  EXPECT_EQ(info.id, "42");
  EXPECT_EQ(info.from, "ctl-7");
}

TEST(BusProtocol, RefusesOversizedMessages) {
  std::string big(kMaxMessageBytes + 1, ' ');
  EXPECT_EQ(errorCode(decode(big)), error::BadMessage);
}

TEST(BusProtocol, EveryDeclaredNameHasFields) {
  for (const char* m :
       {method::PeerAdd, method::PeerRemove, method::PublishOffer, method::SubscribeAnswer,
        method::Candidate, method::RoomClose, method::DebugRecalculateLatency}) {
    EXPECT_TRUE(isKnownMethod(m)) << m;
    EXPECT_FALSE(methodFields(m).empty()) << m;
  }
  EXPECT_TRUE(isKnownMethod(method::NodeInfo));
  for (const char* e : {event::Candidate, event::SubscribeOffer, event::ConnectionState,
                        event::TrackPublished, event::TrackEnded, event::PeerFailed}) {
    EXPECT_TRUE(isKnownEvent(e)) << e;
    EXPECT_FALSE(eventFields(e).empty()) << e;
  }
}

TEST(BusProtocol, IdsAreUniqueHex) {
  std::string a = newId(), b = newId();
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
}
