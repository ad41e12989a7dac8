#include "oidc/relying_party.hpp"

#include "oidc/logout.hpp"

namespace gatehouse::oidc {
namespace {

template <class T>
tl::expected<T, Error> report(Result<T> r, std::string* detail) {
  if (r) return std::move(*r);
  if (detail) *detail = std::move(r.error().detail);
  return tl::unexpected(r.error().error);
}

JwksCacheOptions jwks_options(const Options& o) {
  JwksCacheOptions j;
  j.min_refetch_interval = o.jwks_min_refetch_interval;
  return j;
}

}  // namespace

RelyingParty::RelyingParty(http::HttpClient& http, const Clock& clock, crypto::Random& rng,
                           Options options)
    : rng_(&rng),
      discovery_(http, clock, options.metadata_ttl),
      jwks_(http, clock, jwks_options(options)),
      tokens_(http),
      validator_(jwks_, clock, options.clock_skew),
      userinfo_(http) {}

tl::expected<std::shared_ptr<const ProviderMetadata>, Error> RelyingParty::metadata(
    const std::string& issuer, std::string* detail) {
  return report(discovery_.get(issuer), detail);
}

tl::expected<AuthorizationStart, Error> RelyingParty::start(
    const ClientConfig& client, const std::optional<std::string>& login_hint, std::string* detail) {
  auto meta = discovery_.get(client.issuer);
  if (!meta) return report(Result<AuthorizationStart>(tl::unexpected(meta.error())), detail);
  return build_authorization(**meta, client, *rng_, login_hint);
}

tl::expected<Identity, Error> RelyingParty::finish(const ClientConfig& client,
                                                   const PendingAuthorization& pending,
                                                   const http::Params& callback_params,
                                                   std::string* detail) {
  return report(finish_or_fail(client, pending, callback_params), detail);
}

Result<Identity> RelyingParty::finish_or_fail(const ClientConfig& client,
                                              const PendingAuthorization& pending,
                                              const http::Params& params) {
  // Login CSRF is refused before any call to the provider: a forged callback
  // must cost us nothing (RFC 9700 §4.7).
  if (auto s = params.get("state");
      !s || pending.state.empty() || s->size() != pending.state.size())
    return fail(Error::state_mismatch, s ? "state does not match the attempt" : "no state");

  auto meta = discovery_.get(client.issuer);
  if (!meta) return tl::unexpected(meta.error());
  auto code = check_authorization_response(**meta, pending, params);
  if (!code) return tl::unexpected(code.error());

  auto tokens = tokens_.redeem(**meta, client, *code, pending.code_verifier);
  if (!tokens) return tl::unexpected(tokens.error());

  auto id = validator_.validate(tokens->id_token, **meta, client.client_id, pending.nonce);
  if (!id) return tl::unexpected(id.error());

  Identity out{.sub = id->sub(),
               .issuer = id->issuer(),
               .email = id->email(),
               .name = id->name(),
               .email_verified = id->email_verified(),
               .id_token = id->raw()};
  // OIDC Core §5.4: a thin ID token leaves email/name to UserInfo.
  if ((!out.email || !out.name) && (*meta)->userinfo_endpoint) {
    auto info = userinfo_.fetch(**meta, tokens->access_token, out.sub);
    if (!info) return tl::unexpected(info.error());
    if (!out.email && info->email) {
      out.email = info->email;
      // A provider that said "not verified" in the ID token is believed,
      // whatever UserInfo adds: the admin rule must never loosen (SPEC §7).
      if (out.email_verified != false) out.email_verified = info->email_verified;
    }
    if (!out.name) out.name = info->name;
  }
  return out;
}

std::optional<std::string> RelyingParty::logout_url(const std::string& issuer,
                                                    const std::string& id_token_hint,
                                                    const std::string& post_logout_redirect_uri,
                                                    const std::string& state) {
  auto meta = discovery_.get(issuer);
  if (!meta) return std::nullopt;
  return build_logout_url(**meta, id_token_hint, post_logout_redirect_uri, state);
}

}  // namespace gatehouse::oidc
