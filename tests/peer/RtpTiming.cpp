#include "RtpTiming.hpp"

#include <gst/rtp/rtp.h>

#include "Json.hpp"

namespace carrel::peer {

namespace {

struct Tag {
  Output* out;
  std::string event;
};

void report(Tag* tag, GstBuffer* buffer, gint64 now) {
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  if (!gst_rtp_buffer_map(buffer, GST_MAP_READ, &rtp)) return;
  json::Object o;
  o.set("ssrc", static_cast<int64_t>(gst_rtp_buffer_get_ssrc(&rtp)))
      .set("seq", static_cast<int64_t>(gst_rtp_buffer_get_seq(&rtp)))
      .set("pt", static_cast<int64_t>(gst_rtp_buffer_get_payload_type(&rtp)))
      .set("t_us", static_cast<int64_t>(now));
  gst_rtp_buffer_unmap(&rtp);
  tag->out->emit(tag->event, o.get());
}

}  // namespace

void RtpTiming::attach(GstPad* pad, Output& out, const char* event) {
  gst_pad_add_probe(
      pad, static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST),
      [](GstPad*, GstPadProbeInfo* info, gpointer data) {
        auto* tag = static_cast<Tag*>(data);
        gint64 now = g_get_real_time();
        if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
          report(tag, GST_PAD_PROBE_INFO_BUFFER(info), now);
        } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
          GstBufferList* list = GST_PAD_PROBE_INFO_BUFFER_LIST(info);
          for (guint i = 0; i < gst_buffer_list_length(list); ++i) {
            report(tag, gst_buffer_list_get(list, i), now);
          }
        }
        return GST_PAD_PROBE_OK;
      },
      new Tag{&out, event}, [](gpointer data) { delete static_cast<Tag*>(data); });
}

}  // namespace carrel::peer
