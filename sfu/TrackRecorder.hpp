// The recording branch of one published track: tee → queue (leaky) → appsink, writing each
// RTP packet unchanged to a captured-track file (recorder/RtpLogFormat.hpp). The queue gives
// the branch its own streaming thread, so file writes never run on the forwarding thread,
// and being leaky it drops the oldest packets rather than hold the tee if the disk stalls.
#pragma once

#include <gst/app/gstappsink.h>

#include <memory>
#include <string>

#include "GstPtr.hpp"
#include "RtpLogWriter.hpp"
#include "TrackForwarder.hpp"

namespace carrel::sfu {

class TrackRecorder {
 public:
  // Packets the branch queue may hold before it drops the oldest (~1.5 s of a camera).
  static constexpr guint kQueuePackets = 1000;

  // Main context. Creates the file (which must not exist) and links the branch to the tee.
  static std::unique_ptr<TrackRecorder> create(GstElement* pipeline,
                                               const std::shared_ptr<TrackForwarder>& track,
                                               const std::string& path, std::string* error);
  ~TrackRecorder();
  TrackRecorder(const TrackRecorder&) = delete;
  TrackRecorder& operator=(const TrackRecorder&) = delete;

  // Hands what was written so far to the kernel (see RtpLogWriter).
  void flush();
  // Unlinks the branch from the tee, stops it and closes the file. Idempotent.
  void stop();
  const recorder::RtpLogWriter& writer() const { return *writer_; }

 private:
  TrackRecorder() = default;
  static GstFlowReturn onSample(GstAppSink* sink, gpointer data);

  GstElementPtr pipeline_;
  GstElementPtr queue_;
  GstElementPtr sink_;
  GstPadPtr teeSrc_;
  std::shared_ptr<recorder::RtpLogWriter> writer_;
};

}  // namespace carrel::sfu
