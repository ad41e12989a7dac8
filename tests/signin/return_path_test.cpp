// The open-redirect guard (RFC 9700 §4.11) on target_link_uri: one test per
// attack, named after mod_auth_openidc's fuzz corpus (url/protocol-relative,
// open-redirect-backslash, url/javascript-scheme, ...). Whatever is dropped
// sends the person to /dashboard instead; nothing dropped may ever leave
// this origin.
#include "signin/return_path.hpp"

#include <string>

#include <gtest/gtest.h>

namespace gatehouse::signin {
namespace {

constexpr std::string_view kOrigin = "https://sso.example.com";

std::optional<std::string> guard(std::string_view target) {
  return safe_return_path(target, kOrigin);
}

TEST(ReturnPath, ProtocolRelativeIsDropped) {
  // A browser reads "//evil.example" as https://evil.example.
  EXPECT_EQ(guard("//evil.example"), std::nullopt);
  EXPECT_EQ(guard("//evil.example/dashboard"), std::nullopt);
  EXPECT_EQ(guard("///evil.example"), std::nullopt);
}

TEST(ReturnPath, BackslashIsDropped) {
  // WHATWG URL parsing turns '\' into '/' for special schemes: "/\evil" is "//evil".
  EXPECT_EQ(guard("/\\evil.example"), std::nullopt);
  EXPECT_EQ(guard("/\\\\evil"), std::nullopt);
  EXPECT_EQ(guard("\\\\evil.example"), std::nullopt);
  EXPECT_EQ(guard("/dashboard\\..\\\\evil"), std::nullopt);
}

TEST(ReturnPath, JavascriptSchemeIsDropped) {
  EXPECT_EQ(guard("javascript:alert(document.cookie)"), std::nullopt);
  EXPECT_EQ(guard("JavaScript:alert(1)"), std::nullopt);
  EXPECT_EQ(guard("data:text/html,<script>alert(1)</script>"), std::nullopt);
}

TEST(ReturnPath, OtherOriginIsDropped) {
  EXPECT_EQ(guard("https://evil.example/dashboard"), std::nullopt);
  // Same host, another scheme or port is another origin (RFC 6454).
  EXPECT_EQ(guard("http://sso.example.com/dashboard"), std::nullopt);
  EXPECT_EQ(guard("https://sso.example.com:8443/dashboard"), std::nullopt);
  EXPECT_EQ(guard("https://other.sso.example.com/dashboard"), std::nullopt);
}

TEST(ReturnPath, LookalikeOriginIsDropped) {
  // A prefix match on the origin would keep both.
  EXPECT_EQ(guard("https://sso.example.com.evil.example/"), std::nullopt);
  // Userinfo: the host is evil.example.
  EXPECT_EQ(guard("https://sso.example.com@evil.example/"), std::nullopt);
  EXPECT_EQ(guard("https://sso.example.com:443@evil.example/"), std::nullopt);
  EXPECT_EQ(guard("https://sso.example.com%2F@evil.example/"), std::nullopt);
}

TEST(ReturnPath, DoubleEncodedSlashesAreDropped) {
  // A proxy or framework that decodes once more sees "//evil" or "/\evil".
  EXPECT_EQ(guard("/%2F%2Fevil"), std::nullopt);
  EXPECT_EQ(guard("/%2f%2fevil"), std::nullopt);
  EXPECT_EQ(guard("/%5Cevil"), std::nullopt);
  EXPECT_EQ(guard("/%5cevil"), std::nullopt);
  EXPECT_EQ(guard("https://sso.example.com/%2F%2Fevil"), std::nullopt);
  // Broken encoding is not guessed at.
  EXPECT_EQ(guard("/%zz"), std::nullopt);
}

TEST(ReturnPath, ControlCharactersAreDropped) {
  // Header injection into the Location header.
  EXPECT_EQ(guard("/a\r\nLocation: x"), std::nullopt);
  EXPECT_EQ(guard("/a%0d%0aLocation:%20x"), std::nullopt);
  // Browsers strip tab and newline from URLs: "/\t/evil" would become "//evil".
  EXPECT_EQ(guard("/\t/evil.example"), std::nullopt);
  EXPECT_EQ(guard("/%09/evil.example"), std::nullopt);
  EXPECT_EQ(guard(std::string("/a\0b", 4)), std::nullopt);
  EXPECT_EQ(guard("/a\x7f"), std::nullopt);
}

TEST(ReturnPath, SameOriginUrlBecomesItsPath) {
  EXPECT_EQ(guard("https://sso.example.com/tokens?x=1"), "/tokens?x=1");
  EXPECT_EQ(guard("https://sso.example.com"), "/");
  // The default port is the same origin.
  EXPECT_EQ(guard("https://sso.example.com:443/models"), "/models");
  EXPECT_EQ(guard("HTTPS://SSO.EXAMPLE.COM/team"), "/team");
}

TEST(ReturnPath, PlainPathIsKept) {
  EXPECT_EQ(guard("/dashboard"), "/dashboard");
  EXPECT_EQ(guard("/tokens?sort=name&page=2"), "/tokens?sort=name&page=2");
  EXPECT_EQ(guard("/"), "/");
  EXPECT_EQ(guard("/models/my%20model"), "/models/my%20model");
}

TEST(ReturnPath, OverlongIsDropped) {
  std::string at_limit = "/" + std::string(2047, 'a');
  EXPECT_EQ(guard(at_limit), at_limit);
  EXPECT_EQ(guard(at_limit + "a"), std::nullopt);
  EXPECT_EQ(guard("https://sso.example.com/" + std::string(4096, 'a')), std::nullopt);
}

TEST(ReturnPath, FragmentIsDropped) {
  // A fragment can carry tokens in implicit-style flows; never send one back.
  EXPECT_EQ(guard("/dashboard#access_token=x"), std::nullopt);
  EXPECT_EQ(guard("https://sso.example.com/dashboard#x"), std::nullopt);
  EXPECT_EQ(guard("/dashboard%23x"), "/dashboard%23x");
}

TEST(ReturnPath, EmptyAndRelativeAreDropped) {
  EXPECT_EQ(guard(""), std::nullopt);
  EXPECT_EQ(guard("dashboard"), std::nullopt);
  EXPECT_EQ(guard("evil.example"), std::nullopt);
  EXPECT_EQ(guard(" /dashboard"), std::nullopt);
}

}  // namespace
}  // namespace gatehouse::signin
