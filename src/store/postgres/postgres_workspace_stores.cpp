// PostgreSQL API tokens, models, usage, and the role change transaction.
#include <algorithm>

#include "store/postgres/postgres_stores.hpp"

namespace gatehouse::store::postgres {
namespace {

constexpr std::string_view kInsertToken =
    "INSERT INTO api_tokens (id, team_id, created_by, name, prefix, secret_hash, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7)";
constexpr std::string_view kFindTokenByHash =
    "SELECT id, team_id, created_by, name, prefix, secret_hash, created_at, last_used_at, "
    "revoked_at FROM api_tokens WHERE secret_hash = $1";
constexpr std::string_view kFindToken =
    "SELECT id, team_id, created_by, name, prefix, secret_hash, created_at, last_used_at, "
    "revoked_at FROM api_tokens WHERE team_id = $1 AND id = $2";
constexpr std::string_view kFindTokenById =
    "SELECT id, team_id, created_by, name, prefix, secret_hash, created_at, last_used_at, "
    "revoked_at FROM api_tokens WHERE id = $1";
// CAST: `$2 IS NULL` alone gives PostgreSQL no type for $2.
constexpr std::string_view kListTokens =
    "SELECT id, team_id, created_by, name, prefix, secret_hash, created_at, last_used_at, "
    "revoked_at FROM api_tokens WHERE team_id = $1 AND revoked_at IS NULL "
    "AND (CAST($2 AS TEXT) IS NULL OR created_by = $2) ORDER BY created_at, id COLLATE \"C\"";
constexpr std::string_view kRevokeToken =
    "UPDATE api_tokens SET revoked_at = $3 WHERE team_id = $1 AND id = $2 AND revoked_at IS NULL";
constexpr std::string_view kTouchToken =
    "UPDATE api_tokens SET last_used_at = $2 "
    "WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2)";
constexpr std::string_view kRevokedSince =
    "SELECT id FROM api_tokens WHERE revoked_at IS NOT NULL AND revoked_at >= $1";

constexpr std::string_view kInsertModel =
    "INSERT INTO models (id, team_id, created_by, name, base_model, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6)";
constexpr std::string_view kListModels =
    "SELECT id, team_id, created_by, name, base_model, created_at FROM models "
    "WHERE team_id = $1 AND (CAST($2 AS TEXT) IS NULL OR created_by = $2) "
    "ORDER BY name COLLATE \"C\"";
constexpr std::string_view kDeleteModel =
    "DELETE FROM models WHERE team_id = $1 AND id = $2 "
    "AND (CAST($3 AS TEXT) IS NULL OR created_by = $3)";

constexpr std::string_view kInsertUsage =
    "INSERT INTO usage_events (id, team_id, token_id, user_id, model, input_tokens, output_tokens, "
    "cost_micros, at, day) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
    "ON CONFLICT (id) DO NOTHING";
constexpr std::string_view kUsageByDay =
    "SELECT day, SUM(input_tokens), SUM(output_tokens), SUM(cost_micros), COUNT(*) "
    "FROM usage_events WHERE team_id = $1 AND day >= $2 AND day <= $3 "
    "GROUP BY day ORDER BY day COLLATE \"C\"";
constexpr std::string_view kUsageByModel =
    "SELECT model, SUM(input_tokens), SUM(output_tokens), SUM(cost_micros), COUNT(*) "
    "FROM usage_events WHERE team_id = $1 AND day >= $2 AND day <= $3 "
    "GROUP BY model ORDER BY SUM(cost_micros) DESC, model COLLATE \"C\"";
constexpr std::string_view kUsageByToken =
    "SELECT token_id, SUM(input_tokens), SUM(output_tokens), SUM(cost_micros), COUNT(*) "
    "FROM usage_events WHERE team_id = $1 AND day >= $2 AND day <= $3 "
    "GROUP BY token_id ORDER BY SUM(cost_micros) DESC, token_id COLLATE \"C\"";
constexpr std::string_view kUsageDetails =
    "SELECT day, model, token_id, SUM(input_tokens), SUM(output_tokens), SUM(cost_micros), "
    "COUNT(*) FROM usage_events WHERE team_id = $1 AND day >= $2 AND day <= $3 "
    "GROUP BY day, model, token_id "
    "ORDER BY day COLLATE \"C\", model COLLATE \"C\", token_id COLLATE \"C\"";

// Serialises role changes per team: the second of two concurrent demotions
// waits here and then counts the admins the first one left. NO KEY UPDATE so
// that sign-ins inserting users (a KEY SHARE lock by the foreign key) never wait.
constexpr std::string_view kLockTeam = "SELECT 1 FROM teams WHERE id = $1 FOR NO KEY UPDATE";
constexpr std::string_view kRoleOf = "SELECT role FROM users WHERE team_id = $1 AND id = $2";
constexpr std::string_view kCountAdmins =
    "SELECT COUNT(*) FROM users WHERE team_id = $1 AND role = 'admin'";
constexpr std::string_view kSetRole = "UPDATE users SET role = $3 WHERE team_id = $1 AND id = $2";

domain::ApiToken read_token(Row& r) {
  return {r.text(0), r.text(1),  r.text(2),      r.text(3),     r.text(4),
          r.text(5), r.int64(6), r.opt_int64(7), r.opt_int64(8)};
}

domain::Model read_model(Row& r) {
  return {r.text(0), r.text(1), r.text(2), r.text(3), r.text(4), r.int64(5)};
}

domain::UsageRow read_usage_row(Row& r) {
  return {r.text(0), r.int64(1), r.int64(2), r.int64(3), r.int64(4)};
}

Value opt(const std::optional<std::string>& s) { return s ? Value(*s) : Value(nullptr); }

}  // namespace

Result<void> PgTokenStore::insert(const domain::ApiToken& t) {
  return pool_.with([&](Connection& c) {
    return ok_or(c.exec(kInsertToken, {t.id, t.team_id, t.created_by, t.name, t.prefix,
                                       t.secret_hash, t.created_at}));
  });
}

Result<std::optional<domain::ApiToken>> PgTokenStore::find_by_hash(std::string_view hash) {
  return pool_.with([&](Connection& c) {
    return query_one(c, kFindTokenByHash, {std::string(hash)}, read_token);
  });
}

Result<std::optional<domain::ApiToken>> PgTokenStore::find(std::string_view team_id,
                                                           std::string_view id) {
  return pool_.with([&](Connection& c) {
    return query_one(c, kFindToken, {std::string(team_id), std::string(id)}, read_token);
  });
}

Result<std::optional<domain::ApiToken>> PgTokenStore::find_by_id(std::string_view id) {
  return pool_.with(
      [&](Connection& c) { return query_one(c, kFindTokenById, {std::string(id)}, read_token); });
}

Result<std::vector<domain::ApiToken>> PgTokenStore::list(
    std::string_view team_id, const std::optional<std::string>& created_by) {
  return pool_.with([&](Connection& c) {
    return query_all(c, kListTokens, {std::string(team_id), opt(created_by)}, read_token);
  });
}

Result<void> PgTokenStore::revoke(std::string_view team_id, std::string_view id, std::int64_t at) {
  return pool_.with([&](Connection& c) -> Result<void> {
    auto r = c.exec(kRevokeToken, {std::string(team_id), std::string(id), at});
    if (!r) return tl::unexpected(r.error());
    if (*r == 0) return tl::unexpected(StoreError::not_found);
    return {};
  });
}

Result<void> PgTokenStore::record_use(
    const std::vector<std::pair<std::string, std::int64_t>>& uses) {
  // Rows locked in id order: two instances flushing overlapping batches wait
  // for each other instead of deadlocking.
  auto sorted = uses;
  std::sort(sorted.begin(), sorted.end());
  return pool_.transaction<void>([&](Connection& c) -> Result<void> {
    for (const auto& [id, at] : sorted)
      if (auto r = c.exec(kTouchToken, {id, at}); !r) return tl::unexpected(r.error());
    return {};
  });
}

Result<std::vector<std::string>> PgTokenStore::revoked_since(std::int64_t since) {
  return pool_.with([&](Connection& c) {
    return query_all(c, kRevokedSince, {since}, [](Row& r) { return r.text(0); });
  });
}

Result<void> PgModelStore::insert(const domain::Model& m) {
  return pool_.with([&](Connection& c) {
    return ok_or(
        c.exec(kInsertModel, {m.id, m.team_id, m.created_by, m.name, m.base_model, m.created_at}));
  });
}

Result<std::vector<domain::Model>> PgModelStore::list(
    std::string_view team_id, const std::optional<std::string>& created_by) {
  return pool_.with([&](Connection& c) {
    return query_all(c, kListModels, {std::string(team_id), opt(created_by)}, read_model);
  });
}

Result<void> PgModelStore::remove(std::string_view team_id, std::string_view id,
                                  const std::optional<std::string>& created_by) {
  return pool_.with([&](Connection& c) -> Result<void> {
    auto r = c.exec(kDeleteModel, {std::string(team_id), std::string(id), opt(created_by)});
    if (!r) return tl::unexpected(r.error());
    if (*r == 0) return tl::unexpected(StoreError::not_found);
    return {};
  });
}

Result<int> PgUsageStore::insert(const std::vector<domain::UsageEvent>& events) {
  return pool_.transaction<int>([&](Connection& c) -> Result<int> {
    int added = 0;
    for (const auto& e : events) {
      auto r = c.exec(kInsertUsage, {e.id, e.team_id, e.token_id, e.user_id, e.model,
                                     e.input_tokens, e.output_tokens, e.cost_micros, e.at, e.day});
      if (!r) return tl::unexpected(r.error());
      added += *r;
    }
    return added;
  });
}

Result<domain::UsageReport> PgUsageStore::report(std::string_view team_id,
                                                 std::string_view from_day,
                                                 std::string_view to_day) {
  std::vector<Value> params{std::string(team_id), std::string(from_day), std::string(to_day)};
  return pool_.with([&](Connection& c) -> Result<domain::UsageReport> {
    domain::UsageReport out;
    for (auto [sql, rows] : {std::pair{kUsageByDay, &out.by_day},
                             {kUsageByModel, &out.by_model},
                             {kUsageByToken, &out.by_token}}) {
      auto r = query_all(c, sql, params, read_usage_row);
      if (!r) return tl::unexpected(r.error());
      *rows = std::move(*r);
    }
    auto d = c.query(kUsageDetails, params, [&](Row& row) {
      out.details.push_back({row.text(0), row.text(1), row.text(2), row.int64(3), row.int64(4),
                             row.int64(5), row.int64(6)});
    });
    if (!d) return tl::unexpected(d.error());
    for (const auto& day : out.by_day) out.total_micros += day.cost_micros;
    return out;
  });
}

Result<UserStore::RoleChange> PgUserStore::set_role(std::string_view team_id,
                                                    std::string_view user_id, domain::Role role) {
  return pool_.transaction<RoleChange>([&](Connection& c) -> Result<RoleChange> {
    if (auto l = c.exec(kLockTeam, {std::string(team_id)}); !l) return tl::unexpected(l.error());
    std::optional<std::string> current;
    auto r = c.query(kRoleOf, {std::string(team_id), std::string(user_id)},
                     [&](Row& row) { current = row.text(0); });
    if (!r) return tl::unexpected(r.error());
    if (!current) return tl::unexpected(StoreError::not_found);
    if (*current == domain::to_string(role)) return RoleChange::unchanged;
    if (*current == "admin") {
      std::int64_t admins = 0;
      auto n =
          c.query(kCountAdmins, {std::string(team_id)}, [&](Row& row) { admins = row.int64(0); });
      if (!n) return tl::unexpected(n.error());
      if (admins <= 1) return RoleChange::last_admin;
    }
    auto u = c.exec(kSetRole, {std::string(team_id), std::string(user_id),
                               std::string(domain::to_string(role))});
    if (!u) return tl::unexpected(u.error());
    return RoleChange::changed;
  });
}

}  // namespace gatehouse::store::postgres
