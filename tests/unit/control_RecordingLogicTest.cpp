// Recording's pure control-plane rules: HTTP byte ranges, share links, who may do what.
#include <gtest/gtest.h>

#include "ByteRange.hpp"
#include "RecordingPermission.hpp"
#include "ShareLinks.hpp"

using namespace carrel::control;

TEST(ByteRange, TheFormsBrowsersSend) {
  auto r = ByteRange::parse("bytes=0-", 1000);
  EXPECT_EQ(r.kind, ByteRange::Kind::Partial);
  EXPECT_EQ(r.first, 0u);
  EXPECT_EQ(r.last, 999u);
  EXPECT_EQ(r.contentRange(1000), "bytes 0-999/1000");
  r = ByteRange::parse("bytes=100-199", 1000);
  EXPECT_EQ(r.length(), 100u);
  EXPECT_EQ(r.contentRange(1000), "bytes 100-199/1000");
  r = ByteRange::parse("bytes=900-5000", 1000);
  EXPECT_EQ(r.last, 999u);
  r = ByteRange::parse("bytes=-100", 1000);
  EXPECT_EQ(r.first, 900u);
  EXPECT_EQ(r.last, 999u);
  r = ByteRange::parse("bytes=-5000", 1000);
  EXPECT_EQ(r.first, 0u);
}

TEST(ByteRange, OutsideTheFileIs416AndNonsenseIsTheWholeFile) {
  EXPECT_EQ(ByteRange::parse("bytes=1000-", 1000).kind, ByteRange::Kind::Unsatisfiable);
  EXPECT_EQ(ByteRange::parse("bytes=1000-", 1000).contentRange(1000), "bytes */1000");
  EXPECT_EQ(ByteRange::parse("bytes=-0", 1000).kind, ByteRange::Kind::Unsatisfiable);
  for (const char* h : {"", "bytes=", "bytes=a-b", "bytes=5-1", "items=0-1", "bytes=0-1,5-6",
                        "bytes=-", "bytes=99999999999999999999-", "bytes=+1-2"}) {
    auto r = ByteRange::parse(h, 1000);
    EXPECT_EQ(r.kind, ByteRange::Kind::Whole) << h;
    EXPECT_EQ(r.last, 999u) << h;
  }
}

TEST(ShareLinks, IssuedLinkOpensItsRecordingUntilItExpires) {
  ShareLinks links(std::string(64, 'k'));
  std::string t = links.issue("rec-1", 2000);
  std::string why;
  EXPECT_EQ(links.check(t, 1999, &why).value_or(""), "rec-1");
  EXPECT_FALSE(links.check(t, 2000, &why));
  EXPECT_EQ(why, "expired");
  ShareLinks other(std::string(64, 'x'));
  EXPECT_FALSE(other.check(t, 1000, &why));
  EXPECT_EQ(why, "bad signature");
  std::string forged = t;
  forged.replace(forged.find("rec-1"), 5, "rec-2");
  EXPECT_FALSE(links.check(forged, 1000, &why));
  for (const char* bad : {"", "r1.", "r1..1.", "x1.rec.1.ab", "r1.rec.abc.00"}) {
    EXPECT_FALSE(links.check(bad, 1000, &why)) << bad;
  }
}

TEST(RecordingPermission, OwnerModeratorAndAdminRecordOthersWatchPublicRoomsOnly) {
  RecordingRoom pub{7, false}, priv{7, true}, ownerless{0, false};
  RecordingActor owner{7, false}, admin{9, true}, member{8, false}, guest{0, false};
  RecordingActor moderator{10, false, true};
  EXPECT_TRUE(RecordingPermission::mayRecord(moderator, priv));
  EXPECT_FALSE(RecordingPermission::mayManage(moderator, pub, 7))
      << "a moderator records, but deleting and sharing stay with the owner";
  EXPECT_TRUE(RecordingPermission::mayManage(moderator, pub, 10)) << "who started it";
  EXPECT_TRUE(RecordingPermission::mayRecord(owner, pub));
  EXPECT_TRUE(RecordingPermission::mayRecord(admin, priv));
  EXPECT_FALSE(RecordingPermission::mayRecord(member, pub));
  EXPECT_FALSE(RecordingPermission::mayRecord(guest, ownerless));
  EXPECT_TRUE(RecordingPermission::mayManage(member, pub, 8)) << "who started it";
  EXPECT_FALSE(RecordingPermission::mayManage(member, pub, 7));
  EXPECT_TRUE(RecordingPermission::mayWatch(member, pub, 7));
  EXPECT_FALSE(RecordingPermission::mayWatch(member, priv, 7));
  EXPECT_FALSE(RecordingPermission::mayWatch(guest, pub, 7));
}
