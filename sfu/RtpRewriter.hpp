// Keeps one subscriber m-line a single continuous RTP stream while the publisher behind it
// changes. webrtcbin 1.22 cannot stop a transceiver, so a subscriber's m-lines are reused for
// later publishers of the same kind; rewriting SSRC, sequence number and timestamp (instead
// of renegotiating a new a=ssrc) means the receiver's jitterbuffer, decoder and pad stay as
// they are and only need a keyframe. The first publisher of a slot passes through untouched
// (its SSRC is the slot's), so the common case costs nothing.
#pragma once

#include <gst/gst.h>

#include <cstdint>
#include <memory>
#include <mutex>

namespace carrel::sfu {

class RtpRewriter {
 public:
  struct Packet {
    uint32_t ssrc;
    uint16_t seq;
    uint32_t ts;
  };
  enum class Action { Pass, Rewrite, Drop };

  RtpRewriter(uint32_t slotSsrc, uint32_t clockRate) : slotSsrc_(slotSsrc), clockRate_(clockRate) {}

  uint32_t slotSsrc() const { return slotSsrc_; }
  // Streaming thread: what to do with a packet; on Rewrite, p holds the new header values.
  // A switch of source continues the sequence numbers and advances the timestamp by the
  // wall-clock time since the last packet. A packet as far behind the highest sent as
  // SequenceGaps takes for a restart is dropped, unless it follows such a packet: then the
  // source started its numbering over and is continued like a switch. (A slot is unlinked from the
  // old tee before the new one is linked, so sources do not interleave; a packet of the old one
  // still in flight is serialised by the probe's mutex.)
  Action next(Packet& p, int64_t nowUs);

  // Adds a probe on pad (a tee src pad linked to the slot) rewriting buffers, buffer lists and
  // the ssrc of caps events, and accepting caps queries. The probe shares the rewriter, which
  // outlives each link of its slot.
  static void attach(GstPad* pad, std::shared_ptr<RtpRewriter> rewriter);

 private:
  static GstPadProbeReturn onProbe(GstPad* pad, GstPadProbeInfo* info, gpointer data);
  // Rewrites when needed; returns the (possibly new) buffer; *drop: not to be sent.
  GstBuffer* process(GstBuffer* buffer, bool* drop);

  std::mutex mu_;  // two tees' threads around a switch
  const uint32_t slotSsrc_;
  const uint32_t clockRate_;
  bool haveSource_ = false;
  uint32_t source_ = 0;
  bool haveOut_ = false;
  uint16_t lastSeq_ = 0;
  uint32_t lastTs_ = 0;
  int64_t lastUs_ = 0;
  uint16_t seqOffset_ = 0;
  uint32_t tsOffset_ = 0;
  bool haveStray_ = false;  // the last packet was dropped as too old
  uint16_t straySeq_ = 0;
};

}  // namespace carrel::sfu
