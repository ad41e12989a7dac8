#pragma once
// The UserInfo request (OIDC Core §5.3), used when the ID token lacks email
// or name (Okta's org server sends a thin one).
//   UserInfoClient userinfo(http);
//   auto claims = userinfo.fetch(meta, access_token, id_token.sub());   // Result<UserInfo>
#include <optional>
#include <string>

#include "http/client.hpp"
#include "oidc/failure.hpp"
#include "oidc/metadata.hpp"

namespace gatehouse::oidc {

struct UserInfo {
  std::string sub;
  std::optional<std::string> email, name;
  std::optional<bool> email_verified;
};

class UserInfoClient {
 public:
  explicit UserInfoClient(http::HttpClient& http) : http_(&http) {}

  // GET with the access token as Bearer (RFC 6750 §2.1); a JSON object whose
  // sub equals the ID token's (§5.3.2: otherwise the token may have been
  // substituted), else userinfo_sub_mismatch. Signed/encrypted (application/jwt)
  // answers are not requested and are refused.
  [[nodiscard]] Result<UserInfo> fetch(const ProviderMetadata& meta,
                                       const std::string& access_token,
                                       const std::string& expected_sub) const;

 private:
  http::HttpClient* http_;
};

}  // namespace gatehouse::oidc
