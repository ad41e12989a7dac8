// Tokens signed by another implementation (npm "jose", see
// fixtures/generate.mjs): guards against agreeing only with ourselves, e.g. on
// ECDSA r||s encoding or PSS salt length.
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "jose/jws.hpp"

namespace gatehouse::jose {
namespace {

nlohmann::json load_fixture() {
  std::ifstream in(GATEHOUSE_SOURCE_DIR "/tests/jose/fixtures/jose_npm.json");
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str());
}

TEST(NpmJoseInterop, ValidTokensVerifyAndTamperedOnesFail) {
  const auto fixture = load_fixture();
  const auto keys = JwkSet::parse(fixture.at("jwks").dump());
  ASSERT_TRUE(keys);
  ASSERT_EQ(keys->keys().size(), 6u);
  const JwsVerifier verifier({"RS256", "PS256", "ES256", "ES384", "ES512", "EdDSA"});
  int valid = 0;
  for (const auto& t : fixture.at("tokens")) {
    const auto name = t.at("name").get<std::string>();
    const auto v = verifier.verify(t.at("token").get<std::string>(), *keys);
    if (t.at("valid").get<bool>()) {
      ++valid;
      ASSERT_TRUE(v.has_value()) << name << ": " << to_string(v.error());
      EXPECT_EQ(v->claims().string("sub"), "248289761001") << name;
    } else {
      ASSERT_FALSE(v.has_value()) << name;
      EXPECT_EQ(v.error(), JoseError::bad_signature) << name;
    }
  }
  EXPECT_EQ(valid, 12);
}

TEST(NpmJoseInterop, AlgNotOnTheAllowListIsRefusedForForeignTokensToo) {
  const auto fixture = load_fixture();
  const auto keys = JwkSet::parse(fixture.at("jwks").dump());
  const JwsVerifier rs_only({"RS256"});
  for (const auto& t : fixture.at("tokens")) {
    if (t.at("alg") == "RS256") continue;
    EXPECT_EQ(rs_only.verify(t.at("token").get<std::string>(), *keys).error(),
              JoseError::alg_not_allowed)
        << t.at("name");
  }
}

}  // namespace
}  // namespace gatehouse::jose
