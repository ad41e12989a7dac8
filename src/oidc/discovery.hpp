#pragma once
// Fetches and caches each issuer's OpenID configuration (OIDC Discovery §4).
// Thread-safe. A cached document is reused for `ttl`; when a refresh fails
// the last good document is served for a short while longer, so a provider
// blip does not stop sign-ins whose configuration has not changed.
//   Discovery discovery(http, clock, std::chrono::hours(1));
//   auto meta = discovery.get("https://acme.okta.com/oauth2/default");
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/clock.hpp"
#include "http/client.hpp"
#include "oidc/failure.hpp"
#include "oidc/metadata.hpp"

namespace gatehouse::oidc {

class Discovery {
 public:
  Discovery(http::HttpClient& http, const Clock& clock, std::chrono::seconds ttl);

  [[nodiscard]] Result<std::shared_ptr<const ProviderMetadata>> get(const std::string& issuer);

 private:
  struct Entry {
    std::shared_ptr<const ProviderMetadata> meta;
    std::chrono::steady_clock::time_point expires;
  };
  [[nodiscard]] Result<ProviderMetadata> fetch(const std::string& issuer);

  http::HttpClient* http_;
  const Clock* clock_;
  std::chrono::seconds ttl_;
  std::mutex mu_;
  std::map<std::string, Entry> cache_;
};

}  // namespace gatehouse::oidc
