#include "crypto/encoding.hpp"

#include <gtest/gtest.h>

namespace gatehouse::crypto {
namespace {

// RFC 4648 §10 test vectors.
TEST(Base64Url, EncodesRfc4648VectorsWithoutPadding) {
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
}

TEST(Base64Url, RoundTripsEveryByteValue) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (std::size_t n = 0; n < 5; ++n)
    EXPECT_EQ(base64url_decode(base64url_encode(all.substr(n))), all.substr(n));
}

TEST(Base64Url, PaddedInputIsRejected) {
  EXPECT_EQ(base64url_decode("Zg=="), std::nullopt);
  EXPECT_EQ(base64url_decode("Zm8="), std::nullopt);
}

TEST(Base64Url, StandardAlphabetAndWhitespaceAreRejected) {
  EXPECT_EQ(base64url_decode("+/8"), std::nullopt);
  EXPECT_EQ(base64url_decode("Zm9v\n"), std::nullopt);
  EXPECT_EQ(base64url_decode("Zm 9v"), std::nullopt);
  EXPECT_EQ(base64url_decode(std::string_view("Zm\0v", 4)), std::nullopt);
}

TEST(Base64Url, ImpossibleLengthIsRejected) { EXPECT_EQ(base64url_decode("Zm9vY"), std::nullopt); }

// Two spellings of one value would let an attacker alter a token's bytes
// without altering what it means (signature malleability).
TEST(Base64Url, NonCanonicalTrailingBitsAreRejected) {
  EXPECT_EQ(base64url_decode("Zg"), "f");
  EXPECT_EQ(base64url_decode("Zh"), std::nullopt);
  EXPECT_EQ(base64url_decode("Zm8"), "fo");
  EXPECT_EQ(base64url_decode("Zm9"), std::nullopt);
}

TEST(Base64, EncodesWithPaddingAndDecodesStrictly) {
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("\xfb\xff"), "+/8=");
  EXPECT_EQ(base64_decode("Zm8="), "fo");
  EXPECT_EQ(base64_decode("Zg=="), "f");
  EXPECT_EQ(base64_decode("Zm9vYmFy"), "foobar");
  EXPECT_EQ(base64_decode("Zm8"), std::nullopt);  // padding required
  EXPECT_EQ(base64_decode("Zg==="), std::nullopt);
  EXPECT_EQ(base64_decode("Z==="), std::nullopt);
  EXPECT_EQ(base64_decode("Zh=="), std::nullopt);  // non-canonical
  EXPECT_EQ(base64_decode("-_8="), std::nullopt);  // URL alphabet
  EXPECT_EQ(base64_decode("Zg==Zg=="), std::nullopt);
}

TEST(Hex, RoundTripsAndRejectsBadDigits) {
  EXPECT_EQ(hex_encode(std::string_view("\x00\xff\x10", 3)), "00ff10");
  EXPECT_EQ(hex_decode("00ff10"), std::string("\x00\xff\x10", 3));
  EXPECT_EQ(hex_decode("00FF10"), std::string("\x00\xff\x10", 3));
  EXPECT_EQ(hex_decode("0"), std::nullopt);
  EXPECT_EQ(hex_decode("zz"), std::nullopt);
}

}  // namespace
}  // namespace gatehouse::crypto
