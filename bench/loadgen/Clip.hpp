// A pre-encoded camera clip (VP8 + Opus in WebM), demuxed once into memory and shared by
// every publisher, so the load generator spends no CPU on encoding.
#pragma once

#include <gst/gst.h>

#include <memory>
#include <string>
#include <vector>

#include "GstPtr.hpp"

namespace carrel::bench {

struct ClipFrame {
  GstBuffer* buffer;  // owned by the Clip
  GstClockTime pts;   // from the clip's start
  bool keyframe;
};

class Clip {
 public:
  // Returns nullptr (with *error) when the file cannot be read or lacks a track.
  static std::unique_ptr<Clip> load(const std::string& path, std::string* error);
  ~Clip();
  Clip(const Clip&) = delete;
  Clip& operator=(const Clip&) = delete;

  const std::vector<ClipFrame>& video() const { return video_; }
  const std::vector<ClipFrame>& audio() const { return audio_; }
  // One loop: the clip's length, so timestamps keep growing across loops.
  GstClockTime duration() const { return duration_; }
  GstCaps* videoCaps() const { return videoCaps_.get(); }
  GstCaps* audioCaps() const { return audioCaps_.get(); }

 private:
  Clip() = default;
  std::vector<ClipFrame> video_;
  std::vector<ClipFrame> audio_;
  GstClockTime duration_ = 0;
  GstCapsPtr videoCaps_;
  GstCapsPtr audioCaps_;
};

}  // namespace carrel::bench
