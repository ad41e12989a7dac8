#include "jose/claims.hpp"

#include <utility>

#include <gtest/gtest.h>

#include "jose/jws.hpp"
#include "jose/test_signer.hpp"

namespace gatehouse::jose {
namespace {

using testing::public_jwk;
using testing::sign_jws;
namespace keys = testing::test_keys;

class ClaimsTest : public ::testing::Test {
 protected:
  JwsVerifier verifier_{{"ES256"}};
  JwkSet keys_ = *JwkSet::parse("{\"keys\":[" + public_jwk(keys::p256(), "p256") + "]}");

  VerifiedJws verified(std::string_view claims) const {
    auto v = verifier_.verify(
        sign_jws(keys::p256(), "ES256", R"({"alg":"ES256","kid":"p256"})", claims), keys_);
    EXPECT_TRUE(v.has_value());
    return std::move(*v);
  }
};

constexpr std::string_view kMixed =
    R"({"iss":"https://idp.example","exp":1700003600,"iat":1.7e9,"nbf":-5,"ok":true,)"
    R"("none":null,"aud":["a","b"],"mixed":["a",1],"obj":{"k":"v"},"esc":"caf\u00e9 \"q\""})";

TEST_F(ClaimsTest, EachAccessorAnswersOnlyForItsOwnJsonType) {
  const auto v = verified(kMixed);
  const Claims& c = v.claims();
  EXPECT_EQ(c.string("iss"), "https://idp.example");
  EXPECT_EQ(c.string("exp"), std::nullopt);  // a number is not a string
  EXPECT_EQ(c.number("exp"), 1700003600.0);
  EXPECT_EQ(c.number("iat"), 1.7e9);
  EXPECT_EQ(c.number("nbf"), -5.0);
  EXPECT_EQ(c.number("iss"), std::nullopt);  // "123"-style strings are never numbers
  EXPECT_EQ(c.boolean("ok"), true);
  EXPECT_EQ(c.boolean("none"), std::nullopt);
  EXPECT_EQ(c.string("absent"), std::nullopt);
  EXPECT_EQ(c.string("esc"), "caf\xc3\xa9 \"q\"");  // unescaped
}

TEST_F(ClaimsTest, TypeNamesEveryJsonTypeAndAbsence) {
  const auto v = verified(kMixed);
  const Claims& c = v.claims();
  EXPECT_EQ(c.type("iss"), Claims::Type::string);
  EXPECT_EQ(c.type("exp"), Claims::Type::number);
  EXPECT_EQ(c.type("iat"), Claims::Type::number);
  EXPECT_EQ(c.type("ok"), Claims::Type::boolean);
  EXPECT_EQ(c.type("none"), Claims::Type::null);
  EXPECT_EQ(c.type("aud"), Claims::Type::array);
  EXPECT_EQ(c.type("obj"), Claims::Type::object);
  EXPECT_EQ(c.type("absent"), Claims::Type::absent);
  EXPECT_TRUE(c.contains("none"));
  EXPECT_FALSE(c.contains("absent"));
  EXPECT_FALSE(c.contains("k"));  // only top-level members
}

TEST_F(ClaimsTest, StringArrayRefusesAnArrayWithANonString) {
  const auto v = verified(kMixed);
  const auto aud = v.claims().string_array("aud");
  ASSERT_TRUE(aud.has_value());
  EXPECT_EQ(*aud, (std::vector<std::string_view>{"a", "b"}));
  EXPECT_EQ(v.claims().string_array("mixed"), std::nullopt);
  EXPECT_EQ(v.claims().string_array("iss"), std::nullopt);
}

// Claims own their document: views stay valid when the VerifiedJws moves
// and when the same thread verifies another token (its parser is reused).
TEST_F(ClaimsTest, ViewsSurviveMovesAndTheThreadsNextVerification) {
  auto first = verified(R"({"sub":"alice"})");
  const auto sub = first.claims().string("sub");
  VerifiedJws moved = std::move(first);
  const auto second = verified(R"({"sub":"bob__"})");
  EXPECT_EQ(sub, "alice");
  EXPECT_EQ(moved.claims().string("sub"), "alice");
  EXPECT_EQ(second.claims().string("sub"), "bob__");
}

}  // namespace
}  // namespace gatehouse::jose
