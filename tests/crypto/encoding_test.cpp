#include "crypto/encoding.hpp"

#include <random>

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

constexpr std::string_view kUrlAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Six bits at a time, the slowest correct way: what the vector and table
// decoders must agree with.
std::optional<std::string> reference_decode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;
  for (const char c : text) {
    const auto v = kUrlAlphabet.find(c);
    if (v == std::string_view::npos) return std::nullopt;
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>(bits >> count));
      bits &= (1u << count) - 1;
    }
  }
  if (bits != 0) return std::nullopt;  // non-canonical trailing bits
  return out;
}

// Long inputs go through the AVX2 decoder 32 characters at a time and the
// table loop for the rest: every length across those boundaries must decode
// exactly, also into a reused buffer holding older, longer content.
TEST(Base64Url, EveryLengthUpTo400DecodesLikeTheReference) {
  std::mt19937 rng(7);
  std::string reused(1000, 'x');
  for (std::size_t len = 0; len <= 400; ++len) {
    std::string bytes(len, '\0');
    for (auto& b : bytes) b = static_cast<char>(rng());
    const std::string text = base64url_encode(bytes);
    ASSERT_EQ(reference_decode(text), bytes) << len;
    EXPECT_EQ(base64url_decode(text), bytes) << len;
    ASSERT_TRUE(base64url_decode_into(text, reused)) << len;
    EXPECT_EQ(reused, bytes) << len;
  }
}

TEST(Base64Url, EveryAlphabetCharacterAtEveryVectorPositionDecodesLikeTheReference) {
  std::string text;
  for (int i = 0; i < 3; ++i) text += kUrlAlphabet;  // 192 characters
  for (std::size_t shift = 0; shift < kUrlAlphabet.size(); ++shift) {
    const std::string rotated = text.substr(shift) + text.substr(0, shift);
    EXPECT_EQ(base64url_decode(rotated), reference_decode(rotated)) << shift;
  }
}

// A byte outside the alphabet (standard base64's '+' and '/', '=', '.',
// whitespace, NUL, bytes >= 0x80 that a signed compare could mistake for
// small ones) must be refused wherever it sits, inside or after the part
// the vector decoder takes.
TEST(Base64Url, ForeignByteAnywhereInALongInputIsRejected) {
  std::mt19937 rng(11);
  std::string bytes(150, '\0');
  for (auto& b : bytes) b = static_cast<char>(rng());
  const std::string good = base64url_encode(bytes);  // 200 characters
  ASSERT_EQ(base64url_decode(good), bytes);
  for (std::size_t pos = 0; pos < good.size(); ++pos) {
    for (int b = 0; b < 256; ++b) {
      if (kUrlAlphabet.find(static_cast<char>(b)) != std::string_view::npos) continue;
      std::string bad = good;
      bad[pos] = static_cast<char>(b);
      ASSERT_EQ(base64url_decode(bad), std::nullopt) << "byte " << b << " at " << pos;
    }
  }
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
