// Makes carrel-render's WebM seekable in Chromium with only its metadata loaded.
//
// matroskamux (on a seekable sink) writes Duration and Cues, but when the file has a video
// track its Cues name only that track. Chromium's FFmpegDemuxer may seek on the audio
// stream, and FFmpeg's Matroska reader refuses a seek on a stream without index entries
// ("demuxer seek failed"): with preload="metadata" the review page could not seek at all.
// This pass gives every CuePoint a position for each track it lacks (the same cluster: every
// cluster holds all tracks' blocks from its start time), so any stream can seek.
//
// It rewrites only the Cues and what follows them (Tags) at the end of the file, and the
// fixed-width sizes and SeekHead positions that point past them; the clusters are not
// touched, so no media is remuxed.
#pragma once

#include <string>

namespace carrel::recorder {

class WebmCueIndex {
 public:
  // Indexes every track in the file at path, in place. False and why when the file is not
  // a WebM with known-size Segment and Cues as matroskamux writes them (nothing changed then).
  static bool indexEveryTrack(const std::string& path, std::string* error);
};

}  // namespace carrel::recorder
