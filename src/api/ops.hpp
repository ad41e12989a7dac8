#pragma once
// Ops routes (SPEC.md §6): /healthz answers while the process runs;
// /readyz answers 200 only while the database answers.
//   add_ops_routes(router, db);
#include "http/router.hpp"
#include "store/database.hpp"

namespace gatehouse::api {

void add_ops_routes(http::Router& router, store::Database& db);

}  // namespace gatehouse::api
