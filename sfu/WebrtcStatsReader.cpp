#include "WebrtcStatsReader.hpp"

#include <algorithm>

#include <gst/webrtc/webrtc.h>

#include "GstPtr.hpp"
#include "WebrtcbinRtpbin.hpp"

namespace carrel::sfu {

bool WebrtcStatsReader::number(const GstStructure* s, const char* field, double* out) {
  const GValue* v = gst_structure_get_value(s, field);
  if (!v) return false;
  switch (G_VALUE_TYPE(v)) {
    case G_TYPE_INT:
      *out = g_value_get_int(v);
      return true;
    case G_TYPE_UINT:
      *out = g_value_get_uint(v);
      return true;
    case G_TYPE_INT64:
      *out = static_cast<double>(g_value_get_int64(v));
      return true;
    case G_TYPE_UINT64:
      *out = static_cast<double>(g_value_get_uint64(v));
      return true;
    case G_TYPE_DOUBLE:
      *out = g_value_get_double(v);
      return true;
    default:
      return false;
  }
}

namespace {

struct Scan {
  bool inbound;
  std::map<guint, RtpFigures> figures;
  std::map<guint, const GstStructure*> remoteInbound;
};

gboolean visit(GQuark, const GValue* value, gpointer data) {
  auto* scan = static_cast<Scan*>(data);
  if (!GST_VALUE_HOLDS_STRUCTURE(value)) return TRUE;
  const GstStructure* s = gst_value_get_structure(value);
  GstWebRTCStatsType type;
  guint ssrc = 0;
  if (!gst_structure_get_enum(s, "type", GST_TYPE_WEBRTC_STATS_TYPE,
                              reinterpret_cast<gint*>(&type)) ||
      !gst_structure_get_uint(s, "ssrc", &ssrc)) {
    return TRUE;
  }
  double v = 0;
  if (scan->inbound && type == GST_WEBRTC_STATS_INBOUND_RTP) {
    RtpFigures& f = scan->figures[ssrc];
    if (WebrtcStatsReader::number(s, "packets-received", &v)) f.packets = static_cast<uint64_t>(v);
    if (WebrtcStatsReader::number(s, "bytes-received", &v)) f.bytes = static_cast<uint64_t>(v);
    if (WebrtcStatsReader::number(s, "packets-lost", &v)) f.lost = static_cast<int64_t>(v);
    if (WebrtcStatsReader::number(s, "jitter", &v)) f.jitterS = v;
  } else if (!scan->inbound && type == GST_WEBRTC_STATS_OUTBOUND_RTP) {
    RtpFigures& f = scan->figures[ssrc];
    if (WebrtcStatsReader::number(s, "packets-sent", &v)) f.packets = static_cast<uint64_t>(v);
    if (WebrtcStatsReader::number(s, "bytes-sent", &v)) f.bytes = static_cast<uint64_t>(v);
  } else if (!scan->inbound && type == GST_WEBRTC_STATS_REMOTE_INBOUND_RTP) {
    scan->remoteInbound[ssrc] = s;
  }
  return TRUE;
}

}  // namespace

std::map<guint, RtpFigures> WebrtcStatsReader::read(const GstStructure* reply, bool inbound) {
  Scan scan{inbound, {}, {}};
  if (!reply) return {};
  gst_structure_foreach(reply, &visit, &scan);
  for (const auto& [ssrc, s] : scan.remoteInbound) {
    auto it = scan.figures.find(ssrc);
    if (it == scan.figures.end()) continue;
    double v = 0;
    if (number(s, "packets-lost", &v)) it->second.lost = static_cast<int64_t>(v);
    if (number(s, "jitter", &v)) it->second.jitterS = v;
    if (number(s, "round-trip-time", &v)) it->second.rttS = v;
  }
  return scan.figures;
}

double WebrtcStatsReader::sessionRtt(const GstStructure* sessionStats) {
  if (!sessionStats) return -1;
  const GValue* list = gst_structure_get_value(sessionStats, "source-stats");
  // rtpsession 1.22 hands out a GValueArray, deprecated in GLib but what it gives.
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (!list || !G_VALUE_HOLDS(list, g_value_array_get_type())) return -1;
  auto* sources = static_cast<GValueArray*>(g_value_get_boxed(list));
  double best = -1;
  for (guint i = 0; sources && i < sources->n_values; ++i) {
    const GValue* v = g_value_array_get_nth(sources, i);
    if (!GST_VALUE_HOLDS_STRUCTURE(v)) continue;
    const GstStructure* s = gst_value_get_structure(v);
    gboolean internal = TRUE, haveRb = FALSE;
    guint rtt = 0;
    gst_structure_get_boolean(s, "internal", &internal);
    gst_structure_get_boolean(s, "have-rb", &haveRb);
    // 0 is what rtpsource stores when the report had no LSR or the clocks disagree.
    if (internal || !haveRb || !gst_structure_get_uint(s, "rb-round-trip", &rtt) || rtt == 0) {
      continue;
    }
    best = std::max(best, static_cast<double>(rtt) / 65536.0);  // NTP short format, 16.16
  }
  G_GNUC_END_IGNORE_DEPRECATIONS
  return best;
}

double WebrtcStatsReader::connectionRtt(GstElement* webrtcbin) {
  GstElementPtr rtpbin = webrtcbinRtpbin(webrtcbin);
  if (!rtpbin) return -1;
  GObject* session = nullptr;
  g_signal_emit_by_name(rtpbin.get(), "get-internal-session", 0u, &session);
  if (!session) return -1;
  GstStructure* stats = nullptr;
  g_object_get(session, "stats", &stats, nullptr);
  g_object_unref(session);
  double rtt = sessionRtt(stats);
  if (stats) gst_structure_free(stats);
  return rtt;
}

}  // namespace carrel::sfu
