// OIDC Core §5.3: UserInfo fills in a thin ID token, and only for the same person.
#include "oidc/userinfo.hpp"

#include "oidc_fixture.hpp"

namespace gatehouse::testing {
namespace {

using oidc::Error;

class UserInfo : public OidcFixture {
 protected:
  nlohmann::json thin_claims() const {
    auto c = claims();
    c.erase("email");
    c.erase("name");
    c.erase("email_verified");
    return c;
  }
};

TEST_F(UserInfo, UserInfoFetchedWhenEmailMissing) {
  http.respond(userinfo_url, 200,
               nlohmann::json{{"sub", "user-42"},
                              {"email", "ada@acme.example"},
                              {"name", "Ada Lovelace"},
                              {"email_verified", true}}
                   .dump());
  auto id = finish_with(thin_claims());
  ASSERT_TRUE(id) << detail;
  EXPECT_EQ(id->email, "ada@acme.example");
  EXPECT_EQ(id->name, "Ada Lovelace");
  EXPECT_EQ(id->email_verified, true);
  auto req = http.last(userinfo_url);
  ASSERT_TRUE(req);
  ASSERT_EQ(req->headers.size(), 2u);
  EXPECT_EQ(req->headers[0],
            (std::pair<std::string, std::string>{"authorization", "Bearer access-xyz"}));
}

TEST_F(UserInfo, NotFetchedWhenIdTokenHasEmailAndName) {
  ASSERT_TRUE(finish_with(claims())) << detail;
  EXPECT_EQ(http.count(userinfo_url), 0u);
}

TEST_F(UserInfo, IdTokenValuesWin) {
  auto c = claims();
  c.erase("name");
  http.respond(
      userinfo_url, 200,
      nlohmann::json{{"sub", "user-42"}, {"email", "other@acme.example"}, {"name", "Ada"}}.dump());
  auto id = finish_with(c);
  ASSERT_TRUE(id) << detail;
  EXPECT_EQ(id->email, "ada@acme.example");
  EXPECT_EQ(id->name, "Ada");
}

TEST_F(UserInfo, UserInfoSubMismatchIsRejected) {
  // Token substitution: an access token for someone else must not lend
  // their email to this sign-in.
  http.respond(userinfo_url, 200,
               nlohmann::json{{"sub", "someone-else"}, {"email", "ceo@acme.example"}}.dump());
  auto id = finish_with(thin_claims());
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::userinfo_sub_mismatch);
}

TEST_F(UserInfo, UserInfoWithoutSubIsRejected) {
  http.respond(userinfo_url, 200, nlohmann::json{{"email", "ada@acme.example"}}.dump());
  auto id = finish_with(thin_claims());
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::userinfo_failed);
}

TEST_F(UserInfo, UserInfoErrorFailsSignIn) {
  http.respond(userinfo_url, 401, "");
  auto id = finish_with(thin_claims());
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::userinfo_failed);
}

TEST_F(UserInfo, UserInfoTimeoutIsProviderTimeout) {
  http.fail(userinfo_url, http::ClientErrorKind::timeout);
  auto id = finish_with(thin_claims());
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::provider_timeout);
}

TEST_F(UserInfo, NoEndpointLeavesIdentityThin) {
  auto doc = metadata_json();
  doc.erase("userinfo_endpoint");
  serve_metadata(doc);
  auto id = finish_with(thin_claims());
  ASSERT_TRUE(id) << detail;
  EXPECT_FALSE(id->email);  // the sign-in flow refuses it and asks for the email scope
}

}  // namespace
}  // namespace gatehouse::testing
