#include "PublishSdpFilter.hpp"

#include <cstdlib>
#include <set>
#include <string>

#include "CodecCaps.hpp"

namespace carrel::sfu {

namespace {

// The payload type an attribute value like "96 VP8/90000" or "96 nack pli" is about.
int leadingPayload(const gchar* value) {
  if (!value || !g_ascii_isdigit(value[0])) return -1;
  return static_cast<int>(std::strtol(value, nullptr, 10));
}

bool isPayloadAttribute(const gchar* key) {
  return g_strcmp0(key, "rtpmap") == 0 || g_strcmp0(key, "fmtp") == 0 ||
         g_strcmp0(key, "rtcp-fb") == 0;
}

// Adds to keep the RTX payload types ("97 rtx/90000" with "a=fmtp:97 apt=96") of kept ones:
// without them in the answer the publisher cannot resend what its uplink lost.
void keepRetransmissionsOf(const GstSDPMedia* media, std::set<int>* keep) {
  std::set<int> rtx;
  for (guint a = 0; a < gst_sdp_media_attributes_len(media); ++a) {
    const GstSDPAttribute* attr = gst_sdp_media_get_attribute(media, a);
    if (g_strcmp0(attr->key, "rtpmap") != 0 || !attr->value) continue;
    const gchar* space = strchr(attr->value, ' ');
    if (space && g_ascii_strncasecmp(space + 1, "rtx/", 4) == 0) {
      rtx.insert(leadingPayload(attr->value));
    }
  }
  for (guint a = 0; a < gst_sdp_media_attributes_len(media); ++a) {
    const GstSDPAttribute* attr = gst_sdp_media_get_attribute(media, a);
    if (g_strcmp0(attr->key, "fmtp") != 0 || !attr->value) continue;
    int pt = leadingPayload(attr->value);
    const gchar* apt = strstr(attr->value, "apt=");
    if (rtx.count(pt) && apt && keep->count(static_cast<int>(std::strtol(apt + 4, nullptr, 10)))) {
      keep->insert(pt);
    }
  }
}

}  // namespace

GstSdpMessagePtr parseSdp(const std::string& text) {
  GstSDPMessage* raw = nullptr;
  if (gst_sdp_message_new(&raw) != GST_SDP_OK) return nullptr;
  GstSdpMessagePtr msg(raw);
  if (gst_sdp_message_parse_buffer(reinterpret_cast<const guint8*>(text.data()),
                                   static_cast<guint>(text.size()), msg.get()) != GST_SDP_OK) {
    return nullptr;
  }
  // The parser accepts nearly anything; an SDP worth applying has a version and media.
  if (!gst_sdp_message_get_version(msg.get()) || gst_sdp_message_medias_len(msg.get()) == 0) {
    return nullptr;
  }
  return msg;
}

int keepForwardableCodecs(GstSDPMessage* sdp) {
  int removed = 0;
  for (guint i = 0; i < gst_sdp_message_medias_len(sdp); ++i) {
    // The message owns its media array; editing an entry in place is what the API allows.
    auto* media = const_cast<GstSDPMedia*>(gst_sdp_message_get_media(sdp, i));
    const gchar* kind = gst_sdp_media_get_media(media);
    if (g_strcmp0(kind, "video") != 0 && g_strcmp0(kind, "audio") != 0) continue;
    std::set<int> keep;
    for (guint a = 0; a < gst_sdp_media_attributes_len(media); ++a) {
      const GstSDPAttribute* attr = gst_sdp_media_get_attribute(media, a);
      if (g_strcmp0(attr->key, "rtpmap") != 0 || !attr->value) continue;
      int pt = leadingPayload(attr->value);
      const gchar* space = strchr(attr->value, ' ');
      if (pt < 0 || !space) continue;
      std::string encoding(space + 1);
      encoding = encoding.substr(0, encoding.find('/'));
      bool wanted = g_strcmp0(kind, "video") == 0
                        ? g_ascii_strcasecmp(encoding.c_str(), "VP8") == 0
                        : g_ascii_strcasecmp(encoding.c_str(), "OPUS") == 0;
      if (wanted) keep.insert(pt);
    }
    if (keep.empty()) continue;
    keepRetransmissionsOf(media, &keep);
    for (guint f = gst_sdp_media_formats_len(media); f-- > 0;) {
      int pt = leadingPayload(gst_sdp_media_get_format(media, f));
      if (!keep.count(pt)) {
        gst_sdp_media_remove_format(media, f);
        ++removed;
      }
    }
    for (guint a = gst_sdp_media_attributes_len(media); a-- > 0;) {
      const GstSDPAttribute* attr = gst_sdp_media_get_attribute(media, a);
      if (!isPayloadAttribute(attr->key)) continue;
      int pt = leadingPayload(attr->value);
      if (pt >= 0 && !keep.count(pt)) gst_sdp_media_remove_attribute(media, a);
    }
  }
  return removed;
}

}  // namespace carrel::sfu
