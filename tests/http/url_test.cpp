#include "http/url.hpp"

#include <gtest/gtest.h>

#include "http/client.hpp"

namespace gatehouse::http {
namespace {

TEST(ParseUrl, HttpsUrlIsSplitIntoParts) {
  auto u = parse_url("https://acme.okta.com/oauth2/default/v1/token?x=1&y=%2F");
  ASSERT_TRUE(u) << u.error();
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->host, "acme.okta.com");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->target, "/oauth2/default/v1/token?x=1&y=%2F");
}

TEST(ParseUrl, SchemeAndHostAreLowercasedButPathIsNot) {
  auto u = parse_url("HTTPS://Acme.OKTA.com:8443/Path?Q=A");
  ASSERT_TRUE(u) << u.error();
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->host, "acme.okta.com");
  EXPECT_EQ(u->port, 8443);
  EXPECT_EQ(u->target, "/Path?Q=A");
}

TEST(ParseUrl, EmptyPathBecomesSlash) {
  EXPECT_EQ(parse_url("https://idp.example")->target, "/");
  EXPECT_EQ(parse_url("https://idp.example?a=b")->target, "/?a=b");
}

TEST(ParseUrl, Ipv6LiteralIsParsed) {
  auto u = parse_url("http://[::1]:8080/cb");
  ASSERT_TRUE(u) << u.error();
  EXPECT_EQ(u->host, "[::1]");
  EXPECT_EQ(u->bare_host(), "::1");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->origin(), "http://[::1]:8080");
  EXPECT_EQ(parse_url("https://[2001:DB8::A]/")->host, "[2001:db8::a]");
}

TEST(ParseUrl, DefaultPortIsOmittedInOrigin) {
  EXPECT_EQ(parse_url("https://idp.example:443/x")->origin(), "https://idp.example");
  EXPECT_EQ(parse_url("http://localhost:80/x")->origin(), "http://localhost");
  EXPECT_EQ(parse_url("https://idp.example:80/x")->origin(), "https://idp.example:80");
  EXPECT_EQ(parse_url("http://127.0.0.1:8080")->authority(), "127.0.0.1:8080");
}

// "https://trusted.example@evil.example/" connects to evil.example.
TEST(ParseUrl, UserinfoIsRejected) {
  EXPECT_FALSE(parse_url("https://trusted.example@evil.example/"));
  EXPECT_FALSE(parse_url("https://user:pass@idp.example/"));
  EXPECT_EQ(parse_url("https://@idp.example/").error(), "userinfo is not allowed");
}

TEST(ParseUrl, FragmentIsRejected) {
  EXPECT_EQ(parse_url("https://idp.example/#x").error(), "fragments are not allowed");
  EXPECT_FALSE(parse_url("https://idp.example#"));
}

TEST(ParseUrl, BadPortIsRejected) {
  for (const char* url :
       {"https://idp.example:0/", "https://idp.example:65536/", "https://idp.example:/",
        "https://idp.example:8o/", "https://idp.example:-1/", "https://idp.example:123456/",
        "http://[::1]:/", "http://[::1]x/"}) {
    EXPECT_FALSE(parse_url(url)) << url;
  }
  EXPECT_EQ(parse_url("https://idp.example:65535/")->port, 65535);
  EXPECT_EQ(parse_url("https://idp.example:1/")->port, 1);
}

TEST(ParseUrl, OnlyAbsoluteHttpAndHttpsAreAccepted) {
  for (const char* url : {"", "/relative", "//idp.example/", "idp.example", "ftp://idp.example/",
                          "javascript://idp.example/%0aalert(1)", "https:/idp.example",
                          "https:idp.example", "https:///path"}) {
    EXPECT_FALSE(parse_url(url)) << url;
  }
}

TEST(ParseUrl, SpacesControlsAndNonAsciiAreRejected) {
  for (const char* url :
       {"https://idp.example/a b", "https://idp.example/\t", "https://idp.example/\r\nX: 1",
        "https://idp.example/\x7f", "https://idp.exämple/", "https://idp.example/\\x",
        "https://idp.example\\@evil.example/", " https://idp.example/",
        "https://idp.example/<x>"}) {
    EXPECT_FALSE(parse_url(url)) << url;
  }
}

TEST(ParseUrl, StrangeHostsAreRejected) {
  for (const char* url :
       {"https://idp%2eexample/", "https://idp..example/", "https://.idp.example/",
        "https://idp.example./", "https://127.1/", "https://0x7f.0.0.1/", "https://1.2.3.256/",
        "https://[::1/", "https://[fe80::1%25eth0]/", "https://[v1.x]/", "https://[127.0.0.1]/",
        "https://idp!example/", "https://a]b/", "https://:443/"}) {
    EXPECT_FALSE(parse_url(url)) << url;
  }
}

TEST(ParseUrl, MalformedPercentEscapeIsRejected) {
  EXPECT_FALSE(parse_url("https://idp.example/%zz"));
  EXPECT_FALSE(parse_url("https://idp.example/?a=%4"));
  EXPECT_TRUE(parse_url("https://idp.example/?a=%4F"));
}

TEST(ParseUrl, ErrorNeverRepeatsTheUrl) {
  auto u = parse_url("https://idp.example/cb?code=SECRET#frag");
  ASSERT_FALSE(u);
  EXPECT_EQ(u.error().find("SECRET"), std::string::npos);
}

TEST(IsLoopbackHost, LoopbackNamesAndAddressesAre) {
  for (const char* host : {"localhost", "LocalHost", "127.0.0.1", "127.255.0.9", "[::1]", "::1"})
    EXPECT_TRUE(is_loopback_host(host)) << host;
}

TEST(IsLoopbackHost, EverythingElseIsNot) {
  for (const char* host :
       {"", "localhost.evil.example", "evil-localhost", "128.0.0.1", "10.0.0.1", "127.1", "[::2]",
        "[127.0.0.1]", "::ffff:127.0.0.1", "0.0.0.0", "[::]", "localhost."})
    EXPECT_FALSE(is_loopback_host(host)) << host;
}

}  // namespace
}  // namespace gatehouse::http
