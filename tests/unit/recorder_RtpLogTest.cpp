// The captured-track file: what the SFU writes reads back unchanged, and a file cut anywhere
// (a kill -9 mid-write) reads up to its last complete packet and no further.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "RtpLogReader.hpp"
#include "RtpLogWriter.hpp"

using namespace carrel::recorder;

namespace {

std::string tempPath(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("carrel-rtplog-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto p = dir / name;
  std::filesystem::remove(p);
  return p.string();
}

std::vector<uint8_t> packet(uint16_t seq, size_t size) {
  std::vector<uint8_t> p(size, 0xab);
  p[0] = 0x80;
  p[1] = 96;
  p[2] = static_cast<uint8_t>(seq >> 8);
  p[3] = static_cast<uint8_t>(seq);
  return p;
}

}  // namespace

TEST(RtpLog, PacketsReadBackAsWritten) {
  std::string path = tempPath("roundtrip.rtp");
  {
    RtpLogWriter w;
    std::string error;
    ASSERT_TRUE(w.open(path, &error)) << error;
    EXPECT_FALSE(w.open(path, &error)) << "an existing file is never overwritten";
    ASSERT_TRUE(w.writeHeader("application/x-rtp, media=(string)video"));
    for (uint16_t i = 0; i < 100; ++i) w.append(1000 + i, packet(i, 100 + i).data(), 100 + i);
    w.append(5, packet(0, 4).data(), 4);  // shorter than an RTP header
    EXPECT_EQ(w.packets(), 100u);
    EXPECT_EQ(w.dropped(), 1u);
    EXPECT_EQ(w.firstUs(), 1000);
    EXPECT_EQ(w.lastUs(), 1099);
  }
  RtpLogReader r;
  std::string error;
  ASSERT_TRUE(r.open(path, &error)) << error;
  EXPECT_EQ(r.caps(), "application/x-rtp, media=(string)video");
  RtpLogReader::Packet p;
  for (uint16_t i = 0; i < 100; ++i) {
    ASSERT_TRUE(r.next(&p)) << i;
    EXPECT_EQ(p.arrivalUs, 1000 + i);
    EXPECT_EQ(p.data, packet(i, 100 + i));
  }
  EXPECT_FALSE(r.next(&p));
  EXPECT_FALSE(r.truncated());
}

TEST(RtpLog, ACutFileReadsToItsLastCompletePacket) {
  std::string path = tempPath("cut.rtp");
  {
    RtpLogWriter w;
    std::string error;
    ASSERT_TRUE(w.open(path, &error));
    ASSERT_TRUE(w.writeHeader("application/x-rtp"));
    for (uint16_t i = 0; i < 10; ++i) w.append(i, packet(i, 200).data(), 200);
  }
  auto full = std::filesystem::file_size(path);
  const size_t record = 10 + 200;
  // Cut inside the 8th record's packet, then inside its header.
  for (size_t cut : {full - 2 * record - 50, full - 2 * record - record + 3}) {
    std::filesystem::resize_file(path, cut);
    RtpLogReader r;
    std::string error;
    ASSERT_TRUE(r.open(path, &error));
    RtpLogReader::Packet p;
    int n = 0;
    while (r.next(&p)) ++n;
    EXPECT_EQ(n, 7) << "cut at " << cut;
    EXPECT_TRUE(r.truncated());
  }
}

TEST(RtpLog, NotATrackFileIsRefused) {
  std::string path = tempPath("garbage.rtp");
  std::ofstream(path) << "hello, this is not a track";
  RtpLogReader r;
  std::string error;
  EXPECT_FALSE(r.open(path, &error));
  EXPECT_NE(error.find("not a Carrel track file"), std::string::npos);
  EXPECT_FALSE(r.open(tempPath("missing.rtp"), &error));
}
