#include "WebmLayout.hpp"

#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <vector>

namespace carrel::test {

namespace {

using Bytes = std::vector<uint8_t>;

// Reads a vint at p[i]; length in *n; keepMarker for IDs. False past the end.
bool vint(const Bytes& d, size_t i, bool keepMarker, uint64_t* v, size_t* n) {
  if (i >= d.size() || d[i] == 0) return false;
  size_t len = 1;
  for (uint8_t m = 0x80; !(d[i] & m); m >>= 1) ++len;
  if (i + len > d.size()) return false;
  uint64_t x = keepMarker ? d[i] : (d[i] & ((0x80u >> (len - 1)) - 1));
  for (size_t k = 1; k < len; ++k) x = (x << 8) | d[i + k];
  *v = x;
  *n = len;
  return true;
}

uint64_t uintAt(const Bytes& d, size_t at, uint64_t size) {
  uint64_t v = 0;
  for (uint64_t k = 0; k < size; ++k) v = (v << 8) | d[at + k];
  return v;
}

// Calls f(id, dataOffset, size) for each child of d[from..to); false if one does not parse.
bool each(const Bytes& d, size_t from, size_t to,
          const std::function<bool(uint64_t, size_t, uint64_t)>& f) {
  for (size_t i = from; i < to;) {
    uint64_t id = 0, size = 0;
    size_t a = 0, b = 0;
    if (!vint(d, i, true, &id, &a) || !vint(d, i + a, false, &size, &b)) return false;
    size_t data = i + a + b;
    if (size > to - data) size = to - data;  // an unknown size runs to the parent's end
    if (!f(id, data, size)) return false;
    i = data + size;
  }
  return true;
}

}  // namespace

WebmLayout WebmLayout::read(const std::string& path) {
  WebmLayout w;
  std::ifstream in(path, std::ios::binary);
  Bytes d((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (d.empty()) {
    w.error = "cannot read " + path;
    return w;
  }
  double scale = 1000000;  // default TimecodeScale (ns)
  double duration = -1;
  size_t segmentData = 0;
  uint64_t cuesAt = 0, cuesSought = UINT64_MAX;
  bool segment = false;
  bool parsed = each(d, 0, d.size(), [&](uint64_t id, size_t at, uint64_t size) {
    if (id != 0x18538067) return true;
    segment = true;
    segmentData = at;
    return each(d, at, at + size, [&](uint64_t id1, size_t at1, uint64_t size1) {
      switch (id1) {
        case 0x1549A966:  // Info
          return each(d, at1, at1 + size1, [&](uint64_t id2, size_t at2, uint64_t size2) {
            if (id2 == 0x2AD7B1) scale = static_cast<double>(uintAt(d, at2, size2));
            if (id2 == 0x4489 && size2 == 8) {
              uint64_t bits = uintAt(d, at2, 8);
              std::memcpy(&duration, &bits, 8);
            } else if (id2 == 0x4489 && size2 == 4) {
              uint32_t bits = static_cast<uint32_t>(uintAt(d, at2, 4));
              float f = 0;
              std::memcpy(&f, &bits, 4);
              duration = f;
            }
            return true;
          });
        case 0x1654AE6B:  // Tracks
          return each(d, at1, at1 + size1, [&](uint64_t id2, size_t at2, uint64_t size2) {
            if (id2 != 0xAE) return true;
            uint64_t number = 0;
            int type = 0;
            bool ok = each(d, at2, at2 + size2, [&](uint64_t id3, size_t at3, uint64_t size3) {
              if (id3 == 0xD7) number = uintAt(d, at3, size3);
              if (id3 == 0x83) type = static_cast<int>(uintAt(d, at3, size3));
              return true;
            });
            w.trackTypes[number] = type;
            return ok;
          });
        case 0x114D9B74:  // SeekHead
          return each(d, at1, at1 + size1, [&](uint64_t id2, size_t at2, uint64_t size2) {
            if (id2 != 0x4DBB) return true;
            uint64_t target = 0, position = 0;
            bool ok = each(d, at2, at2 + size2, [&](uint64_t id3, size_t at3, uint64_t size3) {
              if (id3 == 0x53AB) target = uintAt(d, at3, size3);
              if (id3 == 0x53AC) position = uintAt(d, at3, size3);
              return true;
            });
            if (target == 0x1C53BB6B) cuesSought = position;
            return ok;
          });
        case 0x1C53BB6B:  // Cues
          cuesAt = at1;
          return each(d, at1, at1 + size1, [&](uint64_t id2, size_t at2, uint64_t size2) {
            if (id2 != 0xBB) return true;
            ++w.cuePoints;
            return each(d, at2, at2 + size2, [&](uint64_t id3, size_t at3, uint64_t size3) {
              if (id3 != 0xB7) return true;
              return each(d, at3, at3 + size3, [&](uint64_t id4, size_t at4, uint64_t size4) {
                if (id4 == 0xF7) ++w.cueEntries[uintAt(d, at4, size4)];
                return true;
              });
            });
          });
        default:
          return true;
      }
    });
  });
  if (!parsed || !segment) {
    w.error = "the EBML does not parse";
    return w;
  }
  if (duration >= 0) w.durationMs = duration * scale / 1e6;
  // The SeekHead's position is relative to the Segment's data, and points at the element's
  // header: the Cues' data starts 4 (ID) + 1..8 (size) bytes later.
  w.cuesInSeekHead = cuesSought != UINT64_MAX && cuesAt > segmentData + cuesSought &&
                     cuesAt <= segmentData + cuesSought + 12;
  w.ok = true;
  return w;
}

}  // namespace carrel::test
