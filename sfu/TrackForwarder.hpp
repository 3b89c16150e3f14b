// One published track: the publisher's webrtcbin src pad feeds a tee that every subscriber
// branch hangs off. A probe on the tee's sink pad does the three cheap things the forwarding
// path needs: rewrite the payload type to the canonical one, replace the caps with the
// subscriber-facing caps, and throttle keyframe requests going back to the publisher.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "GstPtr.hpp"

namespace carrel::sfu {

class TrackForwarder {
 public:
  // At most one keyframe request per publisher track in this window.
  static constexpr gint64 kKeyframeIntervalUs = 500 * 1000;

  // Runs on the publisher's streaming thread (pad-added): builds the tee and links the pad to
  // it right away, or the source would stop with not-linked. nullptr when the caps cannot be
  // forwarded (the pad is then left unlinked).
  // source: "camera", "microphone" or "screen" (empty: by kind); mid: the publisher's m-line.
  static std::shared_ptr<TrackForwarder> create(GstElement* pipeline, GstPad* publisherPad,
                                                const std::string& publisherId,
                                                const std::string& trackId,
                                                const std::string& source = {},
                                                const std::string& mid = {});
  ~TrackForwarder();
  TrackForwarder(const TrackForwarder&) = delete;
  TrackForwarder& operator=(const TrackForwarder&) = delete;

  const std::string& trackId() const { return trackId_; }
  const std::string& kind() const { return kind_; }
  const std::string& source() const { return source_; }
  const std::string& mid() const { return mid_; }
  GstCaps* caps() const { return caps_.get(); }
  GstElement* tee() const { return tee_.get(); }

  // Asks the publisher for a keyframe (main context); throttled like subscribers' requests.
  void requestKeyframe();
  // How many keyframe requests went through to the publisher so far.
  guint keyframeRequests() const;
  // Packets that came from the publisher so far (dropped or forwarded).
  uint64_t packets() const;
  // Server-enforced mute: the tee gets nothing, so no subscriber does, whatever the publisher
  // sends. Unmuting asks the publisher for a keyframe so pictures resume at once.
  void setMuted(bool muted);
  bool muted() const;
  // The publisher ended the track (its m-line went inactive) but the pad stays linked, since
  // an unlinked webrtcbin pad would fail the publisher's whole stream: drop for good.
  void end();
  // The publisher's packets go from the element inside its webrtcbin that made them straight
  // into the tee (ChainPast), past rtpbin's and webrtcbin's ghost src pads, until teardown.
  void skipGhostPads();
  // Main context: stops and removes the tee. The publisher must be stopped or unlinked.
  void teardown();

 private:
  struct ProbeState;
  TrackForwarder() = default;
  static void scheduleRetry(ProbeState* st, gint64 delayUs);
  static GstPadProbeReturn onProbe(GstPad* pad, GstPadProbeInfo* info, gpointer data);

  std::string trackId_;
  std::string kind_;
  std::string source_;
  std::string mid_;
  GstCapsPtr caps_;
  GstElementPtr pipeline_;
  GstElementPtr tee_;
  GstPadPtr publisherPad_;
  GstPadPtr innerPad_;  // where skipGhostPads' probe is
  gulong innerProbe_ = 0;
  std::shared_ptr<ProbeState> probe_;
};

}  // namespace carrel::sfu
