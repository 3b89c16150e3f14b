#include "WebmCueIndex.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

namespace carrel::recorder {

namespace {

constexpr uint32_t kSegment = 0x18538067;
constexpr uint32_t kSeekHead = 0x114D9B74;
constexpr uint32_t kSeek = 0x4DBB;
constexpr uint32_t kSeekPosition = 0x53AC;
constexpr uint32_t kTracks = 0x1654AE6B;
constexpr uint32_t kTrackEntry = 0xAE;
constexpr uint32_t kTrackNumber = 0xD7;
constexpr uint32_t kCues = 0x1C53BB6B;
constexpr uint32_t kCuePoint = 0xBB;
constexpr uint32_t kCueTrackPositions = 0xB7;
constexpr uint32_t kCueTrack = 0xF7;
constexpr uint32_t kCueClusterPosition = 0xF1;
// What is read into memory: the header elements and the Cues with what follows them.
constexpr uint64_t kMaxInMemory = 64ull << 20;

using Bytes = std::vector<uint8_t>;

struct Element {
  uint32_t id = 0;
  uint64_t start = 0;  // of the header
  uint64_t data = 0;   // of the payload
  uint64_t size = 0;
  int sizeLength = 0;
  uint64_t end() const { return data + size; }
};

// One element header at p[0..avail): false when cut, malformed or of unknown size.
bool parseHeader(const uint8_t* p, size_t avail, uint64_t at, Element* e) {
  auto vint = [&](size_t pos, bool keepMarker, uint64_t* v, int* len) {
    if (pos >= avail || p[pos] == 0) return false;
    int n = 1;
    for (uint8_t m = 0x80; !(p[pos] & m); m >>= 1) ++n;
    if (pos + static_cast<size_t>(n) > avail) return false;
    uint64_t x = keepMarker ? p[pos] : (p[pos] & ((0x80u >> (n - 1)) - 1));
    bool allOnes = x == ((0x80u >> (n - 1)) - 1);
    for (int i = 1; i < n; ++i) {
      x = (x << 8) | p[pos + static_cast<size_t>(i)];
      allOnes = allOnes && p[pos + static_cast<size_t>(i)] == 0xFF;
    }
    if (!keepMarker && allOnes) return false;  // unknown size: not what a seekable mux wrote
    *v = x;
    *len = n;
    return true;
  };
  uint64_t id = 0, size = 0;
  int idLength = 0, sizeLength = 0;
  if (!vint(0, true, &id, &idLength) || idLength > 4) return false;
  if (!vint(static_cast<size_t>(idLength), false, &size, &sizeLength)) return false;
  e->id = static_cast<uint32_t>(id);
  e->start = at;
  e->data = at + static_cast<uint64_t>(idLength + sizeLength);
  e->size = size;
  e->sizeLength = sizeLength;
  return true;
}

// The children of buf[from..to) (offsets into buf); nullopt when one does not parse.
std::optional<std::vector<Element>> children(const Bytes& buf, uint64_t from, uint64_t to) {
  std::vector<Element> out;
  for (uint64_t at = from; at < to;) {
    Element e;
    if (!parseHeader(buf.data() + at, static_cast<size_t>(to - at), at, &e) || e.end() > to)
      return std::nullopt;
    out.push_back(e);
    at = e.end();
  }
  return out;
}

uint64_t readUint(const Bytes& buf, const Element& e) {
  uint64_t v = 0;
  for (uint64_t i = 0; i < e.size && i < 8; ++i) v = (v << 8) | buf[e.data + i];
  return v;
}

void putId(Bytes* out, uint32_t id) {
  int n = id > 0xFFFFFF ? 4 : id > 0xFFFF ? 3 : id > 0xFF ? 2 : 1;
  for (int i = n - 1; i >= 0; --i) out->push_back(static_cast<uint8_t>(id >> (8 * i)));
}

// A size as an EBML vint of exactly length bytes; false when it does not fit.
bool putSize(uint8_t* p, uint64_t size, int length) {
  if (length < 1 || length > 8 || size >= (1ull << (7 * length)) - 1) return false;
  for (int i = length - 1; i >= 0; --i) {
    p[i] = static_cast<uint8_t>(size & 0xFF);
    size >>= 8;
  }
  p[0] |= static_cast<uint8_t>(0x80u >> (length - 1));
  return true;
}

void putElement(Bytes* out, uint32_t id, const Bytes& payload) {
  putId(out, id);
  int length = 1;
  while (payload.size() >= (1ull << (7 * length)) - 1) ++length;
  size_t at = out->size();
  out->resize(at + static_cast<size_t>(length));
  putSize(out->data() + at, payload.size(), length);
  out->insert(out->end(), payload.begin(), payload.end());
}

void putUint(Bytes* out, uint32_t id, uint64_t v) {
  Bytes payload;
  for (int i = 7; i >= 0; --i) {
    uint8_t b = static_cast<uint8_t>(v >> (8 * i));
    if (b || !payload.empty() || i == 0) payload.push_back(b);
  }
  putElement(out, id, payload);
}

class File {
 public:
  explicit File(const std::string& path) : fd_(::open(path.c_str(), O_RDWR | O_CLOEXEC)) {}
  ~File() {
    if (fd_ >= 0) ::close(fd_);
  }
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  bool ok() const { return fd_ >= 0; }
  uint64_t size() const {
    struct stat st {};
    return fstat(fd_, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  }
  bool read(uint64_t at, uint64_t n, Bytes* out) const {
    out->resize(static_cast<size_t>(n));
    size_t done = 0;
    while (done < n) {
      ssize_t r = ::pread(fd_, out->data() + done, n - done, static_cast<off_t>(at + done));
      if (r <= 0) return false;
      done += static_cast<size_t>(r);
    }
    return true;
  }
  bool write(uint64_t at, const uint8_t* p, size_t n) const {
    size_t done = 0;
    while (done < n) {
      ssize_t r = ::pwrite(fd_, p + done, n - done, static_cast<off_t>(at + done));
      if (r <= 0) return false;
      done += static_cast<size_t>(r);
    }
    return true;
  }
  bool truncate(uint64_t size) const { return ::ftruncate(fd_, static_cast<off_t>(size)) == 0; }
  bool sync() const { return ::fsync(fd_) == 0; }

 private:
  int fd_;
};

// An element header read from the file at `at`.
bool headerAt(const File& f, uint64_t at, uint64_t fileSize, Element* e) {
  Bytes b;
  uint64_t n = std::min<uint64_t>(12, fileSize - at);
  return f.read(at, n, &b) && parseHeader(b.data(), b.size(), at, e) && e->end() <= fileSize;
}

// The new Cues: every CuePoint also names, at its first position's cluster, each track
// that it does not name yet.
std::optional<Bytes> completeCues(const Bytes& cues, const std::set<uint64_t>& tracks) {
  auto points = children(cues, 0, cues.size());
  if (!points) return std::nullopt;
  Bytes body;
  for (const Element& point : *points) {
    if (point.id != kCuePoint) {
      body.insert(body.end(), cues.begin() + static_cast<long>(point.start),
                  cues.begin() + static_cast<long>(point.end()));
      continue;
    }
    auto fields = children(cues, point.data, point.end());
    if (!fields) return std::nullopt;
    Bytes payload(cues.begin() + static_cast<long>(point.data),
                  cues.begin() + static_cast<long>(point.end()));
    std::set<uint64_t> named;
    std::optional<uint64_t> cluster;
    for (const Element& f : *fields) {
      if (f.id != kCueTrackPositions) continue;
      auto pos = children(cues, f.data, f.end());
      if (!pos) return std::nullopt;
      for (const Element& p : *pos) {
        if (p.id == kCueTrack) named.insert(readUint(cues, p));
        if (p.id == kCueClusterPosition && !cluster) cluster = readUint(cues, p);
      }
    }
    if (!cluster) return std::nullopt;
    for (uint64_t track : tracks) {
      if (named.count(track)) continue;
      Bytes positions;
      putUint(&positions, kCueTrack, track);
      putUint(&positions, kCueClusterPosition, *cluster);
      putElement(&payload, kCueTrackPositions, positions);
    }
    putElement(&body, kCuePoint, payload);
  }
  Bytes out;
  putElement(&out, kCues, body);
  return out;
}

}  // namespace

bool WebmCueIndex::indexEveryTrack(const std::string& path, std::string* error) {
  File f(path);
  if (!f.ok()) {
    *error = "cannot open " + path;
    return false;
  }
  uint64_t fileSize = f.size();
  // The Segment after the EBML header, then its level-1 children, by their headers only.
  Element ebml, segment;
  if (!headerAt(f, 0, fileSize, &ebml) || !headerAt(f, ebml.end(), fileSize, &segment) ||
      segment.id != kSegment) {
    *error = "not a WebM with a known-size Segment";
    return false;
  }
  std::map<uint32_t, Element> firstOf;
  std::vector<Element> level1;
  for (uint64_t at = segment.data; at < segment.end();) {
    Element e;
    if (!headerAt(f, at, fileSize, &e) || e.end() > segment.end()) {
      *error = "a Segment element that does not parse at byte " + std::to_string(at);
      return false;
    }
    level1.push_back(e);
    firstOf.emplace(e.id, e);
    at = e.end();
  }
  if (!firstOf.count(kCues) || !firstOf.count(kTracks) || !firstOf.count(kSeekHead)) {
    *error = "no Cues, Tracks or SeekHead (was the file written for streaming?)";
    return false;
  }
  const Element cuesEl = firstOf[kCues];
  const Element tracksEl = firstOf[kTracks];
  const Element seekEl = firstOf[kSeekHead];
  if (segment.end() - cuesEl.start > kMaxInMemory || tracksEl.size > kMaxInMemory ||
      seekEl.size > kMaxInMemory || segment.end() != fileSize) {
    *error = "an unexpected layout (Cues too large, or data after the Segment)";
    return false;
  }

  Bytes tracks;
  std::set<uint64_t> numbers;
  if (!f.read(tracksEl.data, tracksEl.size, &tracks)) {
    *error = "cannot read the Tracks";
    return false;
  }
  auto entries = children(tracks, 0, tracks.size());
  for (const Element& t : entries ? *entries : std::vector<Element>{}) {
    if (t.id != kTrackEntry) continue;
    auto fields = children(tracks, t.data, t.end());
    for (const Element& x : fields ? *fields : std::vector<Element>{})
      if (x.id == kTrackNumber) numbers.insert(readUint(tracks, x));
  }
  if (numbers.empty()) {
    *error = "no tracks";
    return false;
  }

  Bytes cues, tail;
  if (!f.read(cuesEl.data, cuesEl.size, &cues) ||
      !f.read(cuesEl.end(), segment.end() - cuesEl.end(), &tail)) {
    *error = "cannot read the Cues";
    return false;
  }
  std::optional<Bytes> newCues = completeCues(cues, numbers);
  if (!newCues) {
    *error = "Cues that do not parse";
    return false;
  }
  int64_t delta =
      static_cast<int64_t>(newCues->size()) - static_cast<int64_t>(cuesEl.end() - cuesEl.start);

  // SeekHead positions (relative to the Segment's data) past the Cues move by delta.
  Bytes seek;
  if (!f.read(seekEl.data, seekEl.size, &seek)) {
    *error = "cannot read the SeekHead";
    return false;
  }
  auto seeks = children(seek, 0, seek.size());
  if (!seeks) {
    *error = "a SeekHead that does not parse";
    return false;
  }
  std::vector<std::pair<uint64_t, Bytes>> patches;  // file offset, bytes
  for (const Element& s : *seeks) {
    if (s.id != kSeek) continue;
    auto fields = children(seek, s.data, s.end());
    for (const Element& x : fields ? *fields : std::vector<Element>{}) {
      if (x.id != kSeekPosition) continue;
      uint64_t pos = readUint(seek, x);
      if (pos <= cuesEl.start - segment.data) continue;
      uint64_t moved = static_cast<uint64_t>(static_cast<int64_t>(pos) + delta);
      Bytes b(static_cast<size_t>(x.size));
      for (size_t i = 0; i < b.size(); ++i)
        b[b.size() - 1 - i] = static_cast<uint8_t>(i < 8 ? moved >> (8 * i) : 0);
      if (x.size < 8 && (moved >> (8 * x.size)) != 0) {
        *error = "a SeekHead position too narrow for its new value";
        return false;
      }
      patches.emplace_back(seekEl.data + x.data, std::move(b));
    }
  }
  Bytes segmentSize(static_cast<size_t>(segment.sizeLength));
  if (!putSize(segmentSize.data(),
               static_cast<uint64_t>(static_cast<int64_t>(segment.size) + delta),
               segment.sizeLength)) {
    *error = "the Segment's size field is too narrow";
    return false;
  }
  patches.emplace_back(segment.data - static_cast<uint64_t>(segment.sizeLength), segmentSize);

  Bytes rewritten = std::move(*newCues);
  rewritten.insert(rewritten.end(), tail.begin(), tail.end());
  bool ok = f.write(cuesEl.start, rewritten.data(), rewritten.size()) &&
            f.truncate(cuesEl.start + rewritten.size());
  for (const auto& [at, bytes] : patches) ok = ok && f.write(at, bytes.data(), bytes.size());
  if (!ok || !f.sync()) {
    *error = "cannot write " + path;
    return false;
  }
  return true;
}

}  // namespace carrel::recorder
