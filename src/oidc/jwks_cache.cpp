#include "oidc/jwks_cache.hpp"

#include <algorithm>
#include <cctype>

namespace gatehouse::oidc {
namespace {
constexpr std::size_t kMaxJwks = 256 * 1024;  // JwkSet::parse's own limit

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}
}  // namespace

JwksCache::JwksCache(http::HttpClient& http, const Clock& clock, JwksCacheOptions options)
    : http_(&http), clock_(&clock), options_(options) {}

std::size_t JwksCache::waiters(const std::string& issuer) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(issuer);
  return it == entries_.end() ? 0 : it->second.waiters;
}

Result<std::shared_ptr<const jose::JwkSet>> JwksCache::keys_for(
    const std::string& issuer, const std::string& jwks_uri, const std::optional<std::string>& kid) {
  std::unique_lock lock(mu_);
  Entry& e = entries_[issuer];  // map nodes are stable; entries are never erased
  if (e.jwks_uri != jwks_uri) {
    // The provider's metadata moved its keys: the old set stays only as a
    // fallback, and is refetched from the new place now.
    e.jwks_uri = jwks_uri;
    e.expires = {};
  }
  bool waited = false;
  for (;;) {
    if (e.fetching) {
      // Coalesce: someone is already asking the provider; use their answer.
      const auto generation = e.generation;
      ++e.waiters;
      fetched_.wait(lock, [&] { return e.generation != generation; });
      --e.waiters;
      waited = true;
      continue;
    }
    const auto now = clock_->monotonic();
    const bool fresh = e.keys && now < e.expires;
    bool kid_refetch = false;
    if (fresh) {
      if (!kid || e.keys->has_kid(*kid) || waited) return e.keys;
      if (e.last_kid_refetch && now - *e.last_kid_refetch < options_.min_refetch_interval)
        return e.keys;  // rate-limited: the verifier reports the unknown kid
      kid_refetch = true;
    } else if (waited) {
      // The fetch we waited for just finished: take its outcome rather than
      // asking the provider again.
      if (e.keys) return e.keys;
      if (e.last_failure) return tl::unexpected(*e.last_failure);
    }
    if (kid_refetch) e.last_kid_refetch = now;
    e.fetching = true;
    lock.unlock();
    Result<Fetched> result = fail(Error::jwks_failed, "jwks: not fetched");
    try {
      result = fetch(jwks_uri);
    } catch (...) {
      lock.lock();
      e.fetching = false;
      ++e.generation;
      fetched_.notify_all();
      throw;
    }
    lock.lock();
    e.fetching = false;
    ++e.generation;
    const auto done = clock_->monotonic();
    if (result) {
      e.keys = std::move(result->keys);
      e.expires = done + result->ttl;
      e.last_failure.reset();
    } else {
      e.last_failure = result.error();
      // Keep serving the last good keys (rotation is rare, outages are not),
      // and do not ask again on every sign-in while the provider is down.
      if (e.keys && e.expires <= done) e.expires = done + options_.retry_after_failure;
    }
    fetched_.notify_all();
    if (e.keys) return e.keys;
    return tl::unexpected(*e.last_failure);
  }
}

Result<JwksCache::Fetched> JwksCache::fetch(const std::string& jwks_uri) const {
  http::ClientRequest req;
  req.url = jwks_uri;
  req.headers = {{"accept", "application/json"}};
  req.max_body = kMaxJwks;
  auto resp = http_->send(req);
  if (!resp) return fail_transport(resp.error(), Error::jwks_failed, "jwks");
  if (resp->status != 200)
    return fail(Error::jwks_failed, "jwks: HTTP " + std::to_string(resp->status));
  auto set = jose::JwkSet::parse(resp->body);
  if (!set) return fail(Error::jwks_failed, "jwks: " + std::string(jose::to_string(set.error())));
  if (set->keys().empty()) return fail(Error::jwks_failed, "jwks: no usable signing key");
  return Fetched{std::make_shared<const jose::JwkSet>(std::move(*set)), ttl_from(*resp)};
}

std::chrono::seconds JwksCache::ttl_from(const http::ClientResponse& resp) const {
  const std::string cc = lower(resp.header("cache-control"));
  if (cc.empty()) return options_.default_ttl;
  if (cc.find("no-store") != std::string::npos || cc.find("no-cache") != std::string::npos)
    return options_.min_ttl;
  auto pos = cc.find("max-age=");
  if (pos == std::string::npos) return options_.default_ttl;
  pos += 8;
  long long value = 0;
  std::size_t digits = 0;
  for (; pos < cc.size() && std::isdigit(static_cast<unsigned char>(cc[pos])) && digits < 12;
       ++pos, ++digits)
    value = value * 10 + (cc[pos] - '0');
  if (digits == 0) return options_.default_ttl;
  return std::clamp(std::chrono::seconds(value), options_.min_ttl, options_.max_ttl);
}

}  // namespace gatehouse::oidc
