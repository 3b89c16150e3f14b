// Upload type sniffing: magic numbers, UTF-8 text across chunk boundaries, and refusals
// whatever the file claims to be.
#include <gtest/gtest.h>

#include "ContentSniffer.hpp"

using namespace carrel::control;

namespace {

std::optional<std::string> sniff(const std::string& bytes, size_t chunk = 4096) {
  ContentSniffer s;
  for (size_t at = 0; at < bytes.size(); at += chunk) {
    s.feed(bytes.data() + at, std::min(chunk, bytes.size() - at));
  }
  return s.type();
}

}  // namespace

TEST(ContentSniffer, MagicNumbers) {
  EXPECT_EQ(sniff("%PDF-1.7\n%\xE2\xE3\xCF\xD3 binary"), "application/pdf");
  EXPECT_EQ(sniff(std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16)), "image/png");
  EXPECT_EQ(sniff("\xFF\xD8\xFF\xE0\x00\x10JFIF"), "image/jpeg");
  EXPECT_EQ(sniff("GIF89a\x01\x00"), "image/gif");
  EXPECT_EQ(sniff(std::string("RIFF\x24\0\0\0WEBPVP8 ", 16)), "image/webp");
  // Magic split over one-byte chunks is still found.
  EXPECT_EQ(sniff("%PDF-1.4 rest", 1), "application/pdf");
}

TEST(ContentSniffer, Utf8TextEvenWhenChunksCutCharacters) {
  std::string text = "Notes \xC3\xA9t\xC3\xA9 \xF0\x9F\x98\x80 \xE2\x82\xAC\n";
  for (size_t chunk : {1u, 2u, 3u, 5u, 4096u}) {
    EXPECT_EQ(sniff(text, chunk), "text/plain; charset=utf-8") << chunk;
  }
  EXPECT_EQ(sniff("<html><script>alert(1)</script></html>"), "text/plain; charset=utf-8");
}

TEST(ContentSniffer, RefusesWhatIsNotOnTheList) {
  EXPECT_EQ(sniff(""), std::nullopt);
  EXPECT_EQ(sniff(std::string("text with a \0 NUL", 17)), std::nullopt);
  EXPECT_EQ(sniff("latin-1 caf\xE9"), std::nullopt);
  EXPECT_EQ(sniff("cut at the end \xF0\x9F\x98"), std::nullopt);
  EXPECT_EQ(sniff("\x7F"
                  "ELF\x02\x01\x01"),
            std::nullopt);
  EXPECT_EQ(sniff(std::string("PK\x03\x04\x14\0\0\0", 8)), std::nullopt);  // zip, docx
  EXPECT_EQ(sniff(std::string("MZ\x90\0\x03\0\0\0", 8)), std::nullopt);
  EXPECT_EQ(sniff(std::string("RIFF\x24\0\0\0WAVEfmt ", 16)), std::nullopt);
}
