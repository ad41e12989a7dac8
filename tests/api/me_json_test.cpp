// /api/v1/me's body is written without nlohmann (src/api/me_json.cpp): it must
// be byte for byte what nlohmann's dump() gave, for every string a provider
// or an operator can put in a name, and never JSON an attacker's name can
// break out of.
#include "api/me_json.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace gatehouse::api {
namespace {

signin::AuthContext someone(std::string name) {
  signin::AuthContext who;
  who.user.id = "usr_1";
  who.user.email = "ada@acme.example";
  who.user.name = std::move(name);
  who.user.role = domain::Role::admin;
  who.team.id = "acme";
  who.team.name = "Acme \"Corp\"";
  who.team.workspace = domain::Workspace::personal;
  who.session.csrf_token = "csrf-token";
  return who;
}

std::string with_nlohmann(const signin::AuthContext& s) {
  return nlohmann::json{
      {"user", {{"id", s.user.id}, {"email", s.user.email}, {"name", s.user.name}}},
      {"team",
       {{"id", s.team.id},
        {"workspace", domain::to_string(s.team.workspace)},
        {"name", s.team.name}}},
      {"role", domain::to_string(s.user.role)},
      {"csrf_token", s.session.csrf_token}}
      .dump();
}

TEST(MeJson, SameBytesAsNlohmannForEveryKindOfName) {
  std::string controls;
  for (int c = 0; c < 0x20; ++c) controls += static_cast<char>(c);
  for (const std::string& name :
       {std::string("Ada Lovelace"), std::string(""), std::string("quote \" backslash \\ slash /"),
        std::string("tab\tnewline\nreturn\rbell\b feed\f"), controls, std::string("del \x7f"),
        std::string("Zoë Ωμέγα 日本 😀"), std::string("</script><script>alert(1)</script>"),
        std::string("\"},\"role\":\"admin\",\"x\":{\"")}) {
    auto who = someone(name);
    auto mine = me_json(who);
    ASSERT_TRUE(mine) << name;
    EXPECT_EQ(*mine, with_nlohmann(who)) << name;
  }
}

// A name that closes the string and adds "role":"admin" stays inside it.
TEST(MeJson, NameCannotInjectMembers) {
  auto who = someone("x\",\"role\":\"owner");
  who.user.role = domain::Role::member;
  auto j = nlohmann::json::parse(*me_json(who));
  EXPECT_EQ(j["role"], "member");
  EXPECT_EQ(j["user"]["name"], "x\",\"role\":\"owner");
}

TEST(MeJson, InvalidUtf8IsLeftToNlohmann) {
  for (const std::string& bad : {std::string("\xff"), std::string("\xc3"), std::string("\xc0\xaf"),
                                 std::string("\xed\xa0\x80"), std::string("\xf4\x90\x80\x80"),
                                 std::string("\xe0\x80\xaf"), std::string("ok\x80")}) {
    EXPECT_FALSE(me_json(someone(bad))) << ::testing::PrintToString(bad);
  }
}

}  // namespace
}  // namespace gatehouse::api
