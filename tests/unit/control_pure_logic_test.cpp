// Pure pieces of the control plane: placement choice, node load parsing, room directory
// entries, migration file names and script splitting, static file resolution.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "Json.hpp"
#include "Migrations.hpp"
#include "RoomDirectory.hpp"
#include "SfuPlacement.hpp"
#include "StaticFiles.hpp"
#include "TestEnv.hpp"

using namespace carrel;
using namespace carrel::control;
namespace fs = std::filesystem;

TEST(ControlSfuPlacement, PicksTheLeastLoadedLiveNode) {
  EXPECT_FALSE(SfuPlacement::pickLeastLoaded({}).has_value());
  EXPECT_EQ(*SfuPlacement::pickLeastLoaded({{"a", 3}, {"b", 1}, {"c", 2}}), "b");
  EXPECT_EQ(*SfuPlacement::pickLeastLoaded({{"z", 1}, {"m", 1}, {"q", 5}}), "m");  // ties: by id
  EXPECT_EQ(*SfuPlacement::pickLeastLoaded({{"only", 99.5}}), "only");
}

TEST(ControlSfuPlacement, ParsesLoad) {
  EXPECT_EQ(*SfuPlacement::parseLoad(R"({"node":"s","load":3,"rooms":1,"peers":3,"ts":1})"), 3.0);
  EXPECT_DOUBLE_EQ(*SfuPlacement::parseLoad(R"({"load":0.25})"), 0.25);
  EXPECT_FALSE(SfuPlacement::parseLoad(R"({"load":"high"})").has_value());
  EXPECT_FALSE(SfuPlacement::parseLoad("{").has_value());
  EXPECT_FALSE(SfuPlacement::parseLoad(R"({"node":"s"})").has_value());
}

TEST(ControlRoomDirectory, EntriesRoundTrip) {
  JsonArrayPtr tracks(json_array_new());
  json::Object t;
  t.set("track", "v0").set("kind", "video");
  json_array_add_object_element(tracks.get(), t.take().release());
  ParticipantEntry e{"p1", "Ana", "ctl-a", std::move(tracks)};
  std::string text = RoomDirectory::encodeEntry(e);
  auto back = RoomDirectory::decodeEntry("p1", text);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->participant, "p1");
  EXPECT_EQ(back->name, "Ana");
  EXPECT_EQ(back->node, "ctl-a");
  ASSERT_EQ(json_array_get_length(back->tracks.get()), 1u);
  EXPECT_EQ(json::getString(json_array_get_object_element(back->tracks.get(), 0), "kind"), "video");
  EXPECT_FALSE(RoomDirectory::decodeEntry("p1", "not json"));
  EXPECT_FALSE(RoomDirectory::decodeEntry("p1", R"({"node":"x"})"));
  auto noTracks = RoomDirectory::decodeEntry("p2", R"({"name":"B"})");
  ASSERT_TRUE(noTracks);
  EXPECT_EQ(json_array_get_length(noTracks->tracks.get()), 0u);
  EXPECT_EQ(RoomDirectory::participantsKey("algebra"), "carrel:room:algebra:participants");
  EXPECT_EQ(RoomDirectory::eventsChannel("algebra"), "carrel:roomev:algebra");
}

TEST(ControlMigrations, FileNames) {
  auto m = Migrations::parseFileName("001_initial.sql");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->version, 1);
  EXPECT_EQ(m->name, "initial");
  EXPECT_EQ(Migrations::parseFileName("120_add_users.sql")->version, 120);
  for (const char* bad : {"1_initial.sql", "001initial.sql", "001_.sql", "001_initial.txt",
                          "abc_initial.sql", "001_in-itial.sql", "001_initial.sql~"}) {
    EXPECT_FALSE(Migrations::parseFileName(bad)) << bad;
  }
}

TEST(ControlMigrations, SplitsStatementsOutsideQuotesAndComments) {
  auto s = Migrations::splitStatements(
      "-- a comment; with a semicolon\n"
      "CREATE TABLE a (x VARCHAR(3) DEFAULT ';');\n"
      "/* block; comment */ INSERT INTO a VALUES ('it''s; fine', \"q;\", `c;`);\n"
      "# hash comment;\n"
      "  ;  \n"
      "SELECT 1");
  ASSERT_EQ(s.size(), 3u);
  EXPECT_NE(s[0].find("DEFAULT ';'"), std::string::npos);
  EXPECT_NE(s[1].find("'it''s; fine'"), std::string::npos);
  EXPECT_EQ(s[1].find("block"), std::string::npos);
  EXPECT_NE(s[2].find("SELECT 1"), std::string::npos);
  EXPECT_TRUE(Migrations::splitStatements("-- only a comment\n").empty());
}

TEST(ControlMigrations, DatabaseNames) {
  EXPECT_TRUE(Migrations::isValidDatabaseName("carrel_test1"));
  EXPECT_FALSE(Migrations::isValidDatabaseName(""));
  EXPECT_FALSE(Migrations::isValidDatabaseName("a`b"));
  EXPECT_FALSE(Migrations::isValidDatabaseName("a-b"));
  EXPECT_FALSE(Migrations::isValidDatabaseName(std::string(65, 'a')));
}

TEST(ControlMigrations, TheShippedMigrationsScan) {
  std::string why;
  auto files = Migrations::scan(test::sourceDir() + "/control/migrations", &why);
  ASSERT_TRUE(files) << why;
  ASSERT_FALSE(files->empty());
  EXPECT_EQ(files->front().version, 1);
  for (size_t i = 1; i < files->size(); ++i)
    EXPECT_LT((*files)[i - 1].version, (*files)[i].version);
}

TEST(ControlStaticFiles, ResolvesInsideTheRootOnly) {
  std::string dir = test::artifactDir("ControlStaticFiles");
  fs::create_directories(dir + "/root/sub");
  std::ofstream(dir + "/root/index.html") << "<p>hi</p>";
  std::ofstream(dir + "/root/sub/app.js") << "export {}";
  std::ofstream(dir + "/secret.txt") << "secret";
  fs::create_symlink(dir + "/secret.txt", dir + "/root/leak.txt");
  fs::create_symlink(dir + "/root/sub/app.js", dir + "/root/alias.js");
  StaticFiles files(dir + "/root");
  std::string root = fs::canonical(dir + "/root").string();
  EXPECT_EQ(files.resolve("/"), root + "/index.html");
  EXPECT_EQ(files.resolve("/index.html"), root + "/index.html");
  EXPECT_EQ(files.resolve("/sub/app.js"), root + "/sub/app.js");
  EXPECT_EQ(files.resolve("/sub/%61pp.js"), root + "/sub/app.js");
  EXPECT_EQ(files.resolve("/alias.js"), root + "/sub/app.js");  // a link inside the root is fine
  EXPECT_FALSE(files.resolve("/leak.txt"));                     // a link out of it is not
  EXPECT_FALSE(files.resolve("/../secret.txt"));
  EXPECT_FALSE(files.resolve("/sub/../../secret.txt"));
  EXPECT_FALSE(files.resolve("/%2e%2e/secret.txt"));
  EXPECT_FALSE(files.resolve("/sub/..%2f..%2fsecret.txt"));
  EXPECT_FALSE(files.resolve("/sub/../index.html"));  // any ".." is refused
  EXPECT_FALSE(files.resolve("/missing.html"));
  EXPECT_FALSE(files.resolve("/index.html%00.js"));
  EXPECT_FALSE(files.resolve("relative"));
}

TEST(ControlStaticFiles, ContentTypes) {
  EXPECT_STREQ(StaticFiles::contentTypeFor("/a/index.html"), "text/html; charset=utf-8");
  EXPECT_STREQ(StaticFiles::contentTypeFor("app.js"), "text/javascript");
  EXPECT_STREQ(StaticFiles::contentTypeFor("s.css"), "text/css");
  EXPECT_STREQ(StaticFiles::contentTypeFor("i.svg"), "image/svg+xml");
  EXPECT_STREQ(StaticFiles::contentTypeFor("i.png"), "image/png");
  EXPECT_STREQ(StaticFiles::contentTypeFor("d.json"), "application/json");
  EXPECT_STREQ(StaticFiles::contentTypeFor("dir.v2/file"), "application/octet-stream");
}
