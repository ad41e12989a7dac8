#pragma once
// The JSON API of SPEC.md §4 (/api/v1/…) and the OpenAI-style GET /v1/models.
//   add_workspace_api(router, auth, ws);
#include "api/auth.hpp"
#include "http/router.hpp"
#include "workspace/service.hpp"

namespace gatehouse::api {

void add_workspace_api(http::Router& router, ApiAuth& auth, workspace::Service& ws);

}  // namespace gatehouse::api
