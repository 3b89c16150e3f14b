#include "RtpRewriter.hpp"

#include <gst/rtp/rtp.h>

#include "GstPtr.hpp"
#include "SequenceGaps.hpp"

namespace carrel::sfu {

RtpRewriter::Action RtpRewriter::next(Packet& p, int64_t nowUs) {
  // The same source as far behind what was sent as SequenceGaps takes for a sender starting
  // over: too old for any receiver, and srtpenc would refuse its index (used already, or older
  // than its window) with an error that ends the subscriber. One such packet is a stray and is
  // dropped; the next in sequence after it means the source did start its numbering over, and
  // is continued after the highest number sent, as a switch of publisher is.
  bool restarted = false;
  if (haveSource_ && p.ssrc == source_ && haveOut_ &&
      static_cast<int16_t>(static_cast<uint16_t>(p.seq + seqOffset_ - lastSeq_)) <=
          -SequenceGaps::kWindow) {
    restarted = haveStray_ && p.seq == static_cast<uint16_t>(straySeq_ + 1);
    if (!restarted) {
      haveStray_ = true;
      straySeq_ = p.seq;
      return Action::Drop;
    }
  }
  haveStray_ = false;
  if (!haveSource_ || p.ssrc != source_ || restarted) {
    source_ = p.ssrc;
    haveSource_ = true;
    if (haveOut_) {
      int64_t elapsedUs = nowUs > lastUs_ ? nowUs - lastUs_ : 0;
      auto advance = static_cast<uint32_t>(elapsedUs * static_cast<int64_t>(clockRate_) / 1000000);
      if (advance == 0) advance = 1;
      seqOffset_ = static_cast<uint16_t>(lastSeq_ + 1 - p.seq);
      tsOffset_ = lastTs_ + advance - p.ts;
    } else {
      seqOffset_ = 0;
      tsOffset_ = 0;
    }
  }
  bool change = p.ssrc != slotSsrc_ || seqOffset_ != 0 || tsOffset_ != 0;
  p.ssrc = slotSsrc_;
  p.seq = static_cast<uint16_t>(p.seq + seqOffset_);
  p.ts = p.ts + tsOffset_;
  // Sequence numbers wrap: "later" is within half the space.
  if (!haveOut_ || static_cast<int16_t>(p.seq - lastSeq_) > 0) {
    lastSeq_ = p.seq;
    lastTs_ = p.ts;
  }
  lastUs_ = nowUs;
  haveOut_ = true;
  return change ? Action::Rewrite : Action::Pass;
}

GstBuffer* RtpRewriter::process(GstBuffer* buffer, bool* drop) {
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  if (!gst_rtp_buffer_map(buffer, GST_MAP_READ, &rtp)) return buffer;  // not RTP: leave it
  Packet p{gst_rtp_buffer_get_ssrc(&rtp), gst_rtp_buffer_get_seq(&rtp),
           gst_rtp_buffer_get_timestamp(&rtp)};
  gst_rtp_buffer_unmap(&rtp);
  Action action;
  {
    std::lock_guard lock(mu_);
    action = next(p, g_get_monotonic_time());
  }
  *drop = action == Action::Drop;
  if (action != Action::Rewrite) return buffer;
  // Other branches of the tee share this buffer: writing copies it for this one only.
  buffer = gst_buffer_make_writable(buffer);
  if (gst_rtp_buffer_map(buffer, GST_MAP_WRITE, &rtp)) {
    gst_rtp_buffer_set_ssrc(&rtp, p.ssrc);
    gst_rtp_buffer_set_seq(&rtp, p.seq);
    gst_rtp_buffer_set_timestamp(&rtp, p.ts);
    gst_rtp_buffer_unmap(&rtp);
  }
  return buffer;
}

GstPadProbeReturn RtpRewriter::onProbe(GstPad*, GstPadProbeInfo* info, gpointer data) {
  auto* self = static_cast<std::shared_ptr<RtpRewriter>*>(data)->get();
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    bool drop = false;
    GST_PAD_PROBE_INFO_DATA(info) = self->process(GST_PAD_PROBE_INFO_BUFFER(info), &drop);
    return drop ? GST_PAD_PROBE_DROP : GST_PAD_PROBE_OK;
  }
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    GstBufferList* in = GST_PAD_PROBE_INFO_BUFFER_LIST(info);
    GstBufferList* out = gst_buffer_list_new_sized(gst_buffer_list_length(in));
    for (guint i = 0; i < gst_buffer_list_length(in); ++i) {
      bool drop = false;
      GstBuffer* b = self->process(gst_buffer_ref(gst_buffer_list_get(in, i)), &drop);
      if (drop) {
        gst_buffer_unref(b);
      } else {
        gst_buffer_list_add(out, b);
      }
    }
    gst_buffer_list_unref(in);
    GST_PAD_PROBE_INFO_DATA(info) = out;
    return GST_PAD_PROBE_OK;
  }
  if (info->type & GST_PAD_PROBE_TYPE_QUERY_DOWNSTREAM) {
    // The publisher's caps name its own SSRC, webrtcbin's codec preferences this slot's: the
    // caps are fine once the event probe below has rewritten them, so say so here (else the
    // publisher's whole stream stops with not-negotiated).
    GstQuery* query = GST_PAD_PROBE_INFO_QUERY(info);
    if (GST_QUERY_TYPE(query) == GST_QUERY_ACCEPT_CAPS) {
      gst_query_set_accept_caps_result(query, TRUE);
      return GST_PAD_PROBE_HANDLED;
    }
    if (GST_QUERY_TYPE(query) == GST_QUERY_CAPS) {
      GstCaps* filter = nullptr;
      gst_query_parse_caps(query, &filter);
      GstCapsPtr any(filter ? gst_caps_ref(filter) : gst_caps_new_any());
      gst_query_set_caps_result(query, any.get());
      return GST_PAD_PROBE_HANDLED;
    }
    return GST_PAD_PROBE_OK;
  }
  GstEvent* event = GST_PAD_PROBE_INFO_EVENT(info);
  if (event && GST_EVENT_TYPE(event) == GST_EVENT_CAPS) {
    // The offer's a=ssrc comes from these caps, and must name the SSRC the packets carry.
    GstCaps* caps = nullptr;
    gst_event_parse_caps(event, &caps);
    GstCaps* copy = gst_caps_copy(caps);
    for (guint i = 0; i < gst_caps_get_size(copy); ++i) {
      gst_structure_set(gst_caps_get_structure(copy, i), "ssrc", G_TYPE_UINT, self->slotSsrc_,
                        nullptr);
    }
    gst_event_unref(event);
    GST_PAD_PROBE_INFO_DATA(info) = gst_event_new_caps(copy);
    gst_caps_unref(copy);
  }
  return GST_PAD_PROBE_OK;
}

void RtpRewriter::attach(GstPad* pad, std::shared_ptr<RtpRewriter> rewriter) {
  gst_pad_add_probe(pad,
                    static_cast<GstPadProbeType>(
                        GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST |
                        GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM | GST_PAD_PROBE_TYPE_QUERY_DOWNSTREAM),
                    &RtpRewriter::onProbe, new std::shared_ptr<RtpRewriter>(std::move(rewriter)),
                    [](gpointer d) { delete static_cast<std::shared_ptr<RtpRewriter>*>(d); });
}

}  // namespace carrel::sfu
