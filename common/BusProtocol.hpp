// The control <-> SFU bus: every message type, its fields, the Redis channel and key names.
// This file is the single place where the bus is declared; bump kBusVersion on any
// incompatible change. Transport: Redis pub/sub, one channel per node ("carrel:bus:<node>").
//
// Envelope (JSON object):
//   request : {"v":1,"kind":"request","id":"...","method":"peer.add","from":"<node>","data":{...}}
//   response: {"v":1,"kind":"response","id":"...","from":"<node>","ok":true,"data":{...}}
//             {"v":1,"kind":"response","id":"...","from":"<node>","ok":false,
//              "error":{"code":"no_such_peer","message":"..."}}
//   event   : {"v":1,"kind":"event","event":"peer.candidate","from":"<node>","data":{...}}
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "FieldTable.hpp"
#include "GPtr.hpp"

namespace carrel::bus {

inline constexpr int kBusVersion = 1;
// A bus message larger than this is refused: SDPs of big rooms fit with room to spare.
inline constexpr size_t kMaxMessageBytes = 1024 * 1024;

// --- Redis names --------------------------------------------------------------------------
std::string channelFor(std::string_view nodeId);  // carrel:bus:<node>
inline constexpr const char* kSfuNodesSet = "carrel:sfu:nodes";
std::string sfuNodeKey(std::string_view nodeId);        // carrel:sfu:node:<id> (TTL'd load JSON)
std::string roomPlacementKey(std::string_view roomId);  // carrel:room:<id>:sfu
// carrel:room:<id>:recording, the id of the recording running there, kept alive by the
// recording SFU's heartbeat (kSfuNodeTtlMs): a catalog row says a recording was started, this
// says it still runs (a media node that died or restarted mid-recording stops renewing it).
std::string roomRecordingKey(std::string_view roomId);
inline constexpr int kSfuHeartbeatMs = 1000;
inline constexpr int kSfuNodeTtlMs = 5000;

// --- Methods: control -> SFU requests -------------------------------------------------------
namespace method {
inline constexpr const char* PeerAdd = "peer.add";                 // create publish+subscribe conns
inline constexpr const char* PeerRemove = "peer.remove";           // tear a peer down
inline constexpr const char* PublishOffer = "peer.publish_offer";  // -> {sdp: answer}
inline constexpr const char* SubscribeAnswer = "peer.subscribe_answer";
inline constexpr const char* Candidate = "peer.candidate";  // remote ICE candidate
inline constexpr const char* RoomClose = "room.close";
inline constexpr const char* NodeInfo = "node.info";  // load and rooms of the node
inline constexpr const char* DebugRecalculateLatency = "debug.recalculate_latency";
// Tests only (an SFU started with --test-fault-injection): an element inside the peer's
// publish or subscribe webrtcbin fails with a real element error, or (how "not_negotiated")
// a subscribe webrtcbin refuses its input. {room, peer, conn, how?}.
inline constexpr const char* DebugFailPeer = "debug.fail_peer";
// Server-enforced mute of one published track ("audio0", "video0"): the SFU stops
// forwarding it, whatever the publisher sends, until unmuted. {room, peer, track, muted}.
inline constexpr const char* TrackMute = "track.mute";
// Recording (issue 8): {room, recording} -> {folder}; {room} -> the recording.stopped data;
// {room, event, data?}: a room event (chat, timer, board) into the recording's manifest.
inline constexpr const char* RecordStart = "room.record_start";
inline constexpr const char* RecordStop = "room.record_stop";
inline constexpr const char* RecordEvent = "room.record_event";
// The video tracks a peer receives from now on: {room, peer, video: [{peer, track}]}.
inline constexpr const char* Subscribe = "peer.subscribe";
}  // namespace method

// Limits of the list fields (items are checked by the SFU, see docs/protocol.md).
inline constexpr int64_t kMaxPublishSources = 16;  // peer.publish_offer tracks [{mid, source}]
inline constexpr int64_t kMaxSelectedVideo = 64;   // peer.subscribe video [{peer, track}]

// --- Events: SFU -> the control node that added the peer -------------------------------------
namespace event {
inline constexpr const char* Candidate = "peer.candidate";             // local ICE candidate
inline constexpr const char* SubscribeOffer = "peer.subscribe_offer";  // SFU-initiated offer
inline constexpr const char* ConnectionState = "peer.connection_state";
inline constexpr const char* TrackPublished = "track.published";
inline constexpr const char* TrackEnded = "track.ended";
inline constexpr const char* PeerFailed = "peer.failed";
// Every stats interval, per room and per owning control node: {room, interval_ms, peers}
// (entries in StatsReport.hpp). Control keeps the latest in Redis for /metrics.
inline constexpr const char* StatsRoom = "stats.room";
// To the control node that started the recording, however it stopped (request, room closed).
inline constexpr const char* RecordingStopped = "recording.stopped";
}  // namespace event

// --- Error codes (stable; also surfaced to clients) -------------------------------------------
namespace error {
inline constexpr const char* BadMessage = "bad_message";  // envelope or field invalid
inline constexpr const char* VersionMismatch = "version_mismatch";
inline constexpr const char* UnknownMethod = "unknown_method";
inline constexpr const char* NoSuchRoom = "no_such_room";
inline constexpr const char* NoSuchPeer = "no_such_peer";
inline constexpr const char* NoSuchTrack = "no_such_track";
inline constexpr const char* PeerExists = "peer_exists";
inline constexpr const char* BadSdp = "bad_sdp";
inline constexpr const char* BadCandidate = "bad_candidate";
inline constexpr const char* WrongState = "wrong_state";
inline constexpr const char* Timeout = "timeout";
inline constexpr const char* Unavailable = "unavailable";
inline constexpr const char* Internal = "internal";
}  // namespace error

// Connection names used in requests and events.
inline constexpr const char* kConnPublish = "publish";
inline constexpr const char* kConnSubscribe = "subscribe";

// The data fields of a method or event: returns empty for an unknown name.
std::span<const Field> methodFields(std::string_view method);
std::span<const Field> eventFields(std::string_view event);
bool isKnownMethod(std::string_view method);
bool isKnownEvent(std::string_view event);

// --- Envelope --------------------------------------------------------------------------------
struct Error {
  std::string code;
  std::string message;
};

struct Request {
  std::string id;
  std::string method;
  std::string from;
  JsonObjectPtr data;
};

struct Response {
  std::string id;
  std::string from;
  bool ok = false;
  JsonObjectPtr data;  // when ok
  Error error;         // when !ok
};

struct Event {
  std::string name;
  std::string from;
  JsonObjectPtr data;
};

using Message = std::variant<Request, Response, Event>;

std::string encode(const Request& r);
std::string encode(const Response& r);
std::string encode(const Event& e);

// What could be read of an envelope even when it failed validation: lets a node answer a
// bad request with a typed error instead of leaving the requester to time out.
struct EnvelopeInfo {
  std::string kind;
  std::string id;
  std::string from;
};

// Decodes and validates an envelope and, for requests and events, the data against the
// declared fields. Never throws; on failure returns Error with a code from `error`.
std::variant<Message, Error> decode(std::string_view text, EnvelopeInfo* info = nullptr);

std::string newId();  // random 128-bit hex id

}  // namespace carrel::bus
