#include "TrackSource.hpp"

#include <gst/app/gstappsrc.h>

namespace carrel::recorder {

TrackSource::~TrackSource() {
  if (caps_) gst_caps_unref(caps_);
}

bool TrackSource::open(const std::string& path, int64_t sessionStartUs, int64_t sessionEndUs,
                       std::string* error) {
  if (!reader_.open(path, error)) return false;
  caps_ = gst_caps_from_string(reader_.caps().c_str());
  if (!caps_ || gst_caps_get_size(caps_) == 0) {
    *error = path + ": unreadable caps '" + reader_.caps() + "'";
    return false;
  }
  gst_structure_get_int(gst_caps_get_structure(caps_, 0), "clock-rate", &clockRate_);
  if (clockRate_ <= 0) clockRate_ = 90000;
  startUs_ = sessionStartUs;
  endUs_ = sessionEndUs;
  return true;
}

std::string TrackSource::encodingName() const {
  const gchar* e =
      caps_ ? gst_structure_get_string(gst_caps_get_structure(caps_, 0), "encoding-name") : nullptr;
  return e ? e : "";
}

GstElement* TrackSource::makeDecoder() const {
  std::string enc = encodingName();
  const char* desc = nullptr;
  // Waiting for a keyframe: a track whose recording began mid-picture decodes from the
  // keyframe the SFU asked for, instead of failing on the frames before it.
  if (enc == "VP8") desc = "rtpvp8depay wait-for-keyframe=true ! vp8dec";
  if (enc == "VP9") desc = "rtpvp9depay wait-for-keyframe=true ! vp9dec";
  if (enc == "OPUS") desc = "rtpopusdepay ! opusdec plc=true";
  if (!desc) return nullptr;
  GError* err = nullptr;
  GstElement* bin = gst_parse_bin_from_description(desc, TRUE, &err);
  if (err) g_error_free(err);
  return bin;
}

int64_t TrackSource::timeOf(uint32_t ts, int64_t arrivalUs) {
  if (!haveTs_) {
    haveTs_ = true;
    extTs_ = ts;
    anchorExt_ = extTs_;
    anchorUs_ = arrivalUs;
  } else {
    extTs_ += static_cast<int32_t>(ts - lastTs_);
  }
  lastTs_ = ts;
  int64_t t = anchorUs_ + (extTs_ - anchorExt_) * 1000000 / clockRate_;
  if (t - arrivalUs > kReanchorUs || arrivalUs - t > kReanchorUs) {
    anchorExt_ = extTs_;
    anchorUs_ = arrivalUs;
    t = arrivalUs;
  }
  int64_t out = t - startUs_;
  if (out < lastOutUs_) out = lastOutUs_;  // timestamps never go back on one track
  lastOutUs_ = out;
  return out;
}

GstElement* TrackSource::makeAppSrc() {
  GstElement* src = gst_element_factory_make("appsrc", nullptr);
  if (!src) return nullptr;
  g_object_set(src, "caps", caps_, "format", GST_FORMAT_TIME, "is-live", FALSE, "max-bytes",
               guint64(512 * 1024), nullptr);
  g_signal_connect(src, "need-data", G_CALLBACK(&TrackSource::onNeedData), this);
  return src;
}

void TrackSource::onNeedData(GstElement* src, guint, gpointer data) {
  static_cast<TrackSource*>(data)->feed(src);
}

void TrackSource::feed(GstElement* src) {
  if (done_) return;
  RtpLogReader::Packet p;
  for (int i = 0; i < 64; ++i) {
    if (!reader_.next(&p)) {
      done_ = true;
      gst_app_src_end_of_stream(GST_APP_SRC(src));
      return;
    }
    uint32_t ts = (uint32_t(p.data[4]) << 24) | (uint32_t(p.data[5]) << 16) |
                  (uint32_t(p.data[6]) << 8) | uint32_t(p.data[7]);
    int64_t t = timeOf(ts, p.arrivalUs);
    if (endUs_ > 0 && p.arrivalUs > endUs_) {
      done_ = true;
      gst_app_src_end_of_stream(GST_APP_SRC(src));
      return;
    }
    GstBuffer* b = gst_buffer_new_memdup(p.data.data(), p.data.size());
    GST_BUFFER_PTS(b) = static_cast<GstClockTime>(t) * GST_USECOND;
    GST_BUFFER_DTS(b) = GST_BUFFER_PTS(b);
    ++pushed_;
    if (gst_app_src_push_buffer(GST_APP_SRC(src), b) != GST_FLOW_OK) {
      done_ = true;
      return;
    }
  }
}

}  // namespace carrel::recorder
