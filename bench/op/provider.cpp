#include "op/provider.hpp"

#include <algorithm>
#include <stdexcept>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <nlohmann/json.hpp>

#include "crypto/encoding.hpp"
#include "crypto/hash.hpp"
#include "crypto/random.hpp"
#include "http/form.hpp"

namespace gatehouse::bench {
namespace {
using nlohmann::json;

// A key's big-number parameter, base64url; width > 0 left-pads it with zeros
// (an EC coordinate is always the curve's size, RFC 7518 §6.2.1.2).
std::string bn_member(EVP_PKEY* k, const char* name, int width = 0) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(k, name, &bn) != 1) throw std::runtime_error("key lacks a parameter");
  const int n = width > 0 ? width : BN_num_bytes(bn);
  std::string out(static_cast<std::size_t>(n), '\0');
  const int ok = BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), n);
  BN_free(bn);
  if (ok != n) throw std::runtime_error("key parameter too wide");
  return crypto::base64url_encode(out);
}

bool is_p256(EVP_PKEY* k) {
  char group[32] = {};
  return EVP_PKEY_is_a(k, "EC") &&
         EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                        nullptr) == 1 &&
         std::string_view(group) == "prime256v1";
}

// ECDSA signs in DER; JWS wants R || S, each 32 bytes for P-256 (RFC 7518 §3.4).
std::string der_to_jose(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(
      d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())), &ECDSA_SIG_free);
  if (!sig) throw std::runtime_error("ES256 signature is not DER");
  std::string out(64, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), o, 32) != 32 ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), o + 32, 32) != 32)
    throw std::runtime_error("ES256 signature too wide");
  return out;
}

std::string random_token(std::size_t bytes) {
  thread_local crypto::SystemRandom rng;
  return crypto::random_token(rng, bytes);
}

// RFC 7636 §4.1: 43..128 characters of ALPHA / DIGIT / "-" / "." / "_" / "~".
bool valid_verifier(std::string_view v) {
  return v.size() >= 43 && v.size() <= 128 && std::all_of(v.begin(), v.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
                  c == '~';
         });
}

// The user name becomes sub and the local part of the email: keep it plain.
bool valid_user(std::string_view u) {
  return !u.empty() && u.size() <= 128 && std::all_of(u.begin(), u.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
           c == '@' || c == '+';
  });
}

http::Response page(int status, std::string_view text) {
  auto r = http::Response::text(status, std::string(text) + "\n");
  r.set_header("Cache-Control", "no-store");
  return r;
}

// RFC 6749 §5.2: a JSON error, never cached.
http::Response token_error(int status, std::string_view error) {
  auto r = http::Response::json(status, {{"error", error}});
  r.set_header("Cache-Control", "no-store");
  if (status == 401) r.set_header("WWW-Authenticate", "Basic realm=\"bench-op\"");
  return r;
}

std::string with_query(const std::string& uri,
                       const std::vector<std::pair<std::string, std::string>>& params) {
  return uri + (uri.find('?') == std::string::npos ? '?' : '&') + http::encode_form(params);
}
}  // namespace

BenchProvider::BenchProvider(OpOptions options, SigningKey key, std::function<std::int64_t()> now)
    : options_(std::move(options)), key_(std::move(key)), now_(std::move(now)) {
  // RFC 7638 thumbprint as kid, so a restarted OP has a new kid.
  json jwk;
  if (key_ && EVP_PKEY_is_a(key_.get(), "RSA") && EVP_PKEY_get_bits(key_.get()) >= 2048) {
    alg_ = "RS256";
    const std::string n = bn_member(key_.get(), OSSL_PKEY_PARAM_RSA_N);
    const std::string e = bn_member(key_.get(), OSSL_PKEY_PARAM_RSA_E);
    kid_ = crypto::base64url_encode(
        crypto::sha256(R"({"e":")" + e + R"(","kty":"RSA","n":")" + n + R"("})"));
    jwk = {{"kty", "RSA"}, {"n", n}, {"e", e}};
  } else if (key_ && is_p256(key_.get())) {
    alg_ = "ES256";
    const std::string x = bn_member(key_.get(), OSSL_PKEY_PARAM_EC_PUB_X, 32);
    const std::string y = bn_member(key_.get(), OSSL_PKEY_PARAM_EC_PUB_Y, 32);
    kid_ = crypto::base64url_encode(
        crypto::sha256(R"({"crv":"P-256","kty":"EC","x":")" + x + R"(","y":")" + y + R"("})"));
    jwk = {{"kty", "EC"}, {"crv", "P-256"}, {"x", x}, {"y", y}};
  } else {
    throw std::invalid_argument("the signing key must be RSA of at least 2048 bits or EC P-256");
  }
  jwk["use"] = "sig";
  jwk["alg"] = alg_;
  jwk["kid"] = kid_;
  jwks_ = json{{"keys", json::array({jwk})}}.dump();
  header_b64_ = crypto::base64url_encode(json{{"alg", alg_}, {"kid", kid_}, {"typ", "JWT"}}.dump());
  for (std::size_t i = 0; i < kShards; ++i) shards_.push_back(std::make_unique<Shard>());
}

void BenchProvider::add_routes(http::Router& router) {
  // Everything is CPU only (no I/O), so it runs on the I/O threads.
  const auto io = http::Execution::io;
  router.add(
      "GET", "/.well-known/openid-configuration", [this](http::Request&) { return discovery(); },
      io);
  router.add(
      "GET", "/jwks", [this](http::Request&) { return jwks(); }, io);
  router.add(
      "GET", "/authorize", [this](http::Request& r) { return authorize(r); }, io);
  router.add(
      "POST", "/token", [this](http::Request& r) { return token(r); }, io);
}

http::Response BenchProvider::discovery() const {
  const auto& iss = options_.issuer;
  return http::Response::json(200, {{"issuer", iss},
                                    {"authorization_endpoint", iss + "/authorize"},
                                    {"token_endpoint", iss + "/token"},
                                    {"jwks_uri", iss + "/jwks"},
                                    {"response_types_supported", {"code"}},
                                    {"response_modes_supported", {"query"}},
                                    {"grant_types_supported", {"authorization_code"}},
                                    {"subject_types_supported", {"public"}},
                                    {"id_token_signing_alg_values_supported", {alg_}},
                                    {"token_endpoint_auth_methods_supported",
                                     {"client_secret_basic", "client_secret_post"}},
                                    {"code_challenge_methods_supported", {"S256"}},
                                    {"scopes_supported", {"openid", "email", "profile"}},
                                    {"claims_supported",
                                     {"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce",
                                      "email", "email_verified", "name"}},
                                    {"authorization_response_iss_parameter_supported", true}});
}

http::Response BenchProvider::jwks() const {
  http::Response r{200, {{"Content-Type", "application/json"}}, jwks_};
  return r;
}

const OpClient* BenchProvider::find_client(std::string_view client_id) const {
  for (const auto& c : options_.clients)
    if (c.client_id == client_id) return &c;
  return nullptr;
}

http::Response BenchProvider::authorize(const http::Request& req) {
  auto q = req.query_params();
  if (!q) {
    ++stats_.authorize_refused;
    return page(400, "bad query string");
  }
  // RFC 6749 §4.1.2.1: with an unknown client or redirect URI, never redirect.
  const auto client_id = q->get("client_id").value_or("");
  const OpClient* client = find_client(client_id);
  if (!client) {
    ++stats_.authorize_refused;
    return page(400, "unknown client_id");
  }
  const auto redirect_uri = q->get("redirect_uri").value_or("");
  if (std::find(client->redirect_uris.begin(), client->redirect_uris.end(), redirect_uri) ==
      client->redirect_uris.end()) {
    ++stats_.authorize_refused;
    return page(400, "redirect_uri is not registered for this client");
  }
  std::vector<std::pair<std::string, std::string>> back;
  auto refuse = [&](std::string_view error) {
    ++stats_.authorize_refused;
    back.emplace_back("error", std::string(error));
    if (auto s = q->get("state")) back.emplace_back("state", *s);
    back.emplace_back("iss", options_.issuer);
    return http::Response::redirect(302, with_query(redirect_uri, back));
  };
  if (q->get("response_type") != "code") return refuse("unsupported_response_type");
  // Space-delimited (RFC 6749 §3.3); padded so " openid " matches at either end.
  std::string scope(1, ' ');
  scope += q->get("scope").value_or("");
  scope += ' ';
  if (scope.find(" openid ") == std::string::npos) return refuse("invalid_scope");
  // RFC 7636 §4.3: without a method the challenge is "plain", which this
  // provider does not accept, as it advertises.
  const auto challenge = q->get("code_challenge").value_or("");
  if (!challenge.empty() && (q->get("code_challenge_method") != "S256" || challenge.size() != 43))
    return refuse("invalid_request");
  const auto user = q->get("login_hint").value_or("");
  if (!valid_user(user)) return refuse("login_required");

  const auto now = now_();
  Grant g{client->client_id,
          redirect_uri,
          q->get("nonce").value_or(""),
          challenge,
          user,
          now,
          now + options_.code_ttl.count()};
  std::string code = random_token(32);
  store(code, std::move(g));
  ++stats_.codes_issued;
  back.emplace_back("code", std::move(code));
  if (auto s = q->get("state")) back.emplace_back("state", *s);
  back.emplace_back("iss", options_.issuer);  // RFC 9207
  auto r = http::Response::redirect(302, with_query(redirect_uri, back));
  r.set_header("Cache-Control", "no-store");
  return r;
}

http::Response BenchProvider::token(const http::Request& req) {
  auto refuse = [this](int status, std::string_view error) {
    ++stats_.token_refused;
    return token_error(status, error);
  };
  auto form = req.form();
  if (!form) return refuse(400, "invalid_request");

  // RFC 6749 §2.3.1: Basic with form-encoded id and secret, or both in the
  // body; never both ways at once.
  std::string id, secret;
  const auto basic = req.header("authorization");
  if (basic && basic->starts_with("Basic ")) {
    if (form->has("client_secret")) return refuse(400, "invalid_request");
    auto raw = crypto::base64_decode(std::string_view(*basic).substr(6));
    const auto colon = raw ? raw->find(':') : std::string::npos;
    if (colon == std::string::npos) return refuse(401, "invalid_client");
    auto i = http::percent_decode(std::string_view(*raw).substr(0, colon));
    auto s = http::percent_decode(std::string_view(*raw).substr(colon + 1));
    if (!i || !s) return refuse(401, "invalid_client");
    id = std::move(*i);
    secret = std::move(*s);
  } else {
    id = form->get("client_id").value_or("");
    secret = form->get("client_secret").value_or("");
  }
  const OpClient* client = find_client(id);
  if (!client || secret.empty() || !crypto::constant_time_equal(secret, client->client_secret))
    return refuse(401, "invalid_client");

  if (form->get("grant_type") != "authorization_code") return refuse(400, "unsupported_grant_type");
  // Taken out whatever happens next: a code is single use (RFC 6749 §4.1.2).
  auto grant = take(form->get("code").value_or(""));
  if (!grant || grant->expires_at < now_() || grant->client_id != client->client_id)
    return refuse(400, "invalid_grant");
  // RFC 6749 §4.1.3: the same redirect_uri as in the authorization request.
  if (form->get("redirect_uri") != grant->redirect_uri) return refuse(400, "invalid_grant");
  // RFC 7636 §4.6.
  const auto verifier = form->get("code_verifier");
  if (grant->code_challenge.empty()) {
    if (verifier) return refuse(400, "invalid_grant");
  } else if (!verifier || !valid_verifier(*verifier) ||
             !crypto::constant_time_equal(crypto::base64url_encode(crypto::sha256(*verifier)),
                                          grant->code_challenge)) {
    return refuse(400, "invalid_grant");
  }

  const auto now = now_();
  json claims{{"iss", options_.issuer},
              {"sub", grant->user},
              {"aud", client->client_id},
              {"exp", now + options_.id_token_ttl.count()},
              {"iat", now},
              {"auth_time", grant->auth_time},
              {"email", grant->user.find('@') == std::string::npos ? grant->user + "@bench.test"
                                                                   : grant->user},
              {"email_verified", true},
              {"name", "Bench " + grant->user}};
  if (!grant->nonce.empty()) claims["nonce"] = grant->nonce;
  auto r = http::Response::json(200, {{"access_token", random_token(32)},
                                      {"token_type", "Bearer"},
                                      {"expires_in", 3600},
                                      {"id_token", sign(claims.dump())}});
  r.set_header("Cache-Control", "no-store");
  ++stats_.tokens_issued;
  return r;
}

void BenchProvider::store(const std::string& code, Grant grant) {
  auto& shard = *shards_[static_cast<unsigned char>(code[0]) % kShards];
  const auto now = grant.auth_time;
  std::lock_guard lock(shard.mu);
  // Codes that were never redeemed would pile up: drop expired ones now and then.
  if (now - shard.last_sweep > options_.code_ttl.count()) {
    std::erase_if(shard.grants, [now](const auto& kv) { return kv.second.expires_at < now; });
    shard.last_sweep = now;
  }
  shard.grants.emplace(code, std::move(grant));
}

std::optional<BenchProvider::Grant> BenchProvider::take(const std::string& code) {
  if (code.empty()) return std::nullopt;
  auto& shard = *shards_[static_cast<unsigned char>(code[0]) % kShards];
  std::lock_guard lock(shard.mu);
  auto it = shard.grants.find(code);
  if (it == shard.grants.end()) return std::nullopt;
  Grant g = std::move(it->second);
  shard.grants.erase(it);
  return g;
}

std::string BenchProvider::sign(const std::string& claims) const {
  const std::string input = header_b64_ + "." + crypto::base64url_encode(claims);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestSignInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, key_.get(),
                                    nullptr) != 1)
    throw std::runtime_error(alg_ + " sign init failed");
  const auto* in = reinterpret_cast<const unsigned char*>(input.data());
  std::size_t len = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &len, in, input.size()) != 1)
    throw std::runtime_error(alg_ + " sign failed");
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in,
                     input.size()) != 1)
    throw std::runtime_error(alg_ + " sign failed");
  sig.resize(len);
  return input + "." + crypto::base64url_encode(alg_ == "ES256" ? der_to_jose(sig) : sig);
}

}  // namespace gatehouse::bench
