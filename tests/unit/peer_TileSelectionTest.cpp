// carrel-peer's grid: the first N participants' cameras or the named ones, plus every screen.
#include <gtest/gtest.h>

#include "TileSelection.hpp"

using carrel::peer::TileSelection;
using Track = TileSelection::Track;

TEST(PeerTileSelection, FirstNInJoinOrderPlusScreens) {
  TileSelection t(2, {});
  t.addParticipant("p1", "ana");
  t.addParticipant("p2", "ben");
  t.addParticipant("p3", "cid");
  t.addScreen("p3", "screen0");
  EXPECT_EQ(t.selected(),
            (std::vector<Track>{{"p1", "video0"}, {"p2", "video0"}, {"p3", "screen0"}}));
  t.removeParticipant("p1");
  EXPECT_EQ(t.selected(),
            (std::vector<Track>{{"p2", "video0"}, {"p3", "video0"}, {"p3", "screen0"}}));
  t.removeScreen("p3", "screen0");
  EXPECT_EQ(t.selected().size(), 2u);
}

TEST(PeerTileSelection, NamedTilesAndRetile) {
  TileSelection t(-1, {"ben"});
  t.addParticipant("p1", "ana");
  t.addParticipant("p2", "ben");
  EXPECT_EQ(t.selected(), (std::vector<Track>{{"p2", "video0"}}));
  t.setNames({"ana"});
  EXPECT_EQ(t.selected(), (std::vector<Track>{{"p1", "video0"}}));
  t.addParticipant("p1", "ana");  // known already: no second tile
  EXPECT_EQ(t.selected().size(), 1u);
}

TEST(PeerTileSelection, NothingButScreensWithoutTiles) {
  TileSelection t(-1, {});
  t.addParticipant("p1", "ana");
  EXPECT_TRUE(t.selected().empty());
  t.addScreen("p1", "screen0");
  EXPECT_EQ(t.selected(), (std::vector<Track>{{"p1", "screen0"}}));
}
