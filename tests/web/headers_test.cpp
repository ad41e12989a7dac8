#include "web/headers.hpp"

#include <gtest/gtest.h>

namespace gatehouse::web {
namespace {

TEST(SecurityHeaders, HtmlPageGetsCspWithoutInlineScriptAndCannotBeFramed) {
  auto res = http::Response::html(200, "<p>hi</p>");
  apply_security_headers(res, false);
  auto csp = res.header("Content-Security-Policy");
  ASSERT_TRUE(csp);
  EXPECT_NE(csp->find("default-src 'none'"), std::string::npos);
  EXPECT_NE(csp->find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(csp->find("unsafe-inline"), std::string::npos);
  EXPECT_EQ(res.header("X-Frame-Options"), "DENY");
  EXPECT_EQ(res.header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(res.header("Referrer-Policy"), "no-referrer");
  EXPECT_EQ(res.header("Cache-Control"), "no-store");
  EXPECT_FALSE(res.header("Strict-Transport-Security"));
}

TEST(SecurityHeaders, RedirectKeepsReferrerPolicySoTheCodeNeverLeaksAsReferer) {
  auto res = http::Response::redirect(302, "https://idp.example/authorize?state=s");
  apply_security_headers(res, false);
  EXPECT_EQ(res.header("Referrer-Policy"), "no-referrer");
  EXPECT_EQ(res.header("Cache-Control"), "no-store");
}

TEST(SecurityHeaders, NoContentAnswerCarriesOnlyWhatApplies) {
  auto res = http::Response::empty(204);
  apply_security_headers(res, false);
  EXPECT_EQ(res.header("Cache-Control"), "no-store");
  EXPECT_FALSE(res.header("X-Content-Type-Options"));
  EXPECT_FALSE(res.header("Content-Security-Policy"));
}

TEST(SecurityHeaders, HstsOnlyOverHttps) {
  auto res = http::Response::json(200, {{"ok", true}});
  apply_security_headers(res, true);
  EXPECT_EQ(res.header("Strict-Transport-Security"), "max-age=31536000; includeSubDomains");
}

}  // namespace
}  // namespace gatehouse::web
