#include "http/form.hpp"

#include <gtest/gtest.h>

namespace gatehouse::http {

TEST(Form, DecodesPlusAndPercent) {
  auto p = parse_form("a=x+y&b=%41%2b&c=");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->get("a"), "x y");
  EXPECT_EQ(p->get("b"), "A+");
  EXPECT_EQ(p->get("c"), "");
  EXPECT_FALSE(p->has("d"));
}

TEST(Form, TruncatedPercentEscapeIsRejected) {
  EXPECT_EQ(parse_form("a=%4").error(), FormError::bad_percent_encoding);
  EXPECT_EQ(parse_form("a=%").error(), FormError::bad_percent_encoding);
  EXPECT_EQ(parse_form("a%=1").error(), FormError::bad_percent_encoding);
}

TEST(Form, NonHexPercentEscapeIsRejected) {
  EXPECT_EQ(parse_form("a=%G1").error(), FormError::bad_percent_encoding);
}

// RFC 6749 §3.1: parameters must not repeat; a second `state` could otherwise
// smuggle a value past a check that reads the first.
TEST(Form, DuplicateParameterIsRejected) {
  EXPECT_EQ(parse_form("state=a&state=b").error(), FormError::duplicate_parameter);
}

TEST(Form, TooManyParametersIsRejected) {
  std::string q;
  for (int i = 0; i < 70; ++i) q += "p" + std::to_string(i) + "=1&";
  EXPECT_EQ(parse_form(q).error(), FormError::too_many_parameters);
}

TEST(Form, DoubleEncodedStaysEncodedOnce) {
  auto p = parse_form("next=%252F%252Fevil.example");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->get("next"), "%2F%2Fevil.example");
}

TEST(Form, EncodeRoundTrips) {
  std::string s = "a:b+c%/= ü&";
  auto q = encode_form({{"k", s}});
  EXPECT_EQ(q, "k=a%3Ab%2Bc%25%2F%3D%20%C3%BC%26");
  EXPECT_EQ(parse_form(q)->get("k"), s);
}

}  // namespace gatehouse::http
