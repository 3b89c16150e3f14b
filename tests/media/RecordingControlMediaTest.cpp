// Recording through the control plane (issue 8): the room's owner starts and stops it over the
// WebSocket, everyone in the room (and a later joiner) is told, the catalog in MariaDB fills
// in, control's render queue renders it, and the video is served with HTTP ranges, to share
// links until they expire, and to nobody else.
#include <glib/gstdio.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "CarrelStack.hpp"
#include "Json.hpp"
#include "MariaDbServer.hpp"
#include "MediaTestUtil.hpp"
#include "PeerOutput.hpp"
#include "Process.hpp"
#include "RawHttp.hpp"
#include "TestEnv.hpp"
#include "WsClient.hpp"

using namespace carrel;
using namespace carrel::test;
using namespace std::chrono_literals;

namespace {

struct Http {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  JsonObjectPtr json() const { return json::parseObject(body, nullptr); }
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

// One HTTP/1.1 request (Connection: close), the response read to its end.
Http http(int port, const std::string& method, const std::string& target, const std::string& body,
          const std::string& extraHeaders = "") {
  std::string extra = extraHeaders;
  if (!body.empty()) {
    extra +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  RawHttp h = RawHttp::exchange(port, RawHttp::head(method, target, extra) + "\r\n" + body);
  return {h.status, h.headers, h.body};
}

std::string bearer(const std::string& token) {
  return "Authorization: Bearer " + token + "\r\n";
}

std::string signIn(int port, const std::string& login, const std::string& name) {
  json::Object up;
  up.set("login", login).set("password", "password-123").set("display_name", name);
  http(port, "POST", "/api/v1/auth/signup", up.str());
  json::Object in;
  in.set("login", login).set("password", "password-123");
  auto r = http(port, "POST", "/api/v1/auth/login", in.str()).json();
  return json::getString(r.get(), "token").value_or("");
}

std::string wsUrl(int port, const std::string& token) {
  return "ws://127.0.0.1:" + std::to_string(port) + "/ws?token=" + token;
}

// The room's public info, as a client reads it before joining: its `recording` flag.
std::optional<bool> infoSaysRecording(int port, const std::string& token) {
  auto info = http(port, "GET", "/api/v1/rooms/recroom", "", bearer(token)).json();
  JsonObject* room = json::getObject(info.get(), "room");
  if (!room) return std::nullopt;
  return json::getBool(room, "recording");
}

// The room as the room list (GET /rooms) shows it: its `recording` flag.
std::optional<bool> listSaysRecording(int port, const std::string& token) {
  auto list = http(port, "GET", "/api/v1/rooms?q=Recorded", "", bearer(token)).json();
  JsonArray* rooms = json::getArray(list.get(), "rooms");
  for (guint i = 0; rooms && i < json_array_get_length(rooms); ++i) {
    JsonObject* r = json_array_get_object_element(rooms, i);
    if (json::getString(r, "id").value_or("") == "recroom") return json::getBool(r, "recording");
  }
  return std::nullopt;
}

bool joinRoom(WsClient& c, int port, const std::string& token, const std::string& name) {
  if (!c.connect(wsUrl(port, token)) || c.hello(name).empty()) return false;
  c.send(R"({"type":"join","room":"recroom"})");
  return c.waitForType("joined", 20000ms) != nullptr;
}

bool isRecording(JsonObject* m, bool active) {
  return json::getString(m, "type").value_or("") == "recording" &&
         json::getBool(m, "active").value_or(!active) == active;
}

std::string fileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST(RecordingControlMedia, OwnerRecordsRoomIsToldCatalogRendersAndVideoIsServed) {
  std::string dir = artifactDir(currentTestName());
  std::string recordings = dir + "/recordings";
  MariaDbServer db(dir + "/db");
  StackOptions o;
  o.controlNodes = 2;  // Max is on the second node: told there too, before and after joining
  o.membersWithoutMedia = true;  // the owner and member are WsClients
  o.sfuArgs = {"--recordings-dir", recordings};
  o.controlArgs = {"--mysql-socket",   db.socket(), "--mysql-database", "carrel_rec",
                   "--recordings-dir", recordings,  "--render-size",    "320x180",
                   "--render-fps",     "10"};
  CarrelStack stack(dir, o);
  int port = stack.controlPort();
  int port2 = stack.controlPort(1);
  std::string olga = signIn(port, "olga", "Olga"), ana = signIn(port, "ana", "Ana"),
              max = signIn(port, "max", "Max"), lena = signIn(port, "lena", "Lena");
  ASSERT_FALSE(olga.empty() || ana.empty() || max.empty() || lena.empty());
  ASSERT_EQ(
      http(port, "POST", "/api/v1/rooms", R"({"id":"recroom","title":"Recorded"})", bearer(olga))
          .status,
      201);

  auto peer = stack.startPeer("ana", {"--room", "recroom", "--json", "--token", ana});
  ASSERT_FALSE(waitForWelcome(*peer, 20s).empty()) << peer->logPath();
  WsClient owner, member;
  ASSERT_TRUE(joinRoom(owner, port, olga, "Olga"));
  ASSERT_TRUE(joinRoom(member, port2, max, "Max"));
  ASSERT_TRUE(eventually([&] { return !peerEvents(*peer, "joined").empty(); }, 20s));
  std::this_thread::sleep_for(3s);  // ana's tracks published
  EXPECT_EQ(infoSaysRecording(port, lena), std::optional<bool>(false));
  EXPECT_EQ(infoSaysRecording(port2, lena), std::optional<bool>(false));

  member.send(R"({"type":"record_start","id":"m1"})");
  EXPECT_TRUE(member.waitForError("forbidden", "m1", 10000ms)) << "a member cannot record";
  owner.send(R"({"type":"record_start","id":"o1"})");
  auto started = owner.waitFor([](JsonObject* m) { return isRecording(m, true); }, 15000ms);
  ASSERT_TRUE(started) << "the owner was not told the room records";
  EXPECT_TRUE(member.waitFor([](JsonObject* m) { return isRecording(m, true); }, 5000ms));
  std::string id = json::getString(started.get(), "recording").value_or("");
  auto startedAt = std::chrono::steady_clock::now();
  owner.send(R"({"type":"record_start","id":"o2"})");
  EXPECT_TRUE(owner.waitForError("already_recording", "o2", 10000ms));

  // A joiner is told before joining, by the room's info on either node, and right after.
  // (The catalog row is written as the room is told, so it may lag the message a little.)
  EXPECT_TRUE(
      eventually([&] { return infoSaysRecording(port, lena) == std::optional<bool>(true); }, 10s));
  EXPECT_EQ(infoSaysRecording(port2, lena), std::optional<bool>(true)) << "the other node";
  EXPECT_EQ(listSaysRecording(port2, lena), std::optional<bool>(true)) << "the room list";
  WsClient late;
  ASSERT_TRUE(joinRoom(late, port, lena, "Lena"));
  EXPECT_TRUE(late.waitFor([](JsonObject* m) { return isRecording(m, true); }, 10000ms));

  std::this_thread::sleep_for(1s);
  member.send(R"({"type":"chat","text":"see you at minute two"})");
  std::this_thread::sleep_for(3s);
  // Timer phases and the board go into the recording too: a one-second study phase rings,
  // its acknowledgement is written on the board; then Lena leaves.
  owner.send(R"({"type":"timer","action":"set","study_seconds":1,"break_seconds":1,"cycles":1})");
  owner.send(R"({"type":"timer","action":"start"})");
  auto phaseIs = [](const char* phase) {
    return [phase](JsonObject* m) {
      return json::getString(m, "type").value_or("") == "timer_state" &&
             json::getString(m, "phase").value_or("") == phase;
    };
  };
  EXPECT_TRUE(owner.waitFor(phaseIs("break"), 15000ms)) << "the study phase did not end";
  owner.send(R"({"type":"timer","action":"ack","alarm":1})");
  EXPECT_TRUE(owner.waitFor(
      [](JsonObject* m) { return json::getString(m, "type").value_or("") == "board"; }, 10000ms));
  late.send(R"({"type":"leave"})");
  EXPECT_TRUE(late.waitForType("left", 10000ms));
  std::this_thread::sleep_for(1s);
  auto recordedMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - startedAt)
                        .count();
  owner.send(R"({"type":"record_stop","id":"o3"})");
  EXPECT_TRUE(owner.waitFor([](JsonObject* m) { return isRecording(m, false); }, 15000ms));
  EXPECT_TRUE(member.waitFor([](JsonObject* m) { return isRecording(m, false); }, 5000ms));
  // The catalog row leaves 'recording' when control hears the capture stopped.
  EXPECT_TRUE(eventually(
      [&] {
        return infoSaysRecording(port, lena) == std::optional<bool>(false) &&
               infoSaysRecording(port2, lena) == std::optional<bool>(false);
      },
      15s));
  EXPECT_EQ(listSaysRecording(port, lena), std::optional<bool>(false)) << "the room list";

  // The catalog: duration, participants, then the render done by control's queue.
  JsonObjectPtr rec;
  bool sawRendering = false;
  ASSERT_TRUE(eventually(
      [&] {
        auto list = http(port, "GET", "/api/v1/recordings?room=recroom", "", bearer(olga)).json();
        JsonArray* a = json::getArray(list.get(), "recordings");
        if (!a || json_array_get_length(a) != 1) return false;
        rec.reset(json_object_ref(json_array_get_object_element(a, 0)));
        std::string state = json::getString(rec.get(), "state").value_or("");
        sawRendering = sawRendering || state == "rendering";
        return state == "ready" || state == "failed";
      },
      120s));
  ASSERT_EQ(json::getString(rec.get(), "state").value_or(""), "ready");
  EXPECT_EQ(json::getString(rec.get(), "id").value_or(""), id);
  EXPECT_NEAR(static_cast<double>(json::getInt(rec.get(), "duration_ms").value_or(0)),
              static_cast<double>(recordedMs), 1500);
  EXPECT_EQ(json::getInt(rec.get(), "tracks").value_or(0), 2) << "ana's camera and microphone";
  std::string names;
  JsonArray* pa = json::getArray(rec.get(), "participants");
  for (guint i = 0; pa && i < json_array_get_length(pa); ++i)
    names += std::string(json_array_get_string_element(pa, i)) + ",";
  for (const char* who : {"Ana", "Olga", "Max", "Lena"})
    EXPECT_NE(names.find(who), std::string::npos) << names;
  // Control relayed the render's progress to the room and into the catalog.
  auto renderIs = [](const char* state) {
    return [state](JsonObject* m) {
      return json::getString(m, "type").value_or("") == "recording_render" &&
             json::getString(m, "state").value_or("") == state;
    };
  };
  auto rendering = owner.waitFor(renderIs("rendering"), 5000ms);
  ASSERT_TRUE(rendering) << "no render progress reached the room";
  EXPECT_EQ(json::getString(rendering.get(), "recording").value_or(""), id);
  EXPECT_TRUE(json_object_has_member(rendering.get(), "percent"));
  auto ready = owner.waitFor(renderIs("ready"), 5000ms);
  ASSERT_TRUE(ready);
  EXPECT_EQ(json_object_get_double_member(ready.get(), "percent"), 100.0);
  JsonObject* render = json::getObject(rec.get(), "render");
  ASSERT_TRUE(render);
  EXPECT_EQ(json_object_get_double_member(render, "percent"), 100.0);
  EXPECT_EQ(json::getInt(render, "attempts").value_or(0), 1);
  int64_t size = json::getInt(rec.get(), "size").value_or(0);
  ASSERT_GT(size, 1000);
  std::string file = fileBytes(recordings + "/" + id + "/render.webm");
  ASSERT_EQ(static_cast<int64_t>(file.size()), size);

  // Ranges.
  std::string video = "/api/v1/recordings/" + id + "/video";
  auto part = http(port, "GET", video, "", bearer(olga) + "Range: bytes=100-199\r\n");
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(part.header("content-range"), "bytes 100-199/" + std::to_string(size));
  EXPECT_EQ(part.body, file.substr(100, 100));
  auto tail = http(port, "GET", video, "", bearer(olga) + "Range: bytes=-10\r\n");
  EXPECT_EQ(tail.status, 206);
  EXPECT_EQ(tail.body, file.substr(file.size() - 10));
  auto whole = http(port, "GET", video, "", bearer(olga));
  EXPECT_EQ(whole.status, 200);
  EXPECT_EQ(whole.body, file);
  EXPECT_EQ(whole.header("accept-ranges"), "bytes");
  auto beyond =
      http(port, "GET", video, "", bearer(olga) + "Range: bytes=" + std::to_string(size) + "-\r\n");
  EXPECT_EQ(beyond.status, 416);
  EXPECT_EQ(beyond.header("content-range"), "bytes */" + std::to_string(size));
  EXPECT_EQ(http(port, "GET", video, "", "").status, 401) << "no token";

  // Share links: open the video without an account until they expire.
  auto shared =
      http(port, "POST", "/api/v1/recordings/" + id + "/share", R"({"ttl_s":2})", bearer(olga))
          .json();
  std::string link = json::getString(shared.get(), "token").value_or("");
  ASSERT_FALSE(link.empty());
  auto viaLink = http(port, "GET", video + "?share=" + link, "", "Range: bytes=0-99\r\n");
  EXPECT_EQ(viaLink.status, 206);
  EXPECT_EQ(viaLink.body, file.substr(0, 100));
  EXPECT_EQ(http(port, "GET", "/api/v1/recordings/other/video?share=" + link, "", "").status, 403);
  EXPECT_EQ(http(port, "POST", "/api/v1/recordings/" + id + "/share", "{}", bearer(max)).status,
            404)
      << "only the owner, an admin or who started it shares";
  std::this_thread::sleep_for(2500ms);
  auto expired = http(port, "GET", video + "?share=" + link, "", "");
  EXPECT_EQ(expired.status, 403);
  EXPECT_NE(expired.body.find("link_expired"), std::string::npos) << expired.body;

  // The timeline for the review page: the chat where it was said.
  auto timeline =
      http(port, "GET", "/api/v1/recordings/" + id + "/timeline", "", bearer(max)).json();
  JsonArray* events = json::getArray(timeline.get(), "events");
  ASSERT_TRUE(events);
  bool chat = false;
  for (guint i = 0; i < json_array_get_length(events); ++i) {
    JsonObject* e = json_array_get_object_element(events, i);
    if (json::getString(e, "event").value_or("") != "chat") continue;
    JsonObject* d = json::getObject(e, "data");
    chat = json::getString(d, "text").value_or("") == "see you at minute two";
    EXPECT_NEAR(static_cast<double>(json::getInt(e, "t_ms").value_or(-1)), 1500, 1500);
  }
  EXPECT_TRUE(chat) << json::stringify(timeline.get());
  // ... and the rest of the room's events on the same clock: joins, a leave, timer phases, the
  // board, in time order.
  std::map<std::string, int> seen;
  std::set<std::string> phases, boardKinds;
  int64_t last = -1;
  for (guint i = 0; i < json_array_get_length(events); ++i) {
    JsonObject* e = json_array_get_object_element(events, i);
    std::string event = json::getString(e, "event").value_or("");
    ++seen[event];
    int64_t t = json::getInt(e, "t_ms").value_or(-1);
    EXPECT_GE(t, last) << event;
    EXPECT_LE(t, recordedMs + 1500) << event;
    last = t;
    if (event == "timer_state")
      phases.insert(json::getString(json::getObject(e, "data"), "phase").value_or(""));
    if (event == "board")
      boardKinds.insert(json::getString(json::getObject(e, "data"), "kind").value_or(""));
  }
  std::string all = json::stringify(timeline.get());
  EXPECT_GE(seen["join"], 4) << all;  // Ana, Olga, Max (there at the start), Lena
  EXPECT_GE(seen["leave"], 1) << all;
  EXPECT_TRUE(boardKinds.count("ack")) << all;  // (and "king": the first to acknowledge)
  EXPECT_TRUE(phases.count("study") && phases.count("break")) << all;

  // Delete: not by a member; by the owner, files and row.
  EXPECT_EQ(http(port, "DELETE", "/api/v1/recordings/" + id, "", bearer(max)).status, 404);
  EXPECT_EQ(http(port, "DELETE", "/api/v1/recordings/" + id, "", bearer(olga)).status, 204);
  EXPECT_FALSE(g_file_test((recordings + "/" + id).c_str(), G_FILE_TEST_EXISTS));
  EXPECT_EQ(http(port, "GET", "/api/v1/recordings/" + id, "", bearer(olga)).status, 404);

  EXPECT_EQ(peer->stop(10s), 0) << peer->logPath();
}

// Closing the room (moderation) stops its recording; a render that fails (here its output
// cannot be put in place) leaves the captured tracks as they were and is retried through the
// REST API; retention deletes a recording that ended long enough ago, files and row.
TEST(RecordingControlMedia, CloseRoomStopsFailedRenderRetriesRetentionDeletes) {
  std::string dir = artifactDir(currentTestName());
  std::string recordings = dir + "/recordings";
  MariaDbServer db(dir + "/db");
  StackOptions o;
  o.sfuArgs = {"--recordings-dir", recordings};
  std::vector<std::string> controlArgs = {
      "--mysql-socket", db.socket(),     "--mysql-database", "carrel_rec",   "--recordings-dir",
      recordings,       "--render-size", "320x180",          "--render-fps", "10"};
  o.controlArgs = controlArgs;
  CarrelStack stack(dir, o);
  int port = stack.controlPort();
  std::string olga = signIn(port, "olga", "Olga"), ana = signIn(port, "ana", "Ana");
  ASSERT_FALSE(olga.empty() || ana.empty());
  ASSERT_EQ(
      http(port, "POST", "/api/v1/rooms", R"({"id":"recroom","title":"Recorded"})", bearer(olga))
          .status,
      201);
  auto peer = stack.startPeer("ana", {"--room", "recroom", "--json", "--token", ana});
  ASSERT_FALSE(waitForWelcome(*peer, 20s).empty()) << peer->logPath();
  WsClient owner;
  ASSERT_TRUE(joinRoom(owner, port, olga, "Olga"));
  ASSERT_TRUE(eventually([&] { return !peerEvents(*peer, "joined").empty(); }, 20s));
  std::this_thread::sleep_for(3s);
  // A row a media node that died mid-recording left behind: it does not block a new recording
  // and is closed as failed (its tracks can still be rendered).
  db.query(
      "INSERT INTO carrel_rec.recordings (id, room_id, folder, state) VALUES ('rec-stale', "
      "'recroom', '" +
      recordings + "/rec-stale', 'recording')");

  owner.send(R"({"type":"record_start","id":"o1"})");
  auto started = owner.waitFor([](JsonObject* m) { return isRecording(m, true); }, 15000ms);
  ASSERT_TRUE(started);
  {
    JsonObjectPtr stale;
    EXPECT_TRUE(eventually(
        [&] {
          auto r = http(port, "GET", "/api/v1/recordings/rec-stale", "", bearer(olga)).json();
          stale.reset(json::getObject(r.get(), "recording")
                          ? json_object_ref(json::getObject(r.get(), "recording"))
                          : nullptr);
          return stale && json::getString(stale.get(), "state").value_or("") == "failed";
        },
        10s));
  }
  std::string id = json::getString(started.get(), "recording").value_or("");
  std::string folder = recordings + "/" + id;
  // A folder where the video should go: carrel-render renders to render.webm.part, then
  // cannot rename it over a folder that holds something.
  std::string blocker = folder + "/render.webm";
  ASSERT_EQ(g_mkdir_with_parents((blocker + "/x").c_str(), 0755), 0);
  std::this_thread::sleep_for(4s);

  owner.send(R"({"type":"close_room","reason":"done for today"})");
  auto catalog = [&]() -> JsonObjectPtr {
    auto r = http(port, "GET", "/api/v1/recordings/" + id, "", bearer(olga)).json();
    JsonObject* rec = json::getObject(r.get(), "recording");
    return rec ? JsonObjectPtr(json_object_ref(rec)) : nullptr;
  };
  auto stateIs = [&](const char* want) {
    auto rec = catalog();
    return rec && json::getString(rec.get(), "state").value_or("") == want;
  };
  ASSERT_TRUE(eventually([&] { return stateIs("failed"); }, 120s))
      << "closing the room did not end in a failed render; state "
      << json::stringify(catalog().get());
  auto failed = catalog();
  EXPECT_NEAR(static_cast<double>(json::getInt(failed.get(), "duration_ms").value_or(0)), 4000,
              2000);
  JsonObject* render = json::getObject(failed.get(), "render");
  ASSERT_TRUE(render);
  EXPECT_NE(json::getString(render, "error").value_or("").find("rename"), std::string::npos)
      << json::stringify(failed.get());

  // The captured tracks are untouched by the failed render.
  std::vector<std::pair<std::string, std::string>> tracks;
  {
    GDir* d = g_dir_open((folder + "/tracks").c_str(), 0, nullptr);
    ASSERT_TRUE(d);
    while (const gchar* n = g_dir_read_name(d)) {
      std::string p = folder + "/tracks/" + n;
      tracks.emplace_back(p, fileBytes(p));
    }
    g_dir_close(d);
  }
  ASSERT_FALSE(tracks.empty());

  EXPECT_EQ(http(port, "POST", "/api/v1/recordings/" + id + "/render", "", bearer(ana)).status, 404)
      << "a member does not manage the recording";
  ASSERT_EQ(g_remove((blocker + "/x").c_str()), 0);
  ASSERT_EQ(g_rmdir(blocker.c_str()), 0);
  EXPECT_EQ(http(port, "POST", "/api/v1/recordings/" + id + "/render", "", bearer(olga)).status,
            202);
  ASSERT_TRUE(eventually([&] { return stateIs("ready") || stateIs("failed"); }, 120s));
  auto ready = catalog();
  ASSERT_EQ(json::getString(ready.get(), "state").value_or(""), "ready")
      << json::stringify(ready.get());
  EXPECT_EQ(json::getInt(json::getObject(ready.get(), "render"), "attempts").value_or(0), 2);
  EXPECT_GT(json::getInt(ready.get(), "size").value_or(0), 1000);
  for (const auto& [path, bytes] : tracks) EXPECT_EQ(fileBytes(path), bytes) << path;
  EXPECT_EQ(http(port, "POST", "/api/v1/recordings/" + id + "/render", "", bearer(olga)).status,
            202)
      << "a ready recording may be rendered again";
  ASSERT_TRUE(eventually([&] { return stateIs("ready"); }, 120s));

  // Retention: a node started with a 1-day retention sweeps at start-up; the recording is
  // made to have ended two days ago.
  db.query("UPDATE carrel_rec.recordings SET stopped_at = NOW(3) - INTERVAL 2 DAY WHERE id = '" +
           id + "'");
  int port2 = freePort();
  std::vector<std::string> argv{binary("carrel-control"),
                                "--host",
                                "127.0.0.1",
                                "--port",
                                std::to_string(port2),
                                "--web-root",
                                sourceDir() + "/web",
                                "--redis-host",
                                "127.0.0.1",
                                "--redis-port",
                                std::to_string(stack.redisPort()),
                                "--node-id",
                                "ctl-retention",
                                "--recording-retention-days",
                                "1"};
  argv.insert(argv.end(), controlArgs.begin(), controlArgs.end());
  Process second(argv, dir + "/ctl-retention.log");
  EXPECT_TRUE(eventually([&] { return !g_file_test(folder.c_str(), G_FILE_TEST_EXISTS); }, 30s))
      << second.logPath();
  EXPECT_TRUE(eventually(
      [&] { return http(port, "GET", "/api/v1/recordings/" + id, "", bearer(olga)).status == 404; },
      30s));
  EXPECT_EQ(second.stop(10s), 0) << second.logPath();
  peer->stop(10s);
}

// A media node killed mid-recording cannot say it stopped: its heartbeat stops renewing the
// room's "recording runs" key, so joiners stop being told the room records, and the catalog
// row is closed as failed (its tracks stay on disk for "render again").
TEST(RecordingControlMedia, ARecordingWhoseMediaNodeDiedIsNoLongerAnnounced) {
  std::string dir = artifactDir(currentTestName());
  std::string recordings = dir + "/recordings";
  MariaDbServer db(dir + "/db");
  StackOptions o;
  o.sfuArgs = {"--recordings-dir", recordings};
  o.controlArgs = {"--mysql-socket", db.socket(),        "--mysql-database",
                   "carrel_rec",     "--recordings-dir", recordings};
  CarrelStack stack(dir, o);
  int port = stack.controlPort();
  std::string olga = signIn(port, "olga", "Olga"), lena = signIn(port, "lena", "Lena");
  ASSERT_FALSE(olga.empty() || lena.empty());
  ASSERT_EQ(
      http(port, "POST", "/api/v1/rooms", R"({"id":"recroom","title":"Recorded"})", bearer(olga))
          .status,
      201);
  WsClient owner;
  ASSERT_TRUE(joinRoom(owner, port, olga, "Olga"));
  owner.send(R"({"type":"record_start","id":"o1"})");
  auto started = owner.waitFor([](JsonObject* m) { return isRecording(m, true); }, 15000ms);
  ASSERT_TRUE(started);
  std::string id = json::getString(started.get(), "recording").value_or("");
  EXPECT_TRUE(
      eventually([&] { return infoSaysRecording(port, lena) == std::optional<bool>(true); }, 10s));
  // Longer than two of the key's lifetimes: the live node keeps renewing it.
  std::this_thread::sleep_for(12s);
  EXPECT_EQ(infoSaysRecording(port, lena), std::optional<bool>(true));

  stack.sfu().kill9();
  EXPECT_TRUE(
      eventually([&] { return infoSaysRecording(port, lena) == std::optional<bool>(false); }, 30s));
  // The one in the room is told it ended (control's sweep closes the capture).
  EXPECT_TRUE(owner.waitFor(
      [&](JsonObject* m) {
        return isRecording(m, false) && json::getString(m, "recording").value_or("") == id;
      },
      30000ms));
  JsonObjectPtr row;
  EXPECT_TRUE(eventually(
      [&] {
        auto r = http(port, "GET", "/api/v1/recordings/" + id, "", bearer(olga)).json();
        JsonObject* rec = json::getObject(r.get(), "recording");
        row.reset(rec ? json_object_ref(rec) : nullptr);
        return row && json::getString(row.get(), "state").value_or("") == "failed";
      },
      10s));
  ASSERT_TRUE(row);
  JsonObject* render = json::getObject(row.get(), "render");
  EXPECT_NE(json::getString(render, "error").value_or("").find("media node"), std::string::npos);
}
