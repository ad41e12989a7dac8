#pragma once
// Rows for the store tests: each builder fills every NOT NULL column with a
// plausible fixed value, so a test spells out only what it is about.
//   ASSERT_TRUE(db_->teams().insert(a_team("acme")));
//   ASSERT_TRUE(db_->users().insert(a_user("acme", "u1", "sub-1", domain::Role::admin)));
// Times are fixed integers (unix seconds; audit uses microseconds): no clock.
#include <cstdint>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "backends.hpp"
#include "domain/team.hpp"
#include "domain/user.hpp"
#include "domain/workspace.hpp"

namespace gatehouse::testing {

inline constexpr std::int64_t kT0 = 1'700'000'000;

// Every store suite: a fresh, migrated, empty database per test.
class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (auto why = GetParam().unavailable()) GTEST_SKIP() << *why;
    db_ = GetParam().open();
  }
  std::unique_ptr<store::Database> db_;
};

inline domain::Team a_team(std::string id) {
  domain::Team t;
  t.id = std::move(id);
  t.name = "Team " + t.id;
  t.issuer = "https://idp.example/" + t.id;
  t.client_id = "cid-" + t.id;
  t.client_secret_sealed = "gh1.k.sealed";
  t.admin_email = "admin@" + t.id + ".test";
  t.created_at = t.updated_at = kT0;
  return t;
}

inline domain::User a_user(std::string team_id, std::string id, std::string sub,
                           domain::Role role = domain::Role::member,
                           std::int64_t created_at = kT0) {
  domain::User u;
  u.id = std::move(id);
  u.team_id = std::move(team_id);
  u.sub = std::move(sub);
  u.email = u.sub + "@example.test";
  u.name = "Person " + u.sub;
  u.role = role;
  u.created_at = created_at;
  u.last_login_at = created_at;
  return u;
}

inline domain::Session a_session(std::string id_hash, const domain::User& u,
                                 std::int64_t expires_at = kT0 + 3600) {
  return {std::move(id_hash), u.id, u.team_id, "csrf-" + u.id,
          "sealed-id-token",  kT0,  kT0,       expires_at};
}

inline domain::LoginAttempt an_attempt(std::string state_hash, std::string team_id,
                                       std::int64_t expires_at = kT0 + 600) {
  return {std::move(state_hash),
          "browser-hash",
          std::move(team_id),
          "https://idp.example",
          "cid",
          "state",
          "nonce",
          "verifier",
          "/after",
          kT0,
          expires_at};
}

inline domain::ApiToken a_token(std::string team_id, std::string id, std::string created_by,
                                std::int64_t created_at = kT0) {
  domain::ApiToken t;
  t.id = std::move(id);
  t.team_id = std::move(team_id);
  t.created_by = std::move(created_by);
  t.name = "token " + t.id;
  t.prefix = "gh_" + t.id.substr(0, 4);
  t.secret_hash = "sha256-of-" + t.id;
  t.created_at = created_at;
  return t;
}

inline domain::Model a_model(std::string team_id, std::string id, std::string name,
                             std::string created_by = "u1") {
  return {std::move(id),   std::move(team_id), std::move(created_by),
          std::move(name), "base-llm-7b",      kT0};
}

// One request's usage; day and at agree, as the gateway reports them.
inline domain::UsageEvent a_usage(std::string id, std::string team_id, std::string day,
                                  std::string model = "m1", std::string token_id = "tok1",
                                  std::int64_t cost_micros = 1000) {
  domain::UsageEvent e;
  e.id = std::move(id);
  e.team_id = std::move(team_id);
  e.token_id = std::move(token_id);
  e.user_id = "u1";
  e.model = std::move(model);
  e.input_tokens = 10;
  e.output_tokens = 20;
  e.cost_micros = cost_micros;
  e.day = std::move(day);
  e.at = domain::parse_day(e.day).value_or(0) + 3600;
  return e;
}

}  // namespace gatehouse::testing
