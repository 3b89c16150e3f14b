// What a WebM file says about seeking, read straight from its EBML (independently of the
// renderer's own code): the Info's Duration and the Cues, per track. Tests use it to check
// that carrel-render's output is seekable by a browser loading only its metadata.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace carrel::test {

struct WebmLayout {
  bool ok = false;
  std::string error;
  double durationMs = -1;              // Info/Duration × TimecodeScale; -1 if absent
  std::map<uint64_t, int> trackTypes;  // TrackNumber -> TrackType (1 video, 2 audio)
  std::map<uint64_t, int> cueEntries;  // TrackNumber -> CueTrackPositions naming it
  int cuePoints = 0;
  bool cuesInSeekHead = false;  // the SeekHead points at the Cues element

  static WebmLayout read(const std::string& path);
};

}  // namespace carrel::test
