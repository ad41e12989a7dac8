// GET /api/v1/me answered from the session cache (the I/O-thread fast path),
// through the whole route table as serve.cpp wires it: a change made through
// this instance's routes is seen by the affected person's very next request.
#include <gtest/gtest.h>

#include "support/app_fixture.hpp"

namespace gatehouse::testing {
namespace {

using domain::Role;

class MeCache : public ::testing::Test {
 protected:
  MeCache() {
    app.add_team("acme");
    admin = app.add_person("acme", Role::admin, "ada");
    member = app.add_person("acme", Role::member, "max");
  }
  // /api/v1/me for p; true in *hit when the cache answered it.
  nlohmann::json me(const Person& p, bool* hit = nullptr) {
    const auto before = app.session_cache().hits();
    auto res = app.send("GET", "/api/v1/me", p.cookie_only());
    if (hit) *hit = app.session_cache().hits() == before + 1;
    return res.status == 200 ? body_json(res) : nlohmann::json(res.status);
  }
  App app;
  Person admin, member;
};

TEST_F(MeCache, SecondRequestIsAnsweredFromMemory) {
  bool hit = true;
  EXPECT_EQ(me(member, &hit)["role"], "member");
  EXPECT_FALSE(hit);
  EXPECT_EQ(me(member, &hit)["role"], "member");
  EXPECT_TRUE(hit);
}

TEST_F(MeCache, PromotionThroughTheApiIsSeenAtThePromotedPersonsNextRequest) {
  ASSERT_EQ(me(member)["role"], "member");
  bool hit = false;
  ASSERT_EQ(me(member, &hit)["role"], "member");
  ASSERT_TRUE(hit);
  auto res = app.send("PUT", "/api/v1/team/members/" + member.user_id + "/role", admin.session(),
                      R"({"role":"admin"})");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(me(member)["role"], "admin");
  EXPECT_EQ(app.send("GET", "/billing", member.cookie_only()).status, 200);
}

TEST_F(MeCache, DemotedAdminLosesAdminRightsAtTheNextRequest) {
  auto other = app.add_person("acme", Role::admin, "olga");
  ASSERT_EQ(me(other)["role"], "admin");
  ASSERT_EQ(me(other)["role"], "admin");
  auto res = app.send("PUT", "/api/v1/team/members/" + other.user_id + "/role", admin.session(),
                      R"({"role":"member"})");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(me(other)["role"], "member");
  EXPECT_EQ(app.send("GET", "/billing", other.cookie_only()).status, 403);
}

// A demotion made by another instance reaches this one's cache only at the
// next poll; admin-only routes must not wait for it (privilege kept after
// demotion). app.db() is the store without this instance's eviction, as
// another instance writes it.
TEST_F(MeCache, AdminDemotedOnAnotherInstanceIsRefusedAdminRoutesAtOnce) {
  auto other = app.add_person("acme", Role::admin, "olga");
  bool hit = false;
  ASSERT_EQ(me(other)["role"], "admin");
  ASSERT_EQ(me(other, &hit)["role"], "admin");
  ASSERT_TRUE(hit);
  ASSERT_TRUE(app.db().users().set_role("acme", other.user_id, Role::member));
  ASSERT_EQ(me(other, &hit)["role"], "admin")
      << "the cache has not polled yet: the test would prove nothing";
  ASSERT_TRUE(hit);
  EXPECT_EQ(app.send("GET", "/billing", other.cookie_only()).status, 403);
  EXPECT_EQ(app.send("GET", "/billing.csv", other.cookie_only()).status, 403);
  EXPECT_EQ(
      app.send("GET", "/api/v1/billing/usage?from=2025-11-01&to=2025-11-29", other.cookie_only())
          .status,
      403);
  EXPECT_EQ(app.send("PUT", "/api/v1/team/members/" + member.user_id + "/role", other.session(),
                     R"({"role":"admin"})")
                .status,
            403);
}

TEST_F(MeCache, MemberPromotedOnAnotherInstanceGetsAdminRoutesAtOnce) {
  bool hit = false;
  ASSERT_EQ(me(member)["role"], "member");
  ASSERT_EQ(me(member, &hit)["role"], "member");
  ASSERT_TRUE(hit);
  ASSERT_TRUE(app.db().users().set_role("acme", member.user_id, Role::admin));
  EXPECT_EQ(app.send("GET", "/billing", member.cookie_only()).status, 200);
}

TEST_F(MeCache, CookieReplayedAfterLogoutIsRefused) {
  ASSERT_EQ(me(member)["role"], "member");
  ASSERT_EQ(me(member)["role"], "member");
  auto req = App::request("POST", "/logout", member.cookie_only(), "csrf_token=" + member.csrf);
  ASSERT_EQ(app.send(std::move(req)).status, 303);
  EXPECT_EQ(me(member), 401);
}

}  // namespace
}  // namespace gatehouse::testing
