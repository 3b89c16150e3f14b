#include "ClusterMetrics.hpp"

#include <algorithm>
#include <map>
#include <tuple>

#include "PrometheusText.hpp"

namespace carrel::control {

namespace {

struct Totals {
  int64_t participants = 0;
  int64_t streams = 0;
  double packetsIn = 0, packetsOut = 0;
  double bitsIn = 0, bitsOut = 0;
};

struct Family {
  const char* name;
  const char* type;
  const char* help;
};

// Declared once, in the order they are written.
constexpr Family kFamilies[] = {
    {"carrel_sfu_up", "gauge", "1 for every SFU node whose heartbeat is alive"},
    {"carrel_sfu_load", "gauge",
     "The SFU node's load as placement sees it (peers + forwarded streams)"},
    {"carrel_sfu_rooms", "gauge", "Rooms on the SFU node"},
    {"carrel_sfu_participants", "gauge", "Peers on the SFU node"},
    {"carrel_sfu_forwarded_streams", "gauge", "Tracks the SFU node forwards to subscribers"},
    {"carrel_sfu_packets_per_second", "gauge",
     "RTP packets per second the SFU node receives (in) and sends (out)"},
    {"carrel_sfu_bitrate_bits_per_second", "gauge",
     "RTP bits per second the SFU node receives (in) and sends (out)"},
    {"carrel_room_participants", "gauge", "Peers in the room"},
    {"carrel_room_forwarded_streams", "gauge", "Tracks forwarded to the room's subscribers"},
    {"carrel_room_packets_per_second", "gauge", "RTP packets per second into and out of the room"},
    {"carrel_room_bitrate_bits_per_second", "gauge",
     "RTP bits per second into and out of the room"},
    {"carrel_peer_bitrate_bits_per_second", "gauge",
     "What the peer sends to the SFU (in) and receives from it (out), bits per second"},
    {"carrel_peer_packets_per_second", "gauge",
     "RTP packets per second to (in) and from (out) the peer"},
    {"carrel_peer_packets_lost_total", "counter",
     "Packets lost on the way to the SFU (in) or to the peer as it reports (out)"},
    {"carrel_peer_jitter_seconds", "gauge", "The highest interarrival jitter of the peer's tracks"},
    {"carrel_peer_round_trip_time_seconds", "gauge",
     "Round-trip time to the peer from its RTCP receiver reports (only peers that receive media)"},
    {"carrel_track_packets_total", "counter", "RTP packets of the track on this leg"},
    {"carrel_track_bytes_total", "counter", "RTP payload bytes of the track on this leg"},
    {"carrel_track_packets_lost_total", "counter", "RTP packets of the track lost on this leg"},
    {"carrel_track_bitrate_bits_per_second", "gauge", "Bits per second of the track on this leg"},
    {"carrel_track_packets_per_second", "gauge", "RTP packets per second of the track on this leg"},
    {"carrel_track_jitter_seconds", "gauge", "Interarrival jitter of the track on this leg"},
    {"carrel_track_round_trip_time_seconds", "gauge",
     "Round-trip time on an out leg, from the subscriber's receiver reports"},
};

}  // namespace

std::string ClusterMetrics::render(std::vector<SfuNodeStatus> nodes,
                                   std::vector<StoredStats> reports) {
  // Redis hands sets over in any order: sorted, every control node writes the same text.
  std::sort(nodes.begin(), nodes.end(),
            [](const auto& a, const auto& b) { return a.node < b.node; });
  std::sort(reports.begin(), reports.end(), [](const auto& a, const auto& b) {
    return std::tie(a.sfuNode, a.stats.room, a.controlNode) <
           std::tie(b.sfuNode, b.stats.room, b.controlNode);
  });
  PrometheusText t;
  for (const auto& f : kFamilies) t.family(f.name, f.help, f.type);
  using L = PrometheusText::Labels;

  std::map<std::string, Totals> byNode;
  std::map<std::pair<std::string, std::string>, Totals> byRoom;  // (sfu, room)
  for (const auto& n : nodes) byNode[n.node];
  for (const auto& r : reports) {
    Totals& room = byRoom[{r.sfuNode, r.stats.room}];
    for (const auto& p : r.stats.peers) {
      ++room.participants;
      double bits[2] = {0, 0}, pps[2] = {0, 0}, jitter[2] = {-1, -1}, rtt = -1;
      int64_t lost[2] = {0, 0};
      for (const auto& tr : p.tracks) {
        int d = tr.direction == "in" ? 0 : 1;
        bits[d] += static_cast<double>(tr.bitrateBps);
        pps[d] += static_cast<double>(tr.packetsPerS);
        lost[d] += tr.lost;
        if (tr.jitterUs >= 0) jitter[d] = std::max(jitter[d], tr.jitterUs / 1e6);
        if (tr.rttUs >= 0) rtt = std::max(rtt, tr.rttUs / 1e6);
        if (d == 1) ++room.streams;
        L labels{{"room", r.stats.room}, {"peer", p.peer},    {"direction", tr.direction},
                 {"source", tr.source},  {"track", tr.track}, {"kind", tr.kind}};
        t.sample("carrel_track_packets_total", labels, static_cast<double>(tr.packets));
        t.sample("carrel_track_bytes_total", labels, static_cast<double>(tr.bytes));
        t.sample("carrel_track_packets_lost_total", labels, static_cast<double>(tr.lost));
        t.sample("carrel_track_bitrate_bits_per_second", labels,
                 static_cast<double>(tr.bitrateBps));
        t.sample("carrel_track_packets_per_second", labels, static_cast<double>(tr.packetsPerS));
        if (tr.jitterUs >= 0) t.sample("carrel_track_jitter_seconds", labels, tr.jitterUs / 1e6);
        if (tr.rttUs >= 0) t.sample("carrel_track_round_trip_time_seconds", labels, tr.rttUs / 1e6);
      }
      for (int d = 0; d < 2; ++d) {
        L labels{{"room", r.stats.room}, {"peer", p.peer}, {"direction", d == 0 ? "in" : "out"}};
        t.sample("carrel_peer_bitrate_bits_per_second", labels, bits[d]);
        t.sample("carrel_peer_packets_per_second", labels, pps[d]);
        t.sample("carrel_peer_packets_lost_total", labels, static_cast<double>(lost[d]));
        if (jitter[d] >= 0) t.sample("carrel_peer_jitter_seconds", labels, jitter[d]);
      }
      if (rtt >= 0) {
        t.sample("carrel_peer_round_trip_time_seconds", {{"room", r.stats.room}, {"peer", p.peer}},
                 rtt);
      }
      room.bitsIn += bits[0];
      room.bitsOut += bits[1];
      room.packetsIn += pps[0];
      room.packetsOut += pps[1];
    }
  }
  for (const auto& [key, room] : byRoom) {
    Totals& node = byNode[key.first];
    node.streams += room.streams;
    node.packetsIn += room.packetsIn;
    node.packetsOut += room.packetsOut;
    node.bitsIn += room.bitsIn;
    node.bitsOut += room.bitsOut;
    L labels{{"sfu_node", key.first}, {"room", key.second}};
    t.sample("carrel_room_participants", labels, static_cast<double>(room.participants));
    t.sample("carrel_room_forwarded_streams", labels, static_cast<double>(room.streams));
    for (int d = 0; d < 2; ++d) {
      L dl = labels;
      dl.emplace_back("direction", d == 0 ? "in" : "out");
      t.sample("carrel_room_packets_per_second", dl, d == 0 ? room.packetsIn : room.packetsOut);
      t.sample("carrel_room_bitrate_bits_per_second", dl, d == 0 ? room.bitsIn : room.bitsOut);
    }
  }
  for (const auto& n : nodes) {
    const Totals& tot = byNode[n.node];
    L labels{{"sfu_node", n.node}};
    t.sample("carrel_sfu_up", labels, 1);
    t.sample("carrel_sfu_load", labels, static_cast<double>(n.load));
    t.sample("carrel_sfu_rooms", labels, static_cast<double>(n.rooms));
    t.sample("carrel_sfu_participants", labels, static_cast<double>(n.peers));
    t.sample("carrel_sfu_forwarded_streams", labels, static_cast<double>(tot.streams));
    for (int d = 0; d < 2; ++d) {
      L dl = labels;
      dl.emplace_back("direction", d == 0 ? "in" : "out");
      t.sample("carrel_sfu_packets_per_second", dl, d == 0 ? tot.packetsIn : tot.packetsOut);
      t.sample("carrel_sfu_bitrate_bits_per_second", dl, d == 0 ? tot.bitsIn : tot.bitsOut);
    }
  }
  return t.str();
}

}  // namespace carrel::control
