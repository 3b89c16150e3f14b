#include "CodecCaps.hpp"

#include <cstring>

namespace carrel::sfu {

int canonicalPayload(const std::string& encodingName) {
  if (g_ascii_strcasecmp(encodingName.c_str(), "VP8") == 0) return kVp8Payload;
  if (g_ascii_strcasecmp(encodingName.c_str(), "OPUS") == 0) return kOpusPayload;
  return -1;
}

std::string mediaKind(const GstCaps* caps) {
  if (!caps || gst_caps_get_size(caps) == 0) return {};
  const gchar* media = gst_structure_get_string(gst_caps_get_structure(caps, 0), "media");
  return media ? media : "";
}

GstCapsPtr forwardCaps(const GstCaps* publisherCaps) {
  if (!publisherCaps || gst_caps_get_size(publisherCaps) == 0) return nullptr;
  const GstStructure* in = gst_caps_get_structure(publisherCaps, 0);
  if (!gst_structure_has_name(in, "application/x-rtp")) return nullptr;
  const gchar* media = gst_structure_get_string(in, "media");
  const gchar* encoding = gst_structure_get_string(in, "encoding-name");
  gint clockRate = 0;
  if (!media || !encoding || !gst_structure_get_int(in, "clock-rate", &clockRate)) return nullptr;
  gint payload = canonicalPayload(encoding);
  if (payload < 0 && !gst_structure_get_int(in, "payload", &payload)) return nullptr;

  GstStructure* out = gst_structure_new(
      "application/x-rtp", "media", G_TYPE_STRING, media, "encoding-name", G_TYPE_STRING, encoding,
      "clock-rate", G_TYPE_INT, clockRate, "payload", G_TYPE_INT, payload, nullptr);
  if (const gchar* params = gst_structure_get_string(in, "encoding-params")) {
    gst_structure_set(out, "encoding-params", G_TYPE_STRING, params, nullptr);
  }
  guint ssrc = 0;
  if (gst_structure_get_uint(in, "ssrc", &ssrc)) {
    gst_structure_set(out, "ssrc", G_TYPE_UINT, ssrc, nullptr);
  }
  for (gint i = 0; i < gst_structure_n_fields(in); ++i) {
    const gchar* name = gst_structure_nth_field_name(in, i);
    if (g_str_has_prefix(name, "rtcp-fb-")) {
      gst_structure_set_value(out, name, gst_structure_get_value(in, name));
    }
  }
  // Subscribers must be able to ask for retransmissions and keyframes: the publisher's
  // answer may not have carried these, but the SFU relays them either way.
  if (std::strcmp(media, "video") == 0) {
    gst_structure_set(out, "rtcp-fb-nack", G_TYPE_BOOLEAN, TRUE, "rtcp-fb-nack-pli", G_TYPE_BOOLEAN,
                      TRUE, "rtcp-fb-ccm-fir", G_TYPE_BOOLEAN, TRUE, nullptr);
  }
  GstCaps* caps = gst_caps_new_empty();
  gst_caps_append_structure(caps, out);
  return GstCapsPtr(caps);
}

}  // namespace carrel::sfu
