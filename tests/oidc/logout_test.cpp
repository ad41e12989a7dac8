// RP-Initiated Logout 1.0 §2.
#include "oidc/logout.hpp"

#include "oidc_fixture.hpp"

namespace gatehouse::testing {
namespace {

class Logout : public OidcFixture {};

TEST_F(Logout, LogoutUrlHasIdTokenHintAndState) {
  auto url = rp->logout_url(issuer, "eyJ.hint.sig", "https://gatehouse.example/", "st-1");
  ASSERT_TRUE(url);
  ASSERT_EQ(url->rfind(end_session + "?", 0), 0u);
  auto q = http::parse_form(url->substr(url->find('?') + 1));
  ASSERT_TRUE(q);
  EXPECT_EQ(q->get("id_token_hint"), "eyJ.hint.sig");
  EXPECT_EQ(q->get("post_logout_redirect_uri"), "https://gatehouse.example/");
  EXPECT_EQ(q->get("state"), "st-1");
}

TEST_F(Logout, NoEndSessionEndpointIsNullopt) {
  auto doc = metadata_json();
  doc.erase("end_session_endpoint");
  serve_metadata(doc);
  EXPECT_FALSE(rp->logout_url(issuer, "eyJ.hint.sig", "https://gatehouse.example/", "st-1"));
}

TEST_F(Logout, UnreachableProviderIsNullopt) {
  http.fail(discovery, http::ClientErrorKind::connect);
  EXPECT_FALSE(rp->logout_url(issuer, "eyJ.hint.sig", "https://gatehouse.example/", "st-1"));
}

}  // namespace
}  // namespace gatehouse::testing
