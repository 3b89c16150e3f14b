// The media fields of client messages (docs/protocol.md): join's video mode, publish_offer's
// track sources and subscribe's video selection are checked item by item, and translated
// into the bus's names.
#include <gtest/gtest.h>

#include "ClientErrors.hpp"
#include "ClientMessages.hpp"
#include "Json.hpp"
#include "MediaMessages.hpp"

using namespace carrel;
using namespace carrel::control;

namespace {

std::string check(const std::string& text) {
  auto parsed = parseClientMessage(text);
  if (auto* e = std::get_if<ClientError>(&parsed)) return e->code;
  auto& m = std::get<ClientMessage>(parsed);
  if (auto fe = validateMessage(*m.spec, m.object.get())) return code::InvalidField;
  return "";
}

std::string selection(int n) {
  std::string s = R"({"type":"subscribe","video":[)";
  for (int i = 0; i < n; ++i) {
    s += (i ? "," : "") + std::string(R"({"participant":"p)") + std::to_string(i) +
         R"(","track":"video0"})";
  }
  return s + "]}";
}

}  // namespace

TEST(ControlMediaMessages, JoinVideoMode) {
  EXPECT_EQ(check(R"({"type":"join","room":"a"})"), "");
  EXPECT_EQ(check(R"({"type":"join","room":"a","video":"all"})"), "");
  EXPECT_EQ(check(R"({"type":"join","room":"a","video":"selected"})"), "");
  EXPECT_EQ(check(R"({"type":"join","room":"a","video":"some"})"), code::InvalidField);
  EXPECT_EQ(check(R"({"type":"join","room":"a","video":1})"), code::InvalidField);
}

TEST(ControlMediaMessages, PublishOfferSources) {
  EXPECT_EQ(check(R"({"type":"publish_offer","sdp":"v=0"})"), "");
  EXPECT_EQ(
      check(R"({"type":"publish_offer","sdp":"v=0","tracks":[{"mid":"2","source":"screen"}]})"),
      "");
  EXPECT_EQ(check(R"({"type":"publish_offer","sdp":"v=0","tracks":[{"mid":"2","source":"tv"}]})"),
            code::InvalidField);
  EXPECT_EQ(check(R"({"type":"publish_offer","sdp":"v=0","tracks":[{"source":"screen"}]})"),
            code::InvalidField);
  EXPECT_EQ(check(R"({"type":"publish_offer","sdp":"v=0","tracks":["2"]})"), code::InvalidField);
  std::string many = R"({"type":"publish_offer","sdp":"v=0","tracks":[)";
  for (int i = 0; i < 17; ++i)
    many += (i ? "," : "") + std::string(R"({"mid":"1","source":"camera"})");
  EXPECT_EQ(check(many + "]}"), code::InvalidField);
}

TEST(ControlMediaMessages, SubscribeSelection) {
  EXPECT_EQ(check(selection(0)), "");
  EXPECT_EQ(check(selection(64)), "");
  EXPECT_EQ(check(selection(65)), code::InvalidField);
  EXPECT_EQ(check(R"({"type":"subscribe"})"), code::InvalidField);
  EXPECT_EQ(check(R"({"type":"subscribe","video":[{"participant":"p1"}]})"), code::InvalidField);
  EXPECT_EQ(check(R"({"type":"subscribe","video":[{"participant":"","track":"video0"}]})"),
            code::InvalidField);
  EXPECT_EQ(check(R"({"type":"subscribe","video":[7]})"), code::InvalidField);
}

TEST(ControlMediaMessages, BusNames) {
  std::string err;
  JsonObjectPtr m = json::parseObject(
      R"({"type":"subscribe","video":[{"participant":"p1","track":"screen0"}]})", &err);
  ASSERT_TRUE(m) << err;
  JsonArrayPtr sel = videoSelection(m.get());
  ASSERT_EQ(json_array_get_length(sel.get()), 1u);
  JsonObject* item = json_array_get_object_element(sel.get(), 0);
  EXPECT_EQ(json::getString(item, "peer").value_or(""), "p1");
  EXPECT_EQ(json::getString(item, "track").value_or(""), "screen0");

  m = json::parseObject(
      R"({"type":"publish_offer","sdp":"v=0","tracks":[{"mid":"2","source":"screen"}]})", &err);
  ASSERT_TRUE(m) << err;
  JsonArrayPtr src = publishSources(m.get());
  ASSERT_EQ(json_array_get_length(src.get()), 1u);
  item = json_array_get_object_element(src.get(), 0);
  EXPECT_EQ(json::getString(item, "mid").value_or(""), "2");
  EXPECT_EQ(json::getString(item, "source").value_or(""), "screen");
}
