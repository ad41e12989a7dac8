#pragma once
// The team workspace pages (SPEC.md §3, the guide's Notes): /team (admins
// toggle roles), /tokens, /models, /billing (+ /billing.csv) and /activity
// (admins). Handlers only translate between HTTP and workspace::Service,
// which holds every rule, so these pages and the JSON API cannot disagree.
// Every page needs a session; every form carries the session's CSRF token
// and answers with a 303 back to its page (Post/Redirect/Get), except token
// creation, whose answer is the only place the secret is ever shown.
//   WebContext ctx{...};  workspace::Service ws(db, authority, clock, rng);
//   add_workspace_routes(router, ctx, ws);
#include "http/router.hpp"
#include "web/signin_routes.hpp"
#include "workspace/service.hpp"

namespace gatehouse::web {

void add_workspace_routes(http::Router& router, WebContext& ctx, workspace::Service& ws);

}  // namespace gatehouse::web
