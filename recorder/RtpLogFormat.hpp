// The captured-track file (".rtp"): the RTP packets of one published track as they arrived,
// unchanged (no depayloading, no transcoding), each with its arrival time. Chosen over a
// muxer because a plain append-only log is readable after the writer is killed at any point:
// a reader stops at the first incomplete record, so a kill -9 loses only what was not yet
// flushed (the writer flushes at least every kFlushIntervalUs). Matroska with
// streamable=true would also survive truncation, but needs a depayloader and a muxer on the
// SFU's recording thread; this log costs one memcpy per packet (as janus' .mjr files do).
//
//   header : "CRLRTP01" | u16 caps length | caps (GStreamer caps string, UTF-8)
//   record : u16 packet length | u64 arrival time (µs, g_get_real_time) | packet bytes
// All integers big-endian.
#pragma once

#include <cstddef>
#include <cstdint>

namespace carrel::recorder {

inline constexpr char kRtpLogMagic[8] = {'C', 'R', 'L', 'R', 'T', 'P', '0', '1'};
inline constexpr size_t kRtpLogMaxCaps = 4096;
// A record's packet is at least an RTP header and at most what a u16 holds.
inline constexpr size_t kRtpMinPacket = 12;
inline constexpr size_t kRtpRecordHeader = 2 + 8;
// The most that a kill -9 of the writer can lose (the issue allows 2 s).
inline constexpr int64_t kFlushIntervalUs = 500 * 1000;

}  // namespace carrel::recorder
