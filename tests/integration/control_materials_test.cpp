// Study materials through a real carrel-control (MariaDB, Redis, carrel-sfu, a data folder):
// uploads streamed to disk by content hash with their type sniffed from the bytes, size
// limits, hostile names, sharing in chat, and downloads checked against room membership.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "MariaDbServer.hpp"
#include "RawHttp.hpp"
#include "RedisServer.hpp"
#include "WsClient.hpp"
#include "control_account_helpers.hpp"

using namespace carrel;
using namespace carrel::test;
using Ms = std::chrono::milliseconds;

namespace {

struct Http {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  JsonObjectPtr json() const { return json::parseObject(body, nullptr); }
  std::string code() const {
    auto j = json();
    JsonObject* e = json::getObject(j.get(), "error");
    return e ? json::getString(e, "code").value_or("") : "";
  }
};

// One raw HTTP/1.1 request (body sent as is, with Content-Length or chunked).
Http request(int port, const std::string& method, const std::string& target,
             const std::string& body, const std::string& token,
             const std::string& contentType = "application/octet-stream", bool chunked = false) {
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (!token.empty()) req += "Authorization: Bearer " + token + "\r\n";
  if (method == "POST") {
    req += "Content-Type: " + contentType + "\r\n";
    if (chunked) {
      req += "Transfer-Encoding: chunked\r\n\r\n";
      for (size_t at = 0; at < body.size(); at += 8192) {
        size_t n = std::min<size_t>(8192, body.size() - at);
        char size[32];
        std::snprintf(size, sizeof size, "%zx\r\n", n);
        req += size + body.substr(at, n) + "\r\n";
      }
      req += "0\r\n\r\n";
    } else {
      req += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    }
  } else {
    req += "\r\n";
  }
  RawHttp h = RawHttp::exchange(port, req);
  return {h.status, h.headers, h.body};
}

std::string uri(const std::string& s) {
  char* e = g_uri_escape_string(s.c_str(), nullptr, FALSE);
  std::string out = e;
  g_free(e);
  return out;
}

std::string sha256(const std::string& bytes) {
  char* h = g_compute_checksum_for_data(
      G_CHECKSUM_SHA256, reinterpret_cast<const guchar*>(bytes.data()), bytes.size());
  std::string out = h;
  g_free(h);
  return out;
}

// A "PDF" of n bytes: the magic, then varied binary (so it is no text).
std::string pdf(size_t n) {
  std::string s = "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n";
  while (s.size() < n) s.push_back(static_cast<char>((s.size() * 131) % 256));
  s.resize(n);
  return s;
}

class ControlMaterials : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = artifactDir("ControlMaterials");
    data = dir + "/data";
    db = std::make_unique<MariaDbServer>(dir + "/db");
    redis = std::make_unique<RedisServer>(dir);
    sfu = std::make_unique<Process>(
        std::vector<std::string>{binary("carrel-sfu"), "--redis-port",
                                 std::to_string(redis->port()), "--node-id", "sfu-mat"},
        dir + "/sfu-mat.log");
    ASSERT_FALSE(sfu->waitForLine(isReadyLine, std::chrono::seconds(20)).empty());
    std::ofstream(dir + "/admin.pw") << "password-123\n";
    ctl = std::make_unique<ControlProcess>(
        startControl(dir, redis->port(), "ctl-mat",
                     {"--mysql-socket", db->socket(), "--mysql-database", "carrel_mat",
                      "--data-dir", data, "--material-max-bytes", "200000", "--admin-login",
                      "root_admin", "--admin-password-file", dir + "/admin.pw"}));
    port = ctl->port;
  }

  // Joins room over the WebSocket as the token's user; the client stays connected.
  void join(WsClient& c, const std::string& token, const std::string& room) {
    std::string error;
    ASSERT_TRUE(c.connect(wsUrlWithToken(port, token), Ms(5000), &error)) << error;
    ASSERT_FALSE(c.hello("ignored").empty());
    json::Object j;
    j.set("type", "join").set("room", room);
    c.send(j);
    ASSERT_TRUE(c.waitForType("joined", Ms(10000)));
    ASSERT_TRUE(c.waitForType("chat_history", Ms(10000)));
  }

  Http upload(const std::string& token, const std::string& room, const std::string& name,
              const std::string& body, const std::string& claimedType = "text/html",
              bool chunked = false) {
    return request(port, "POST", "/api/v1/materials?room=" + room + "&name=" + uri(name), body,
                   token, claimedType, chunked);
  }

  std::string dir, data;
  std::unique_ptr<MariaDbServer> db;
  std::unique_ptr<RedisServer> redis;
  std::unique_ptr<Process> sfu;
  std::unique_ptr<ControlProcess> ctl;
  int port = 0;
};

JsonObject* material(const JsonObjectPtr& o) {
  return json::getObject(o.get(), "material");
}

}  // namespace

TEST_F(ControlMaterials, UploadShareAndDownloadOnlyForTheRoom) {
  std::string owner = accountToken(port, "olga", "Olga Owner");
  std::string mina = accountToken(port, "mina", "Mina Member");
  std::string oscar = accountToken(port, "oscar", "Oscar Outsider");
  std::string admin = accountToken(port, "root_admin", "ignored");
  ASSERT_FALSE(owner.empty());
  ASSERT_FALSE(admin.empty());
  ASSERT_EQ(
      rest(port, "POST", "/api/v1/rooms", R"({"id":"mat-1","title":"Materials"})", owner).status,
      201);
  ASSERT_EQ(rest(port, "POST", "/api/v1/rooms", R"({"id":"mat-2","title":"Other"})", oscar).status,
            201);

  // Mina becomes a member by joining; Oscar never joins mat-1.
  WsClient minaWs;
  join(minaWs, mina, "mat-1");
  std::string pdfBytes = pdf(150000);
  Http outsider = upload(oscar, "mat-1", "x.pdf", pdfBytes);
  EXPECT_EQ(outsider.status, 403);
  EXPECT_EQ(outsider.code(), "forbidden");
  EXPECT_EQ(upload("", "mat-1", "x.pdf", pdfBytes).status, 401);
  // A forged token is refused from the headers: its body is never written anywhere.
  std::string forged = mina;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  Http refused = upload(forged, "mat-1", "x.pdf", pdfBytes);
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(refused.code(), "unauthorized");
  EXPECT_EQ(refused.headers["connection"], "close");
  EXPECT_FALSE(std::filesystem::exists(data + "/materials/" + sha256(pdfBytes).substr(0, 2)));

  // The type comes from the bytes, not from the claimed Content-Type or the name.
  const std::string name = "Lecture 1 \xE2\x80\x94 \"notes\".txt";
  Http up = upload(mina, "mat-1", name, pdfBytes, "text/html");
  ASSERT_EQ(up.status, 201) << up.body;
  auto upJson = up.json();
  JsonObject* m = material(upJson);
  int64_t id = json::getInt(m, "id").value_or(0);
  ASSERT_GT(id, 0);
  EXPECT_EQ(json::getString(m, "type").value_or(""), "application/pdf");
  EXPECT_EQ(json::getString(m, "name").value_or(""), name);
  EXPECT_EQ(json::getInt(m, "size").value_or(0), 150000);
  EXPECT_EQ(json::getString(m, "url").value_or(""), "/api/v1/materials/" + std::to_string(id));

  // On disk by content hash, never by the client's name; nothing left in the temp folder.
  std::string hash = sha256(pdfBytes);
  std::string onDisk = data + "/materials/" + hash.substr(0, 2) + "/" + hash;
  ASSERT_TRUE(std::filesystem::is_regular_file(onDisk));
  EXPECT_EQ(std::filesystem::file_size(onDisk), pdfBytes.size());
  size_t files = 0;
  for (auto& e : std::filesystem::recursive_directory_iterator(data)) {
    if (!e.is_regular_file()) continue;
    ++files;
    EXPECT_EQ(e.path().filename().string(), hash) << e.path();
  }
  EXPECT_EQ(files, 1u);
  EXPECT_EQ(db->query("SELECT sha256, size, content_type FROM carrel_mat.materials WHERE id = " +
                      std::to_string(id)),
            hash + "\t150000\tapplication/pdf\n");

  // The same content again: a second row, one file.
  Http again = upload(owner, "mat-1", "copy.pdf", pdfBytes);
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_TRUE(std::filesystem::is_regular_file(onDisk));

  // Shared in chat: everyone in the room gets the link with the file's details.
  json::Object share;
  share.set("type", "chat").set("text", "slides").set("attachment", id).set("id", "s1");
  minaWs.send(share);
  auto ack = minaWs.waitFor(
      [](JsonObject* o) { return str(o, "type") == "chat_ack" && str(o, "ref") == "s1"; },
      Ms(10000));
  ASSERT_TRUE(ack);
  auto live = minaWs.waitFor([](JsonObject* o) { return str(o, "type") == "chat"; }, Ms(10000));
  ASSERT_TRUE(live);
  JsonObject* att = json::getObject(live.get(), "attachment");
  ASSERT_TRUE(att);
  EXPECT_EQ(json::getInt(att, "id").value_or(0), id);
  EXPECT_EQ(json::getString(att, "url").value_or(""), "/api/v1/materials/" + std::to_string(id));
  EXPECT_EQ(json::getString(att, "type").value_or(""), "application/pdf");
  // A material of another room cannot be attached here.
  Http elsewhere = upload(oscar, "mat-2", "theirs.txt", "hello from mat-2\n");
  ASSERT_EQ(elsewhere.status, 201) << elsewhere.body;
  int64_t otherId = json::getInt(material(elsewhere.json()), "id").value_or(0);
  json::Object wrong;
  wrong.set("type", "chat").set("text", "").set("attachment", otherId).set("id", "s2");
  minaWs.send(wrong);
  EXPECT_TRUE(minaWs.waitForError("no_such_material", "s2", Ms(10000)));

  // Downloads: members, the owner and admins; others learn nothing.
  std::string path = "/api/v1/materials/" + std::to_string(id);
  for (const std::string* who : {&mina, &owner, &admin}) {
    Http d = request(port, "GET", path, "", *who);
    ASSERT_EQ(d.status, 200) << d.body;
    EXPECT_TRUE(d.body == pdfBytes);
    EXPECT_EQ(d.headers["content-type"], "application/pdf");
    EXPECT_EQ(d.headers["x-content-type-options"], "nosniff");
    EXPECT_EQ(d.headers["content-disposition"],
              "attachment; filename=\"Lecture 1 ___ _notes_.txt\"; filename*=UTF-8''" + uri(name));
  }
  Http viaLink = request(port, "GET", path + "?token=" + uri(mina), "", "");
  EXPECT_EQ(viaLink.status, 200);
  EXPECT_EQ(request(port, "GET", path, "", oscar).status, 404);
  EXPECT_EQ(request(port, "GET", path, "", "").status, 401);
  EXPECT_EQ(request(port, "GET", "/api/v1/materials/999999", "", mina).status, 404);
  EXPECT_EQ(request(port, "GET", "/api/v1/materials/1x", "", mina).status, 404);

  Http list = request(port, "GET", "/api/v1/materials?room=mat-1", "", mina);
  ASSERT_EQ(list.status, 200) << list.body;
  auto listJson = list.json();
  JsonArray* items = json::getArray(listJson.get(), "materials");
  ASSERT_TRUE(items);
  EXPECT_EQ(json_array_get_length(items), 2u);
  EXPECT_EQ(request(port, "GET", "/api/v1/materials?room=mat-1", "", oscar).code(), "forbidden");

  // A second control node on the same MariaDB, Redis and data folder serves the same files
  // under the same rules, and its uploads of the same bytes still make one file.
  ControlProcess second =
      startControl(dir, redis->port(), "ctl-mat-2",
                   {"--mysql-socket", db->socket(), "--mysql-database", "carrel_mat", "--data-dir",
                    data, "--material-max-bytes", "200000"});
  Http there = request(second.port, "GET", path, "", mina);
  ASSERT_EQ(there.status, 200) << there.body;
  EXPECT_TRUE(there.body == pdfBytes);
  EXPECT_EQ(request(second.port, "GET", path, "", oscar).status, 404);
  Http third =
      request(second.port, "POST", "/api/v1/materials?room=mat-1&name=again.pdf", pdfBytes, mina);
  ASSERT_EQ(third.status, 201) << third.body;
  size_t copies = 0, all = 0;  // the PDF, and mat-2's text file
  for (auto& e : std::filesystem::recursive_directory_iterator(data)) {
    if (!e.is_regular_file()) continue;
    ++all;
    if (e.path().filename() == hash) ++copies;
  }
  EXPECT_EQ(copies, 1u);
  EXPECT_EQ(all, 2u);
}

TEST_F(ControlMaterials, TypeAndSizeLimitsAndHostileNames) {
  std::string owner = accountToken(port, "olga", "Olga Owner");
  ASSERT_EQ(rest(port, "POST", "/api/v1/rooms", R"({"id":"lim-1","title":"Limits"})", owner).status,
            201);
  // Whatever the name and the claimed type say, an executable is not accepted.
  Http exe = upload(owner, "lim-1", "notes.pdf", std::string("MZ\x90\0\x03\0\0\0binary", 14),
                    "application/pdf");
  EXPECT_EQ(exe.status, 415);
  EXPECT_EQ(exe.code(), "unsupported_type");
  EXPECT_EQ(upload(owner, "lim-1", "a.zip", std::string("PK\x03\x04\x14\0\0\0", 8)).code(),
            "unsupported_type");
  EXPECT_EQ(upload(owner, "lim-1", "empty.txt", "").code(), "invalid_field");

  // HTML is plain text here: served as text/plain with nosniff, never as a page.
  std::string html = "<html><script>alert(document.cookie)</script></html>\n";
  Http h = upload(owner, "lim-1", "page.html", html, "text/html");
  ASSERT_EQ(h.status, 201) << h.body;
  int64_t hid = json::getInt(material(h.json()), "id").value_or(0);
  Http hd = request(port, "GET", "/api/v1/materials/" + std::to_string(hid), "", owner);
  EXPECT_EQ(hd.body, html);
  EXPECT_EQ(hd.headers["content-type"], "text/plain; charset=utf-8");
  EXPECT_EQ(hd.headers["x-content-type-options"], "nosniff");

  // Over the limit: refused from the declared length before reading, and while streaming
  // when no length is declared; nothing is kept either way.
  std::string big = pdf(200001);
  Http declared = upload(owner, "lim-1", "big.pdf", big);
  EXPECT_EQ(declared.status, 413);
  EXPECT_EQ(declared.code(), "too_large");
  Http streamed = upload(owner, "lim-1", "big.pdf", big, "application/pdf", true);
  EXPECT_EQ(streamed.status, 413);
  EXPECT_EQ(streamed.code(), "too_large");
  Http atLimit = upload(owner, "lim-1", "max.pdf", pdf(200000), "application/pdf", true);
  EXPECT_EQ(atLimit.status, 201) << atLimit.body;

  // Names are display names only: a path is just text, control characters and invalid
  // UTF-8 are refused.
  Http traversal = upload(owner, "lim-1", "../../etc/passwd", "root:x:0:0\n");
  ASSERT_EQ(traversal.status, 201) << traversal.body;
  EXPECT_EQ(json::getString(material(traversal.json()), "name").value_or(""), "../../etc/passwd");
  Http td = request(port, "GET",
                    "/api/v1/materials/" +
                        std::to_string(json::getInt(material(traversal.json()), "id").value_or(0)),
                    "", owner);
  EXPECT_EQ(td.headers["content-disposition"].rfind("attachment; filename=\".._.._etc_passwd\"", 0),
            0u)
      << td.headers["content-disposition"];
  EXPECT_EQ(
      request(port, "POST", "/api/v1/materials?room=lim-1&name=a%0D%0AX-Evil:%201", "x", owner)
          .code(),
      "invalid_field");
  EXPECT_EQ(request(port, "POST", "/api/v1/materials?room=lim-1&name=%FF%FE", "x", owner).code(),
            "invalid_field");
  EXPECT_EQ(request(port, "POST", "/api/v1/materials?room=..%2F&name=a", "x", owner).code(),
            "invalid_field");
  EXPECT_EQ(request(port, "POST", "/api/v1/materials?room=lim-1", "x", owner).code(),
            "invalid_field");
  // Only the materials that were accepted are on disk, each by its hash.
  size_t files = 0;
  for (auto& e : std::filesystem::recursive_directory_iterator(data)) {
    if (e.is_regular_file()) ++files;
  }
  EXPECT_EQ(files, 3u);
  EXPECT_EQ(db->query("SELECT COUNT(*) FROM carrel_mat.materials"), "3\n");
}
