#include "domain/team.hpp"

#include <vector>

#include <gtest/gtest.h>

namespace gatehouse::domain {

TEST(TeamId, AcceptsTheSpecExamples) {
  EXPECT_FALSE(check_team_id_syntax("acme"));
  EXPECT_FALSE(check_team_id_syntax("acme-research"));
  EXPECT_FALSE(check_team_id_syntax("a1"));
  EXPECT_FALSE(check_team_id_syntax(std::string(63, 'a')));
}

TEST(TeamId, RejectsBadSyntax) {
  for (const std::string& bad :
       std::vector<std::string>{"a", "Acme", "-acme", "acme-", "ac--me", "ac_me", "ac me", "",
                                std::string(64, 'a'), "acmé", "../x"})
    EXPECT_TRUE(check_team_id_syntax(bad)) << bad;
}

// Without the rule one Okta org could register another org's subdomain as
// its Team ID and catch that org's people typing it.
TEST(TeamId, OktaIssuerRequiresItsSubdomain) {
  EXPECT_FALSE(validate_team_id("acme", "https://acme.okta.com"));
  EXPECT_FALSE(validate_team_id("acme-ml", "https://acme.okta.com/oauth2/default"));
  EXPECT_FALSE(validate_team_id("acme", "https://acme.oktapreview.com"));
  EXPECT_FALSE(validate_team_id("acme-eu", "https://acme.okta-emea.com"));
  EXPECT_TRUE(validate_team_id("globex", "https://acme.okta.com"));
  EXPECT_TRUE(validate_team_id("acmeml", "https://acme.okta.com"));
  EXPECT_TRUE(validate_team_id("acm", "https://acme.okta.com"));
}

TEST(TeamId, OtherIssuersAreFree) {
  EXPECT_FALSE(validate_team_id("anything", "https://login.example.com"));
  EXPECT_FALSE(validate_team_id("anything", "https://evil-okta.com"));
}

TEST(Email, Validation) {
  EXPECT_FALSE(validate_email("ada@example.com"));
  EXPECT_FALSE(validate_email("Ada.Admin+sso@sub.example.co"));
  for (const std::string& bad :
       std::vector<std::string>{"", "ada", "@example.com", "ada@", "ada@example", "a@b@c.com",
                                "ada @example.com", "ada@example..com", "ada@.example.com"})
    EXPECT_TRUE(validate_email(bad)) << bad;
}

TEST(Issuer, HttpsOrLoopbackOnly) {
  EXPECT_FALSE(validate_issuer("https://acme.okta.com"));
  EXPECT_FALSE(validate_issuer("http://127.0.0.1:9000"));
  EXPECT_FALSE(validate_issuer("http://localhost:9000/path"));
  EXPECT_TRUE(validate_issuer("http://acme.okta.com"));
  EXPECT_TRUE(validate_issuer("https://acme.okta.com?x=1"));
  EXPECT_TRUE(validate_issuer("not a url"));
}

}  // namespace gatehouse::domain
