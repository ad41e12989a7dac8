#pragma once
// The OpenID Connect relying party: authorization code flow with PKCE, for
// many teams (issuers) at once. Knows no server and no database: the caller
// keeps PendingAuthorization server-side, single-use, between start and finish.
//   RelyingParty rp(http, clock, rng);
//   auto s = rp.start(client, login_hint);                // redirect to s->url, keep s->pending
//   auto id = rp.finish(client, pending, callback_query); // Identity or Error
//   if (!id) page(classify(id.error()), message(id.error()));
// Thread-safe: many workers call finish() concurrently; discovery documents
// and JWKS are cached per issuer. Every error also fills `detail` (when
// given) with a log line that names no token, code, secret or verifier.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <tl/expected.hpp>

#include "core/clock.hpp"
#include "crypto/random.hpp"
#include "http/client.hpp"
#include "http/form.hpp"
#include "oidc/authorization.hpp"
#include "oidc/client_config.hpp"
#include "oidc/discovery.hpp"
#include "oidc/error.hpp"
#include "oidc/id_token_validator.hpp"
#include "oidc/jwks_cache.hpp"
#include "oidc/metadata.hpp"
#include "oidc/token_client.hpp"
#include "oidc/userinfo.hpp"

namespace gatehouse::oidc {

struct Identity {
  std::string sub, issuer;
  std::optional<std::string> email, name;
  std::optional<bool> email_verified;
  std::string id_token;  // raw, only for id_token_hint at logout; never log
};

struct Options {
  std::chrono::seconds clock_skew{60};
  std::chrono::seconds metadata_ttl{3600};
  std::chrono::seconds jwks_min_refetch_interval{10};
};

class RelyingParty {
 public:
  RelyingParty(http::HttpClient& http, const Clock& clock, crypto::Random& rng,
               Options options = {});

  // Discovery, cached per issuer for metadata_ttl. Also `gatehouse team add`'s check.
  [[nodiscard]] tl::expected<std::shared_ptr<const ProviderMetadata>, Error> metadata(
      const std::string& issuer, std::string* detail = nullptr);

  // The authorization request URL and the attempt's secrets (see authorization.hpp).
  [[nodiscard]] tl::expected<AuthorizationStart, Error> start(
      const ClientConfig& client, const std::optional<std::string>& login_hint,
      std::string* detail = nullptr);

  // The callback: response checks (state, iss, error), code redemption, ID
  // token validation, then UserInfo when the ID token lacks email or name
  // and the provider has a userinfo_endpoint. No retries (SPEC §7).
  [[nodiscard]] tl::expected<Identity, Error> finish(const ClientConfig& client,
                                                     const PendingAuthorization& pending,
                                                     const http::Params& callback_params,
                                                     std::string* detail = nullptr);

  // RP-initiated logout URL, or nullopt when the provider has no
  // end_session_endpoint (or its metadata cannot be had).
  [[nodiscard]] std::optional<std::string> logout_url(const std::string& issuer,
                                                      const std::string& id_token_hint,
                                                      const std::string& post_logout_redirect_uri,
                                                      const std::string& state);

 private:
  [[nodiscard]] Result<Identity> finish_or_fail(const ClientConfig& client,
                                                const PendingAuthorization& pending,
                                                const http::Params& callback_params);

  crypto::Random* rng_;
  Discovery discovery_;
  JwksCache jwks_;
  TokenClient tokens_;
  IdTokenValidator validator_;
  UserInfoClient userinfo_;
};

}  // namespace gatehouse::oidc
