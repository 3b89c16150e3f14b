// Plays one captured track into a pipeline: an appsrc pushing its RTP packets with
// timestamps on the session's timeline (0 = session start). A packet's time comes from its
// RTP timestamp, anchored to its arrival time: frames keep the publisher's spacing (arrival
// jitter would make motion uneven), and the anchor is reset whenever the two drift apart by
// more than kReanchorUs (a pause, a publisher restarting its clock), so a track that starts
// late or has gaps stays where it happened.
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "RtpLogReader.hpp"

namespace carrel::recorder {

class TrackSource {
 public:
  static constexpr int64_t kReanchorUs = 500 * 1000;

  // Opens the file. False and why when it is unreadable or not a track file.
  bool open(const std::string& path, int64_t sessionStartUs, int64_t sessionEndUs,
            std::string* error);
  // A new appsrc (floating) fed from this source; the source must outlive the pipeline.
  GstElement* makeAppSrc();
  // The track's RTP caps as written by the SFU.
  GstCaps* caps() const { return caps_; }
  std::string encodingName() const;
  // depayloader ! decoder for this track's codec as one bin (floating), nullptr if unknown.
  GstElement* makeDecoder() const;
  uint64_t pushed() const { return pushed_; }
  bool truncated() const { return reader_.truncated(); }

  TrackSource() = default;
  ~TrackSource();
  TrackSource(const TrackSource&) = delete;
  TrackSource& operator=(const TrackSource&) = delete;

  // Session time of a packet (µs); public for tests.
  int64_t timeOf(uint32_t rtpTimestamp, int64_t arrivalUs);

 private:
  static void onNeedData(GstElement* src, guint length, gpointer data);
  void feed(GstElement* src);

  RtpLogReader reader_;
  GstCaps* caps_ = nullptr;
  int clockRate_ = 90000;
  int64_t startUs_ = 0;
  int64_t endUs_ = 0;
  bool haveTs_ = false;
  uint32_t lastTs_ = 0;
  int64_t extTs_ = 0;
  int64_t anchorExt_ = 0;
  int64_t anchorUs_ = 0;
  int64_t lastOutUs_ = 0;
  bool done_ = false;
  std::atomic<uint64_t> pushed_{0};
};

}  // namespace carrel::recorder
