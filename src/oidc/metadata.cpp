#include "oidc/metadata.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "oidc/url_check.hpp"

namespace gatehouse::oidc {
namespace {

using nlohmann::json;

// JwsVerifier drops anything else too; filtering here as well means a
// provider advertising only HS256 fails at discovery with a clear reason.
const std::set<std::string>& asymmetric_algs() {
  static const std::set<std::string> algs{"RS256", "RS384", "RS512", "PS256", "PS384",
                                          "PS512", "ES256", "ES384", "ES512", "EdDSA"};
  return algs;
}

bool contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

Result<std::string> required_endpoint(const json& doc, const char* name) {
  auto it = doc.find(name);
  if (it == doc.end() || !it->is_string() || it->get_ref<const std::string&>().empty())
    return fail(Error::metadata_invalid, std::string("missing ") + name);
  const auto& url = it->get_ref<const std::string&>();
  if (!secure_endpoint(url))
    return fail(Error::metadata_invalid,
                std::string(name) + " is not an https URL: " + printable(url));
  return url;
}

Result<std::optional<std::string>> optional_endpoint(const json& doc, const char* name) {
  auto it = doc.find(name);
  if (it == doc.end() || it->is_null()) return std::optional<std::string>{};
  auto url = required_endpoint(doc, name);
  if (!url) return tl::unexpected(url.error());
  return std::optional<std::string>(*url);
}

Result<std::vector<std::string>> string_list(const json& doc, const char* name) {
  std::vector<std::string> out;
  auto it = doc.find(name);
  if (it == doc.end() || it->is_null()) return out;
  if (!it->is_array()) return fail(Error::metadata_invalid, std::string(name) + " is not an array");
  for (const auto& v : *it) {
    if (!v.is_string())
      return fail(Error::metadata_invalid, std::string(name) + " has a non-string");
    out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace

std::set<std::string> ProviderMetadata::id_token_algs() const {
  if (id_token_signing_alg_values_supported.empty()) return {"RS256"};
  std::set<std::string> out;
  for (const auto& alg : id_token_signing_alg_values_supported)
    if (asymmetric_algs().count(alg)) out.insert(alg);
  return out;
}

std::optional<ClientAuthMethod> choose_client_auth(const ProviderMetadata& meta) {
  const auto& methods = meta.token_endpoint_auth_methods_supported;
  if (methods.empty() || contains(methods, "client_secret_basic"))
    return ClientAuthMethod::client_secret_basic;
  if (contains(methods, "client_secret_post")) return ClientAuthMethod::client_secret_post;
  return std::nullopt;
}

Result<void> check_issuer(const std::string& issuer) {
  auto parts = split_url(issuer);
  if (!parts || parts->has_query || parts->has_fragment || !secure_endpoint(issuer))
    return fail(Error::issuer_invalid,
                "issuer must be an https URL without query or fragment: " + printable(issuer));
  return {};
}

std::string discovery_url(const std::string& issuer) {
  std::string base = issuer;
  if (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/.well-known/openid-configuration";
}

Result<ProviderMetadata> parse_metadata(std::string_view text, const std::string& expected_issuer) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object())
    return fail(Error::discovery_failed, "discovery document is not a JSON object");

  ProviderMetadata meta;
  auto iss = doc.find("issuer");
  if (iss == doc.end() || !iss->is_string()) return fail(Error::metadata_invalid, "missing issuer");
  // Discovery §4.3: exact string comparison, so a document served for (or
  // copied from) another issuer can never stand in for this one.
  if (iss->get_ref<const std::string&>() != expected_issuer)
    return fail(Error::issuer_mismatch, "document issuer " + printable(iss->get<std::string>()) +
                                            " != configured " + printable(expected_issuer));
  meta.issuer = expected_issuer;

  auto authz = required_endpoint(doc, "authorization_endpoint");
  if (!authz) return tl::unexpected(authz.error());
  auto token = required_endpoint(doc, "token_endpoint");
  if (!token) return tl::unexpected(token.error());
  auto jwks = required_endpoint(doc, "jwks_uri");
  if (!jwks) return tl::unexpected(jwks.error());
  auto userinfo = optional_endpoint(doc, "userinfo_endpoint");
  if (!userinfo) return tl::unexpected(userinfo.error());
  auto end_session = optional_endpoint(doc, "end_session_endpoint");
  if (!end_session) return tl::unexpected(end_session.error());
  meta.authorization_endpoint = *authz;
  meta.token_endpoint = *token;
  meta.jwks_uri = *jwks;
  meta.userinfo_endpoint = *userinfo;
  meta.end_session_endpoint = *end_session;

  auto auth_methods = string_list(doc, "token_endpoint_auth_methods_supported");
  if (!auth_methods) return tl::unexpected(auth_methods.error());
  auto algs = string_list(doc, "id_token_signing_alg_values_supported");
  if (!algs) return tl::unexpected(algs.error());
  auto pkce = string_list(doc, "code_challenge_methods_supported");
  if (!pkce) return tl::unexpected(pkce.error());
  meta.token_endpoint_auth_methods_supported = std::move(*auth_methods);
  meta.id_token_signing_alg_values_supported = std::move(*algs);
  meta.code_challenge_methods_supported = std::move(*pkce);

  auto iss_param = doc.find("authorization_response_iss_parameter_supported");
  if (iss_param != doc.end() && !iss_param->is_null()) {
    if (!iss_param->is_boolean())
      return fail(Error::metadata_invalid,
                  "authorization_response_iss_parameter_supported is not a boolean");
    meta.authorization_response_iss_parameter_supported = iss_param->get<bool>();
  }

  if (meta.id_token_algs().empty())
    return fail(Error::metadata_invalid, "no asymmetric id_token signing algorithm advertised");
  if (!choose_client_auth(meta))
    return fail(Error::metadata_invalid,
                "neither client_secret_basic nor client_secret_post supported");
  // RFC 7636 / RFC 9700 §2.1.1: PKCE with S256. A provider that lists its
  // methods without S256 would ignore or refuse our challenge.
  if (!meta.code_challenge_methods_supported.empty() &&
      !contains(meta.code_challenge_methods_supported, "S256"))
    return fail(Error::metadata_invalid, "code_challenge_methods_supported lacks S256");
  return meta;
}

}  // namespace gatehouse::oidc
