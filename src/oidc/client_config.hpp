#pragma once
// One team's registration at its provider, as the operator entered it.
//   ClientConfig c{.issuer = "https://acme.okta.com", .client_id = "0oa1", .client_secret = s,
//                  .redirect_uri = "https://gatehouse.example/callback"};
#include <string>

namespace gatehouse::oidc {

struct ClientConfig {
  std::string issuer, client_id, client_secret, redirect_uri;
};

}  // namespace gatehouse::oidc
