#pragma once
// The inference gateway's routes (SPEC.md §5):
//   GET  /internal/authz  — nginx auth_request / Envoy ext_authz target: 204 + X-Team-Id,
//                           X-Token-Id (and X-User-Id in personal workspaces), or 401.
//   POST /internal/usage  — usage batches, with Authorization: Bearer $GATEHOUSE_INTERNAL_KEY;
//                           404 when no internal key is configured.
#include <optional>
#include <string>

#include "core/clock.hpp"
#include "core/rate_limiter.hpp"
#include "crypto/random.hpp"
#include "http/router.hpp"
#include "store/database.hpp"
#include "workspace/token_authority.hpp"

namespace gatehouse::api {

// failed_token_checks: per client address; only failed checks consume.
void add_gateway_routes(http::Router& router, workspace::TokenAuthority& tokens,
                        store::Database& db, const std::optional<std::string>& internal_key,
                        RateLimiter& failed_token_checks, crypto::Random& rng);

}  // namespace gatehouse::api
