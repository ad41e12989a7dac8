#include "oidc/userinfo.hpp"

#include <nlohmann/json.hpp>

namespace gatehouse::oidc {
namespace {
using nlohmann::json;
constexpr std::size_t kMaxUserInfo = 64 * 1024;

std::optional<std::string> text(const json& doc, const char* name) {
  auto it = doc.find(name);
  if (it == doc.end() || !it->is_string() || it->get_ref<const std::string&>().empty())
    return std::nullopt;
  return it->get<std::string>();
}
}  // namespace

Result<UserInfo> UserInfoClient::fetch(const ProviderMetadata& meta,
                                       const std::string& access_token,
                                       const std::string& expected_sub) const {
  if (!meta.userinfo_endpoint)
    return fail(Error::userinfo_failed, "userinfo: no userinfo_endpoint");
  http::ClientRequest req;
  req.url = *meta.userinfo_endpoint;
  req.headers = {{"authorization", "Bearer " + access_token}, {"accept", "application/json"}};
  req.max_body = kMaxUserInfo;
  auto resp = http_->send(req);
  if (!resp) return fail_transport(resp.error(), Error::userinfo_failed, "userinfo");
  if (resp->status != 200)
    return fail(Error::userinfo_failed, "userinfo: HTTP " + std::to_string(resp->status));
  json doc = json::parse(resp->body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return fail(Error::userinfo_failed, "userinfo: not a JSON object");

  UserInfo out;
  auto sub = text(doc, "sub");
  if (!sub) return fail(Error::userinfo_failed, "userinfo: no sub");
  if (*sub != expected_sub)
    return fail(Error::userinfo_sub_mismatch, "userinfo: sub differs from the ID token's");
  out.sub = *sub;
  out.email = text(doc, "email");
  out.name = text(doc, "name");
  if (auto it = doc.find("email_verified"); it != doc.end()) {
    if (it->is_boolean())
      out.email_verified = it->get<bool>();
    else if (it->is_string() && (*it == "true" || *it == "false"))
      out.email_verified = *it == "true";
  }
  return out;
}

}  // namespace gatehouse::oidc
