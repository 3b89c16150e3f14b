#include "BusProtocol.hpp"

#include <array>
#include <map>

#include "Json.hpp"
#include "StatsReport.hpp"

namespace carrel::bus {

std::string channelFor(std::string_view nodeId) {
  return "carrel:bus:" + std::string(nodeId);
}
std::string sfuNodeKey(std::string_view nodeId) {
  return "carrel:sfu:node:" + std::string(nodeId);
}
std::string roomPlacementKey(std::string_view roomId) {
  return "carrel:room:" + std::string(roomId) + ":sfu";
}
std::string roomRecordingKey(std::string_view roomId) {
  return "carrel:room:" + std::string(roomId) + ":recording";
}

namespace {

constexpr int64_t kIdMax = 64;
constexpr int64_t kSdpMax = 512 * 1024;
constexpr Field kRoom{"room", FieldType::String, true, 1, kIdMax};
constexpr Field kPeer{"peer", FieldType::String, true, 1, kIdMax};
constexpr Field kConn{"conn", FieldType::String, true, 1, 16};
constexpr Field kSdp{"sdp", FieldType::String, true, 1, kSdpMax};
constexpr Field kCandidate{"candidate", FieldType::String, true, 0, 1024};
constexpr Field kMline{"sdp_mline_index", FieldType::Int, true, 0, 1023};

constexpr std::array kPeerAdd{kRoom, kPeer, Field{"name", FieldType::String, false, 0, kIdMax},
                              Field{"video", FieldType::String, false, 1, 16}};
constexpr std::array kPublishOffer{kRoom, kPeer, kSdp,
                                   Field{"tracks", FieldType::Array, false, 0, kMaxPublishSources}};
constexpr std::array kSubscribe{kRoom, kPeer,
                                Field{"video", FieldType::Array, true, 0, kMaxSelectedVideo}};
constexpr std::array kRoomPeer{kRoom, kPeer};
constexpr std::array kRoomPeerSdp{kRoom, kPeer, kSdp};
constexpr std::array kCandidateFields{kRoom, kPeer, kConn, kCandidate, kMline};
constexpr std::array kRoomOnly{kRoom};
constexpr std::array kFailPeer{kRoom, kPeer, kConn, Field{"how", FieldType::String, false, 1, 32}};
constexpr std::array<Field, 0> kNone{};

constexpr std::array kSubscribeOffer{kRoom, kPeer, kSdp,
                                     Field{"tracks", FieldType::Array, true, 0, 4096}};
constexpr std::array kConnState{kRoom, kPeer, kConn,
                                Field{"state", FieldType::String, true, 1, 32}};
constexpr std::array kTrack{kRoom, kPeer, Field{"track", FieldType::String, true, 1, kIdMax},
                            Field{"kind", FieldType::String, true, 1, 16},
                            Field{"source", FieldType::String, false, 0, 16}};
constexpr std::array kTrackMute{kRoom, kPeer, Field{"track", FieldType::String, true, 1, kIdMax},
                                Field{"muted", FieldType::Bool, true}};
constexpr std::array kStatsRoom{kRoom, Field{"interval_ms", FieldType::Int, true, 100, 600000},
                                Field{"peers", FieldType::Array, true, 0, kMaxStatsPeers}};
constexpr Field kRecording{"recording", FieldType::String, true, 1, kIdMax};
constexpr std::array kRecordStart{kRoom, kRecording};
constexpr std::array kRecordEvent{kRoom, Field{"event", FieldType::String, true, 1, 32},
                                  Field{"data", FieldType::Object, false}};
constexpr std::array kRecordingStopped{kRoom,
                                       kRecording,
                                       Field{"folder", FieldType::String, true, 1, 4096},
                                       Field{"duration_ms", FieldType::Int, true, 0, 0},
                                       Field{"bytes", FieldType::Int, true, 0, 0},
                                       Field{"tracks", FieldType::Int, true, 0, 0},
                                       Field{"reason", FieldType::String, true, 1, 32}};
constexpr std::array kPeerFailed{kRoom, kPeer, Field{"reason", FieldType::String, true, 0, 1024}};

const std::map<std::string_view, std::span<const Field>>& methods() {
  static const std::map<std::string_view, std::span<const Field>> m{
      {method::PeerAdd, kPeerAdd},
      {method::PeerRemove, kRoomPeer},
      {method::PublishOffer, kPublishOffer},
      {method::Subscribe, kSubscribe},
      {method::SubscribeAnswer, kRoomPeerSdp},
      {method::Candidate, kCandidateFields},
      {method::RoomClose, kRoomOnly},
      {method::NodeInfo, kNone},
      {method::DebugRecalculateLatency, kRoomOnly},
      {method::DebugFailPeer, kFailPeer},
      {method::TrackMute, kTrackMute},
      {method::RecordStart, kRecordStart},
      {method::RecordStop, kRoomOnly},
      {method::RecordEvent, kRecordEvent},
  };
  return m;
}

const std::map<std::string_view, std::span<const Field>>& events() {
  static const std::map<std::string_view, std::span<const Field>> m{
      {event::Candidate, kCandidateFields}, {event::SubscribeOffer, kSubscribeOffer},
      {event::ConnectionState, kConnState}, {event::TrackPublished, kTrack},
      {event::TrackEnded, kTrack},          {event::PeerFailed, kPeerFailed},
      {event::StatsRoom, kStatsRoom},       {event::RecordingStopped, kRecordingStopped},
  };
  return m;
}

constexpr std::array kEnvelope{Field{"v", FieldType::Int, true, 0, 0},
                               Field{"kind", FieldType::String, true, 1, 16},
                               Field{"from", FieldType::String, true, 1, 128}};
constexpr std::array kRequestEnvelope{Field{"id", FieldType::String, true, 1, 128},
                                      Field{"method", FieldType::String, true, 1, 64},
                                      Field{"data", FieldType::Object, true}};
constexpr std::array kResponseEnvelope{Field{"id", FieldType::String, true, 1, 128},
                                       Field{"ok", FieldType::Bool, true}};
constexpr std::array kEventEnvelope{Field{"event", FieldType::String, true, 1, 64},
                                    Field{"data", FieldType::Object, true}};
constexpr std::array kErrorFields{Field{"code", FieldType::String, true, 1, 64},
                                  Field{"message", FieldType::String, true, 0, 4096}};

json::Object envelope(const char* kind, const std::string& from) {
  json::Object o;
  o.set("v", kBusVersion).set("kind", kind).set("from", from);
  return o;
}

JsonObject* dataOrEmpty(const JsonObjectPtr& d, JsonObjectPtr& holder) {
  if (d) return d.get();
  holder.reset(json_object_new());
  return holder.get();
}

}  // namespace

std::span<const Field> methodFields(std::string_view m) {
  auto it = methods().find(m);
  return it == methods().end() ? std::span<const Field>() : it->second;
}
std::span<const Field> eventFields(std::string_view e) {
  auto it = events().find(e);
  return it == events().end() ? std::span<const Field>() : it->second;
}
bool isKnownMethod(std::string_view m) {
  return methods().count(m) != 0;
}
bool isKnownEvent(std::string_view e) {
  return events().count(e) != 0;
}

std::string encode(const Request& r) {
  JsonObjectPtr holder;
  auto o = envelope("request", r.from);
  o.set("id", r.id).set("method", r.method).set("data", dataOrEmpty(r.data, holder));
  return o.str();
}

std::string encode(const Response& r) {
  auto o = envelope("response", r.from);
  o.set("id", r.id).setBool("ok", r.ok);
  if (r.ok) {
    JsonObjectPtr holder;
    o.set("data", dataOrEmpty(r.data, holder));
  } else {
    json::Object err;
    err.set("code", r.error.code).set("message", r.error.message);
    o.set("error", err.get());
  }
  return o.str();
}

std::string encode(const Event& e) {
  JsonObjectPtr holder;
  auto o = envelope("event", e.from);
  o.set("event", e.name).set("data", dataOrEmpty(e.data, holder));
  return o.str();
}

std::variant<Message, Error> decode(std::string_view text, EnvelopeInfo* info) {
  if (text.size() > kMaxMessageBytes) return Error{error::BadMessage, "bus message too large"};
  std::string why;
  JsonObjectPtr o = json::parseObject(text, &why);
  if (!o) return Error{error::BadMessage, why};
  if (info) {
    info->kind = json::getString(o.get(), "kind").value_or("").substr(0, 16);
    info->id = json::getString(o.get(), "id").value_or("").substr(0, 128);
    info->from = json::getString(o.get(), "from").value_or("").substr(0, 128);
  }
  if (auto e = validateFields(o.get(), kEnvelope)) return Error{error::BadMessage, e->message};
  if (*json::getInt(o.get(), "v") != kBusVersion) {
    return Error{error::VersionMismatch, "bus version " +
                                             std::to_string(*json::getInt(o.get(), "v")) +
                                             ", expected " + std::to_string(kBusVersion)};
  }
  std::string kind = *json::getString(o.get(), "kind");
  std::string from = *json::getString(o.get(), "from");
  if (kind == "request") {
    if (auto e = validateFields(o.get(), kRequestEnvelope))
      return Error{error::BadMessage, e->message};
    Request r{*json::getString(o.get(), "id"), *json::getString(o.get(), "method"), from,
              refObject(json::getObject(o.get(), "data"))};
    if (!isKnownMethod(r.method)) return Error{error::UnknownMethod, "unknown method " + r.method};
    if (auto e = validateFields(r.data.get(), methodFields(r.method))) {
      return Error{error::BadMessage, r.method + ": " + e->message};
    }
    return Message(std::move(r));
  }
  if (kind == "response") {
    if (auto e = validateFields(o.get(), kResponseEnvelope))
      return Error{error::BadMessage, e->message};
    Response r;
    r.id = *json::getString(o.get(), "id");
    r.from = from;
    r.ok = *json::getBool(o.get(), "ok");
    if (r.ok) {
      JsonObject* d = json::getObject(o.get(), "data");
      r.data = d ? refObject(d) : JsonObjectPtr(json_object_new());
    } else {
      JsonObject* err = json::getObject(o.get(), "error");
      if (!err || validateFields(err, kErrorFields)) {
        return Error{error::BadMessage, "error response without code and message"};
      }
      r.error = {*json::getString(err, "code"), *json::getString(err, "message")};
    }
    return Message(std::move(r));
  }
  if (kind == "event") {
    if (auto e = validateFields(o.get(), kEventEnvelope))
      return Error{error::BadMessage, e->message};
    Event ev{*json::getString(o.get(), "event"), from, refObject(json::getObject(o.get(), "data"))};
    if (!isKnownEvent(ev.name)) return Error{error::BadMessage, "unknown event " + ev.name};
    if (auto e = validateFields(ev.data.get(), eventFields(ev.name))) {
      return Error{error::BadMessage, ev.name + ": " + e->message};
    }
    // The one event with nested entries: each is checked against its own table.
    if (ev.name == event::StatsRoom) {
      if (auto e = validateStatsRoom(ev.data.get())) {
        return Error{error::BadMessage, ev.name + ": " + e->message};
      }
    }
    return Message(std::move(ev));
  }
  return Error{error::BadMessage, "unknown kind " + kind};
}

std::string newId() {
  static const char* hex = "0123456789abcdef";
  std::string s;
  s.reserve(32);
  for (int i = 0; i < 4; ++i) {
    guint32 r = g_random_int();
    for (int j = 0; j < 8; ++j) {
      s.push_back(hex[r & 0xf]);
      r >>= 4;
    }
  }
  return s;
}

}  // namespace carrel::bus
