#include "oidc/error.hpp"

#include <set>
#include <string>

#include <gtest/gtest.h>

namespace gatehouse::oidc {
namespace {

std::vector<Error> all_errors() {
  std::vector<Error> out;
  for (int i = 0; i <= static_cast<int>(Error::userinfo_sub_mismatch); ++i)
    out.push_back(static_cast<Error>(i));
  return out;
}

TEST(OidcError, EveryReasonHasItsOwnStableCode) {
  std::set<std::string_view> codes;
  for (Error e : all_errors()) {
    auto c = code(e);
    EXPECT_FALSE(c.empty());
    EXPECT_EQ(c.find_first_not_of("abcdefghijklmnopqrstuvwxyz_"), std::string_view::npos) << c;
    codes.insert(c);
  }
  EXPECT_EQ(codes.size(), all_errors().size());
  EXPECT_EQ(code(Error::id_token_wrong_audience), "id_token_wrong_audience");
}

TEST(OidcError, EveryReasonHasWordsAPersonCanRead) {
  for (Error e : all_errors()) {
    auto m = message(e);
    EXPECT_GT(m.size(), 30u) << code(e);
    EXPECT_EQ(m.find(code(e)), std::string_view::npos) << "slug leaked into the page: " << code(e);
  }
  EXPECT_NE(message(Error::id_token_wrong_audience).find("issued for another application"),
            std::string_view::npos);
}

TEST(OidcError, ClassesMatchTheHttpAnswer) {
  EXPECT_EQ(classify(Error::state_mismatch), ErrorClass::bad_request);
  EXPECT_EQ(classify(Error::iss_missing), ErrorClass::bad_request);
  EXPECT_EQ(classify(Error::iss_mismatch), ErrorClass::bad_request);
  EXPECT_EQ(classify(Error::access_denied), ErrorClass::refused);
  EXPECT_EQ(classify(Error::provider_timeout), ErrorClass::provider_timeout);
  EXPECT_EQ(classify(Error::id_token_invalid_signature), ErrorClass::provider_misbehaved);
  EXPECT_EQ(classify(Error::discovery_failed), ErrorClass::provider_misbehaved);
}

}  // namespace
}  // namespace gatehouse::oidc
