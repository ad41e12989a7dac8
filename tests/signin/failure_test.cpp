// Every way a sign-in can fail gets the status SPEC.md §3 gives it and words
// a person can act on; none of the words may come from a template gone wrong
// ('{' of an unfilled placeholder) or look like a secret.
#include "signin/failure.hpp"

#include <regex>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace gatehouse::signin {
namespace {

using oidc::Error;

struct Case {
  Failure failure;
  int status;
};

Failure kind(FailureKind k) { return {k, std::nullopt, "detail for the log only"}; }
Failure provider(Error e) { return {FailureKind::provider, e, "detail for the log only"}; }

// The whole of both enums, written out: a value added later without a line
// here fails OneCasePerValue below.
std::vector<Case> every_failure() {
  return {
      // POST /login_sso and /initiate: the form or page again.
      {kind(FailureKind::team_id_malformed), 400},
      {kind(FailureKind::team_unknown), 404},
      {kind(FailureKind::initiate_iss_missing), 400},
      {kind(FailureKind::initiate_iss_mismatch), 400},
      {kind(FailureKind::request_malformed), 400},
      // Callback: "400 (missing, unknown, used or foreign state)".
      {kind(FailureKind::state_missing), 400},
      {kind(FailureKind::attempt_unknown), 400},
      {kind(FailureKind::attempt_expired), 400},
      {kind(FailureKind::browser_mismatch), 400},
      // Refusals on our side.
      {kind(FailureKind::team_disabled), 403},
      {kind(FailureKind::no_email), 403},
      {kind(FailureKind::store_unavailable), 503},
      {kind(FailureKind::secret_unusable), 500},
      // The provider's part: the browser brought a response that is not this
      // attempt's -> 400; the provider refused -> 403; it misbehaved -> 502;
      // it did not answer in time -> 504.
      {provider(Error::state_mismatch), 400},
      {provider(Error::iss_missing), 400},
      {provider(Error::iss_mismatch), 400},
      {provider(Error::code_missing), 400},
      {provider(Error::code_rejected), 400},
      {provider(Error::access_denied), 403},
      {provider(Error::provider_timeout), 504},
      {provider(Error::issuer_invalid), 502},
      {provider(Error::discovery_failed), 502},
      {provider(Error::issuer_mismatch), 502},
      {provider(Error::metadata_invalid), 502},
      {provider(Error::jwks_failed), 502},
      {provider(Error::provider_error), 502},
      {provider(Error::client_auth_failed), 502},
      {provider(Error::token_request_failed), 502},
      {provider(Error::token_response_invalid), 502},
      {provider(Error::id_token_malformed), 502},
      {provider(Error::id_token_invalid_signature), 502},
      {provider(Error::id_token_unknown_key), 502},
      {provider(Error::id_token_wrong_issuer), 502},
      {provider(Error::id_token_wrong_audience), 502},
      {provider(Error::id_token_azp_mismatch), 502},
      {provider(Error::id_token_expired), 502},
      {provider(Error::id_token_issued_in_future), 502},
      {provider(Error::id_token_missing_claim), 502},
      {provider(Error::nonce_mismatch), 502},
      {provider(Error::userinfo_failed), 502},
      {provider(Error::userinfo_sub_mismatch), 502},
  };
}

std::string name_of(const Failure& f) { return code(f); }

TEST(SigninFailure, OneCasePerValue) {
  auto cases = every_failure();
  std::set<int> kinds;
  std::set<int> errors;
  for (const auto& c : cases) {
    kinds.insert(static_cast<int>(c.failure.kind));
    if (c.failure.oidc) errors.insert(static_cast<int>(*c.failure.oidc));
  }
  EXPECT_EQ(kinds.size(), static_cast<std::size_t>(FailureKind::secret_unusable) + 1);
  EXPECT_EQ(errors.size(), static_cast<std::size_t>(Error::userinfo_sub_mismatch) + 1);
}

TEST(SigninFailure, EveryKindMapsToTheStatusOfTheSpec) {
  for (const auto& c : every_failure())
    EXPECT_EQ(status(c.failure), c.status) << name_of(c.failure);
}

TEST(SigninFailure, MessagesAreWordsNotTemplatesOrTokens) {
  // A run of 20+ base64url characters is what tokens, codes, states and
  // secrets look like; no English word is that long.
  const std::regex token_like("[A-Za-z0-9_\\-]{20,}");
  const std::regex jwt_like("eyJ[A-Za-z0-9_\\-]+\\.");
  for (const auto& c : every_failure()) {
    const auto m = message(c.failure);
    SCOPED_TRACE(name_of(c.failure) + ": " + m);
    EXPECT_GE(m.size(), 20u);
    EXPECT_EQ(m.find('{'), std::string::npos);
    EXPECT_EQ(m.find('}'), std::string::npos);
    EXPECT_FALSE(std::regex_search(m, token_like));
    EXPECT_FALSE(std::regex_search(m, jwt_like));
    // The detail is for the log, never for the page.
    EXPECT_EQ(m.find("detail for the log"), std::string::npos);
    EXPECT_TRUE(m.back() == '.' || m.back() == '!') << "a sentence ends";
  }
}

TEST(SigninFailure, CodesAreDistinctSlugs) {
  const std::regex slug("[a-z][a-z0-9_]*");
  std::set<std::string> seen;
  for (const auto& c : every_failure()) {
    const auto s = code(c.failure);
    EXPECT_TRUE(std::regex_match(s, slug)) << s;
    // provider(state_mismatch) and attempt_unknown may share words, not slugs.
    EXPECT_TRUE(seen.insert(s).second) << "duplicate code " << s;
  }
}

TEST(SigninFailure, NoEmailAsksForTheEmailScope) {
  const auto m = message(kind(FailureKind::no_email));
  EXPECT_NE(m.find("'email' scope"), std::string::npos) << m;
}

TEST(SigninFailure, UnknownTeamDoesNotSayWhetherItIsDisabled) {
  // At start, unknown and disabled look the same to a stranger typing Team IDs.
  const auto m = message(kind(FailureKind::team_unknown));
  EXPECT_EQ(m.find("disabled"), std::string::npos) << m;
  EXPECT_EQ(m.find("switched off"), std::string::npos) << m;
}

}  // namespace
}  // namespace gatehouse::signin
