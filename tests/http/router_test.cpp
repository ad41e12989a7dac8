#include "http/router.hpp"

#include <gtest/gtest.h>

namespace gatehouse::http {
namespace {

Router make_router() {
  Router r;
  r.add("GET", "/sso/{team_id}/initiate",
        [](Request& req) { return Response::text(200, "get " + req.path_param("team_id")); });
  r.add("POST", "/sso/{team_id}/initiate",
        [](Request& req) { return Response::text(200, "post " + req.path_param("team_id")); });
  r.add("GET", "/login", [](Request&) { return Response::text(200, "login"); });
  return r;
}

}  // namespace

TEST(Router, MatchesParameters) {
  auto r = make_router();
  auto req = Request::make("GET", "/sso/acme/initiate?iss=x");
  auto res = r.dispatch(req);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "get acme");
}

TEST(Router, SelectsByMethod) {
  auto r = make_router();
  auto req = Request::make("POST", "/sso/acme/initiate");
  EXPECT_EQ(r.dispatch(req).body, "post acme");
}

TEST(Router, UnknownPathIs404) {
  auto r = make_router();
  auto req = Request::make("GET", "/nope");
  EXPECT_EQ(r.dispatch(req).status, 404);
}

TEST(Router, WrongMethodIs405WithAllow) {
  auto r = make_router();
  auto req = Request::make("DELETE", "/login");
  auto res = r.dispatch(req);
  EXPECT_EQ(res.status, 405);
  EXPECT_EQ(res.header("Allow"), "GET");
}

TEST(Router, HeadIsServedByGet) {
  auto r = make_router();
  auto req = Request::make("HEAD", "/login");
  EXPECT_EQ(r.dispatch(req).status, 200);
}

TEST(Router, EncodedSlashInParameterDoesNotMatch) {
  auto r = make_router();
  auto req = Request::make("GET", "/sso/a%2Fb/initiate");
  EXPECT_EQ(r.dispatch(req).status, 404);
}

TEST(Router, EmptyParameterDoesNotMatch) {
  auto r = make_router();
  auto req = Request::make("GET", "/sso//initiate");
  EXPECT_EQ(r.dispatch(req).status, 404);
}

TEST(Router, TrailingSlashIsAnotherPath) {
  auto r = make_router();
  auto req = Request::make("GET", "/login/");
  EXPECT_EQ(r.dispatch(req).status, 404);
}

}  // namespace gatehouse::http
