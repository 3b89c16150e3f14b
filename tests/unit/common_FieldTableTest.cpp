#include <gtest/gtest.h>

#include <array>

#include "FieldTable.hpp"
#include "Json.hpp"

using namespace carrel;

namespace {
constexpr std::array kFields{
    Field{"name", FieldType::String, true, 1, 8}, Field{"age", FieldType::Int, false, 0, 150},
    Field{"tags", FieldType::Array, false, 0, 2}, Field{"opts", FieldType::Object, false},
    Field{"on", FieldType::Bool, false}};

std::optional<FieldError> check(const char* text) {
  std::string err;
  auto o = json::parseObject(text, &err);
  EXPECT_TRUE(o) << err;
  return validateFields(o.get(), kFields);
}
}  // namespace

TEST(FieldTable, AcceptsValid) {
  EXPECT_FALSE(check(R"({"name":"Mina","age":20,"tags":["a"],"opts":{},"on":true,"extra":1})"));
  EXPECT_FALSE(check(R"({"name":"x","age":null})"));
}

TEST(FieldTable, RejectsMissingWrongTypeAndOutOfRange) {
  auto e = check(R"({"age":3})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field, "name");
  e = check(R"({"name":5})");
  ASSERT_TRUE(e);
  EXPECT_NE(e->message.find("string"), std::string::npos);
  EXPECT_TRUE(check(R"({"name":""})"));
  EXPECT_TRUE(check(R"({"name":"123456789"})"));
  EXPECT_TRUE(check(R"({"name":"a","age":151})"));
  EXPECT_TRUE(check(R"({"name":"a","age":-1})"));
  EXPECT_TRUE(check(R"({"name":"a","age":1.5})"));
  EXPECT_TRUE(check(R"({"name":"a","tags":[1,2,3]})"));
  EXPECT_TRUE(check(R"({"name":"a","opts":[]})"));
  EXPECT_TRUE(check(R"({"name":"a","on":"yes"})"));
}

TEST(Json, ParseObjectRejectsBadInput) {
  std::string err;
  EXPECT_FALSE(json::parseObject("", &err));
  EXPECT_FALSE(json::parseObject("42", &err));
  EXPECT_FALSE(json::parseObject("{\"a\":", &err));
  EXPECT_FALSE(json::parseObject(std::string("{\"a\":\"\xc3\x28\"}"), &err));
  EXPECT_EQ(err, "not valid UTF-8");
  auto ok = json::parseObject(R"({"a":"<script>'; DROP TABLE x;--","n":7})", &err);
  ASSERT_TRUE(ok);
  EXPECT_EQ(json::getString(ok.get(), "a").value(), "<script>'; DROP TABLE x;--");
  EXPECT_EQ(json::getInt(ok.get(), "n").value(), 7);
  EXPECT_FALSE(json::getString(ok.get(), "n"));
}

TEST(Json, BuilderWritesCompactText) {
  json::Object o;
  o.set("type", "chat").set("n", 3).setBool("ok", true);
  EXPECT_EQ(o.str(), R"({"type":"chat","n":3,"ok":true})");
}
