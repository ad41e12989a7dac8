#include "oidc/token_client.hpp"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "crypto/encoding.hpp"
#include "http/form.hpp"

namespace gatehouse::oidc {
namespace {
using nlohmann::json;

// A token response is a few KiB; anything larger is not one.
constexpr std::size_t kMaxTokenResponse = 64 * 1024;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

const std::string* string_member(const json& doc, const char* name) {
  auto it = doc.find(name);
  if (it == doc.end() || !it->is_string() || it->get_ref<const std::string&>().empty())
    return nullptr;
  return &it->get_ref<const std::string&>();
}
}  // namespace

std::string basic_authorization(const std::string& client_id, const std::string& client_secret) {
  return "Basic " + crypto::base64_encode(http::percent_encode(client_id) + ":" +
                                          http::percent_encode(client_secret));
}

Result<TokenResponse> TokenClient::redeem(const ProviderMetadata& meta, const ClientConfig& client,
                                          const std::string& code,
                                          const std::string& code_verifier) const {
  std::vector<std::pair<std::string, std::string>> form{
      {"grant_type", "authorization_code"},
      {"code", code},
      {"redirect_uri", client.redirect_uri},
      {"code_verifier", code_verifier},
  };
  http::ClientRequest req;
  req.method = "POST";
  req.url = meta.token_endpoint;
  req.headers = {{"accept", "application/json"}};
  req.max_body = kMaxTokenResponse;
  auto method = choose_client_auth(meta);
  if (!method) return fail(Error::metadata_invalid, "no supported token endpoint auth method");
  if (*method == ClientAuthMethod::client_secret_basic) {
    req.headers.emplace_back("authorization",
                             basic_authorization(client.client_id, client.client_secret));
  } else {
    form.emplace_back("client_id", client.client_id);
    form.emplace_back("client_secret", client.client_secret);
  }
  req.content_type = "application/x-www-form-urlencoded";
  req.body = http::encode_form(form);

  // No retry: a code is single-use (RFC 6749 §4.1.2), and SPEC §7 forbids
  // retries on the sign-in path.
  auto resp = http_->send(req);
  if (!resp) {
    if (resp.error().kind == http::ClientErrorKind::too_large)
      return fail(Error::token_response_invalid, "token endpoint: response too large");
    return fail_transport(resp.error(), Error::token_request_failed, "token endpoint");
  }
  json doc = json::parse(resp->body, nullptr, /*allow_exceptions=*/false);
  if (resp->status != 200) {
    // RFC 6749 §5.2 error codes are ASCII words chosen from a fixed list;
    // the description is not logged (it may echo request values).
    std::string error =
        doc.is_object() && string_member(doc, "error") ? *string_member(doc, "error") : "";
    std::string detail = "token endpoint: HTTP " + std::to_string(resp->status);
    if (!error.empty()) detail += " error=" + printable(error, 64);
    if (error == "invalid_client") return fail(Error::client_auth_failed, std::move(detail));
    if (error == "invalid_grant") return fail(Error::code_rejected, std::move(detail));
    return fail(Error::token_request_failed, std::move(detail));
  }
  if (!doc.is_object())
    return fail(Error::token_response_invalid, "token response is not a JSON object");
  const std::string* token_type = string_member(doc, "token_type");
  // RFC 6749 §5.1: token_type is case-insensitive; we only use Bearer (RFC 6750).
  if (!token_type || !iequals(*token_type, "bearer"))
    return fail(Error::token_response_invalid, "token_type is not Bearer");
  const std::string* access_token = string_member(doc, "access_token");
  if (!access_token) return fail(Error::token_response_invalid, "no access_token");
  const std::string* id_token = string_member(doc, "id_token");
  if (!id_token) return fail(Error::token_response_invalid, "no id_token");
  return TokenResponse{*access_token, *id_token};
}

}  // namespace gatehouse::oidc
