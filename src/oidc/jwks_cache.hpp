#pragma once
// Each issuer's signing keys (its JWK Set at jwks_uri), shared by all worker
// threads. Thread-safe.
//   JwksCache jwks(http, clock, {});
//   auto keys = jwks.keys_for(meta.issuer, meta.jwks_uri, JwsVerifier::peek_kid(token));
// - Lifetime from Cache-Control max-age, clamped to [min_ttl, max_ttl];
//   default_ttl without one.
// - A kid not in the cached set triggers one refetch to follow key rotation,
//   at most once per issuer per min_refetch_interval (SPEC §7; fetches on
//   first use or expiry do not count), so a forged kid cannot make us hammer
//   the provider.
// - Concurrent callers that need a fetch share one request: the others wait
//   for it and use its result.
// - A failed fetch keeps serving the last good keys.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/clock.hpp"
#include "http/client.hpp"
#include "jose/jwk.hpp"
#include "oidc/failure.hpp"

namespace gatehouse::oidc {

struct JwksCacheOptions {
  std::chrono::seconds min_ttl{300};
  std::chrono::seconds default_ttl{3600};
  std::chrono::seconds max_ttl{86400};
  std::chrono::seconds min_refetch_interval{10};
  // After a failed fetch with keys to fall back on, wait this long before
  // trying again, so a down provider is not asked on every sign-in.
  std::chrono::seconds retry_after_failure{10};
};

class JwksCache {
 public:
  JwksCache(http::HttpClient& http, const Clock& clock, JwksCacheOptions options = {});

  // The issuer's keys, fetched on first use or expiry; when kid is given and
  // missing from them, refetched once (rate-limited). The result may still
  // lack kid: the verifier then reports no_matching_key.
  [[nodiscard]] Result<std::shared_ptr<const jose::JwkSet>> keys_for(
      const std::string& issuer, const std::string& jwks_uri,
      const std::optional<std::string>& kid);

  // Callers currently waiting on another caller's fetch for this issuer.
  // For metrics, and for tests that must know the waiters have arrived.
  [[nodiscard]] std::size_t waiters(const std::string& issuer) const;

 private:
  struct Entry {
    std::string jwks_uri;
    std::shared_ptr<const jose::JwkSet> keys;
    std::chrono::steady_clock::time_point expires{};
    std::optional<std::chrono::steady_clock::time_point> last_kid_refetch;
    bool fetching = false;
    std::size_t waiters = 0;
    std::uint64_t generation = 0;  // bumped when a fetch completes
    std::optional<Failure> last_failure;
  };
  struct Fetched {
    std::shared_ptr<const jose::JwkSet> keys;
    std::chrono::seconds ttl;
  };
  [[nodiscard]] Result<Fetched> fetch(const std::string& jwks_uri) const;
  [[nodiscard]] std::chrono::seconds ttl_from(const http::ClientResponse& resp) const;

  http::HttpClient* http_;
  const Clock* clock_;
  JwksCacheOptions options_;
  mutable std::mutex mu_;
  std::condition_variable fetched_;
  std::map<std::string, Entry> entries_;
};

}  // namespace gatehouse::oidc
