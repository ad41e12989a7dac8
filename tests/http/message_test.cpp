#include "http/message.hpp"

#include <gtest/gtest.h>

namespace gatehouse::http {

TEST(Cookies, ParsesPairsAndKeepsTheFirst) {
  auto c = parse_cookies("a=1; gh_session=abc; a=2;  b = \"q\" ");
  EXPECT_EQ(c["a"], "1");
  EXPECT_EQ(c["gh_session"], "abc");
  EXPECT_EQ(c["b"], "q");
}

TEST(Cookies, IgnoresGarbage) {
  auto c = parse_cookies(";;=x; novalue; y=");
  EXPECT_EQ(c.count(""), 0u);
  EXPECT_EQ(c.count("novalue"), 0u);
  EXPECT_EQ(c["y"], "");
}

TEST(Request, SplitsPathAndQuery) {
  auto r = Request::make("GET", "/a%20b?x=1");
  EXPECT_EQ(r.path, "/a b");
  EXPECT_EQ(r.query, "x=1");
  EXPECT_EQ(r.query_params()->get("x"), "1");
}

TEST(Request, BearerToken) {
  auto r = Request::make("GET", "/");
  r.headers = {{"authorization", "bearer gh_abc"}};
  EXPECT_EQ(r.bearer_token(), "gh_abc");
  r.headers = {{"authorization", "Basic abc"}};
  EXPECT_FALSE(r.bearer_token());
  r.headers = {{"authorization", "Bearer a b"}};
  EXPECT_FALSE(r.bearer_token());
}

TEST(Response, SetCookieAttributes) {
  Response res;
  res.set_cookie("__Host-gh_session", "v", {.secure = true, .max_age = 60});
  EXPECT_EQ(res.header("set-cookie"),
            "__Host-gh_session=v; Path=/; Max-Age=60; HttpOnly; Secure; SameSite=Lax");
}

}  // namespace gatehouse::http
