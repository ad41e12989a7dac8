#include "oidc/discovery.hpp"

#include <algorithm>

namespace gatehouse::oidc {
namespace {
// How long a stale document is served after a failed refresh before the
// next attempt: short, so a fixed provider is picked up quickly.
constexpr std::chrono::seconds kStaleRetry{30};
constexpr std::size_t kMaxDocument = 256 * 1024;
}  // namespace

Discovery::Discovery(http::HttpClient& http, const Clock& clock, std::chrono::seconds ttl)
    : http_(&http), clock_(&clock), ttl_(ttl) {}

Result<std::shared_ptr<const ProviderMetadata>> Discovery::get(const std::string& issuer) {
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(issuer);
    if (it != cache_.end() && clock_->monotonic() < it->second.expires) return it->second.meta;
  }
  // Fetched outside the lock: a slow provider must not hold up sign-ins to
  // other teams (SPEC §7).
  auto fetched = fetch(issuer);
  std::lock_guard lock(mu_);
  auto now = clock_->monotonic();
  if (!fetched) {
    auto it = cache_.find(issuer);
    if (it == cache_.end()) return tl::unexpected(fetched.error());
    it->second.expires = now + std::min<std::chrono::steady_clock::duration>(kStaleRetry, ttl_);
    return it->second.meta;
  }
  auto meta = std::make_shared<const ProviderMetadata>(std::move(*fetched));
  cache_[issuer] = Entry{meta, now + ttl_};
  return meta;
}

Result<ProviderMetadata> Discovery::fetch(const std::string& issuer) {
  if (auto ok = check_issuer(issuer); !ok) return tl::unexpected(ok.error());
  http::ClientRequest req;
  req.url = discovery_url(issuer);
  req.headers = {{"accept", "application/json"}};
  req.max_body = kMaxDocument;
  auto resp = http_->send(req);
  if (!resp) return fail_transport(resp.error(), Error::discovery_failed, "discovery");
  if (resp->status != 200)
    return fail(Error::discovery_failed, "discovery: HTTP " + std::to_string(resp->status));
  return parse_metadata(resp->body, issuer);
}

}  // namespace gatehouse::oidc
