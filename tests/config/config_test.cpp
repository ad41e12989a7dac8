#include "config/config.hpp"

#include <map>

#include <gtest/gtest.h>

namespace gatehouse::config {
namespace {

tl::expected<Config, std::string> parse(std::map<std::string, std::string> vars) {
  return from_env([vars](const std::string& k) -> std::optional<std::string> {
    auto it = vars.find(k);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  });
}

}  // namespace

TEST(Config, DefaultsMatchTheSpec) {
  auto c = parse({});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->listen_host, "127.0.0.1");
  EXPECT_EQ(c->listen_port, 8080);
  EXPECT_EQ(c->public_url, "http://localhost:8080");
  EXPECT_FALSE(c->secure_cookies);
  EXPECT_EQ(c->database_url, "sqlite://gatehouse.db");
  EXPECT_EQ(c->idp_timeout.count(), 10000);
  EXPECT_EQ(c->session_ttl.count(), 43200);
  EXPECT_TRUE(c->rate_limits);
  EXPECT_EQ(c->redirect_uri(), "http://localhost:8080/sso/callback");
}

TEST(Config, PortZeroAndHttpsPublicUrl) {
  auto c =
      parse({{"GATEHOUSE_LISTEN", ":0"}, {"GATEHOUSE_PUBLIC_URL", "https://sso.example.com/"}});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->listen_port, 0);
  EXPECT_EQ(c->public_url, "https://sso.example.com");
  EXPECT_TRUE(c->secure_cookies);
}

TEST(Config, BadValuesNameTheVariable) {
  for (auto [k, v] : std::map<std::string, std::string>{{"GATEHOUSE_LISTEN", "nope"},
                                                        {"GATEHOUSE_PUBLIC_URL", "ftp://x"},
                                                        {"GATEHOUSE_DATABASE_URL", "mysql://x"},
                                                        {"GATEHOUSE_THREADS", "0"},
                                                        {"GATEHOUSE_LOG_FORMAT", "xml"},
                                                        {"GATEHOUSE_IDP_TIMEOUT_MS", "ten"},
                                                        {"GATEHOUSE_SESSION_TTL", "-1"},
                                                        {"GATEHOUSE_RATE_LIMITS", "maybe"},
                                                        {"GATEHOUSE_INTERNAL_KEY", "short"}}) {
    auto c = parse({{k, v}});
    ASSERT_FALSE(c) << k;
    EXPECT_NE(c.error().find(k), std::string::npos) << c.error();
  }
}

TEST(Config, PublicUrlWithPathIsRejected) {
  EXPECT_FALSE(parse({{"GATEHOUSE_PUBLIC_URL", "https://x.example/app"}}));
}

}  // namespace gatehouse::config
