#pragma once
// Why a sign-in step failed, outside the OIDC core's own reasons; mapped to
// status, words a person reads, and a log slug in exactly one place
// (failure.cpp).
//   if (!r) page(status(r.error()), message(r.error()));  log(code(r.error()), r.error().detail);
#include <optional>
#include <string>
#include <string_view>

#include "oidc/error.hpp"

namespace gatehouse::signin {

enum class FailureKind {
  team_id_malformed,      // 400: not a Team ID at all
  team_unknown,           // 404: no such team (or disabled, at start: we do not tell which)
  team_disabled,          // 403: the team was disabled between start and callback
  initiate_iss_missing,   // 400: third-party-initiated login without iss (OIDC Core §4)
  initiate_iss_mismatch,  // 400: iss is not this team's issuer: never fetch from it
  request_malformed,      // 400: duplicate parameters, bad percent-encoding
  state_missing,          // 400: callback without state
  attempt_unknown,        // 400: no pending sign-in with that state: used, expired or forged
  attempt_expired,        // 400: older than 10 minutes
  browser_mismatch,       // 400: callback in another browser than the one that started (login CSRF)
  provider,               // the OIDC core said no: see oidc
  no_email,               // 403: neither ID token nor UserInfo had an email
  store_unavailable,      // 503: the database is not answering
  secret_unusable,        // 500: the team's client secret cannot be decrypted with this key
};

struct Failure {
  FailureKind kind;
  std::optional<oidc::Error> oidc;  // set when kind == provider
  std::string detail;               // for the log; never a token, code or secret
};

[[nodiscard]] int status(const Failure& f);
[[nodiscard]] std::string message(const Failure& f);
[[nodiscard]] std::string code(const Failure& f);

}  // namespace gatehouse::signin
