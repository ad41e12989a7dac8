#pragma once
// A small, fast OpenID Provider for the benchmarks (bench/run): both relying
// parties (gatehouse and Apache + mod_auth_openidc) sign in against it, so it
// must never be the bottleneck, and it must check what a real provider checks
// so that neither relying party is measured doing less than it would in
// production.
//   BenchProvider op({.issuer = "http://127.0.0.1:9000", .clients = {...}});
//   op.add_routes(router);   // discovery, JWKS, /authorize, /token
//
// /authorize signs in the user named by login_hint at once (no page, consent
// implied), so a load generator can run many distinct users. /token checks
// client authentication, the code (single use, 60 s, bound to client and
// redirect_uri) and PKCE (RFC 7636 §4.6), and answers with an ID token
// carrying iss, sub, aud, exp, iat, auth_time, nonce, email and name, signed
// ES256 (P-256 key) or RS256 (RSA key), as the key given says.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <openssl/evp.h>

#include "http/router.hpp"

namespace gatehouse::bench {

struct OpClient {
  std::string client_id;
  std::string client_secret;
  std::vector<std::string> redirect_uris;  // compared exactly (RFC 9700 §4.1.3)
};

struct OpOptions {
  std::string issuer;  // no trailing slash
  std::vector<OpClient> clients;
  std::chrono::seconds code_ttl{60};
  std::chrono::seconds id_token_ttl{300};
};

struct EvpPkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using SigningKey = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;

// Counters printed by the OP when it stops, so the benchmark report can say
// how many codes were issued and how many token requests were refused.
struct OpStats {
  std::atomic<std::uint64_t> codes_issued{0};
  std::atomic<std::uint64_t> tokens_issued{0};
  std::atomic<std::uint64_t> authorize_refused{0};
  std::atomic<std::uint64_t> token_refused{0};
};

class BenchProvider {
 public:
  // key: EC P-256 (ES256) or RSA of at least 2048 bits (RS256), made by the caller.
  BenchProvider(OpOptions options, SigningKey key, std::function<std::int64_t()> now);
  void add_routes(http::Router& router);
  [[nodiscard]] const OpStats& stats() const { return stats_; }

  // The handlers, public for the route table and for direct tests.
  http::Response discovery() const;
  http::Response jwks() const;
  http::Response authorize(const http::Request& req);
  http::Response token(const http::Request& req);

 private:
  struct Grant {
    std::string client_id;
    std::string redirect_uri;
    std::string nonce;
    std::string code_challenge;  // empty: the client sent no PKCE
    std::string user;
    std::int64_t auth_time = 0;
    std::int64_t expires_at = 0;
  };
  // Codes sharded by their first byte so that token requests on different
  // threads rarely wait on the same lock.
  static constexpr std::size_t kShards = 64;
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, Grant> grants;
    std::int64_t last_sweep = 0;
  };

  const OpClient* find_client(std::string_view client_id) const;
  void store(const std::string& code, Grant grant);
  std::optional<Grant> take(const std::string& code);
  std::string sign(const std::string& claims) const;

  OpOptions options_;
  SigningKey key_;
  std::function<std::int64_t()> now_;
  std::string alg_;  // "ES256" or "RS256", from the key
  std::string kid_;
  std::string header_b64_;  // the JWS header, the same for every token
  std::string jwks_;
  std::vector<std::unique_ptr<Shard>> shards_;
  OpStats stats_;
};

}  // namespace gatehouse::bench
