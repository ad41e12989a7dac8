#include "oidc/url_check.hpp"

#include <gtest/gtest.h>

namespace gatehouse::oidc {
namespace {

TEST(UrlCheck, HttpsIsSecure) {
  EXPECT_TRUE(secure_endpoint("https://idp.example/token"));
  EXPECT_TRUE(secure_endpoint("HTTPS://IDP.example:8443/token?x=1"));
}

TEST(UrlCheck, PlainHttpOnlyOnLoopback) {
  EXPECT_FALSE(secure_endpoint("http://idp.example/token"));
  EXPECT_TRUE(secure_endpoint("http://localhost:8080/token"));
  EXPECT_TRUE(secure_endpoint("http://127.0.0.1/token"));
  EXPECT_TRUE(secure_endpoint("http://127.9.8.7:1/token"));
  EXPECT_TRUE(secure_endpoint("http://[::1]:9000/token"));
}

TEST(UrlCheck, LoopbackLookalikesAreNotLoopback) {
  EXPECT_FALSE(secure_endpoint("http://localhost.evil.example/token"));
  EXPECT_FALSE(secure_endpoint("http://127.0.0.1.evil.example/token"));
  EXPECT_FALSE(secure_endpoint("http://127.0.0.1@evil.example/token"));
  EXPECT_FALSE(secure_endpoint("http://0127.0.0.1/token"));
  EXPECT_FALSE(secure_endpoint("http://[::1].evil/token"));
}

TEST(UrlCheck, NonHttpSchemesAreRejected) {
  EXPECT_FALSE(secure_endpoint("javascript:alert(1)"));
  EXPECT_FALSE(secure_endpoint("//idp.example/token"));
  EXPECT_FALSE(secure_endpoint("ftp://idp.example/token"));
  EXPECT_FALSE(secure_endpoint("https:///token"));
}

TEST(UrlCheck, FragmentsAndWhitespaceAreRejected) {
  EXPECT_FALSE(secure_endpoint("https://idp.example/token#x"));
  EXPECT_FALSE(secure_endpoint("https://idp.example/to ken"));
  EXPECT_FALSE(secure_endpoint("https://idp.exa\\mple/token"));
}

TEST(UrlCheck, SplitFindsHostQueryAndFragment) {
  auto p = split_url("https://Idp.Example:443/a?b=c#d");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->scheme, "https");
  EXPECT_EQ(p->host, "idp.example");
  EXPECT_TRUE(p->has_query);
  EXPECT_TRUE(p->has_fragment);
}

}  // namespace
}  // namespace gatehouse::oidc
