// API tokens, models and usage of the team workspace, over either driver.
#include <algorithm>

#include "store/sql/sql_stores.hpp"
#include "store/sql/transaction.hpp"

namespace gatehouse::store::sql {
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

template <class Row>
domain::ApiToken read_token(const Row& r) {
  return {r.text(0), r.text(1),  r.text(2),      r.text(3),     r.text(4),
          r.text(5), r.int64(6), r.opt_int64(7), r.opt_int64(8)};
}

template <class Row>
domain::Model read_model(const Row& r) {
  return {r.text(0), r.text(1), r.text(2), r.text(3), r.text(4), r.int64(5)};
}

template <class Row>
domain::UsageRow read_usage_row(const Row& r) {
  return {r.text(0), r.int64(1), r.int64(2), r.int64(3), r.int64(4)};
}

template <class Row>
domain::UsageDetail read_usage_detail(const Row& r) {
  return {r.text(0), r.text(1), r.text(2), r.int64(3), r.int64(4), r.int64(5), r.int64(6)};
}

}  // namespace

template <class Db>
Result<void> SqlTokenStore<Db>::insert(const domain::ApiToken& t) {
  return pool_.with([&](typename Db::Connection& c) {
    return ok_or(c.exec(kInsertToken, {t.id, t.team_id, t.created_by, t.name, t.prefix,
                                       t.secret_hash, t.created_at}));
  });
}

template <class Db>
Result<std::optional<domain::ApiToken>> SqlTokenStore<Db>::find_by_hash(std::string_view hash) {
  return pool_.with([&](typename Db::Connection& c) {
    return query_one(c, kFindTokenByHash, {std::string(hash)}, read_token<typename Db::Row>);
  });
}

template <class Db>
Result<std::optional<domain::ApiToken>> SqlTokenStore<Db>::find(std::string_view team_id,
                                                                std::string_view id) {
  return pool_.with([&](typename Db::Connection& c) {
    return query_one(c, kFindToken, {std::string(team_id), std::string(id)},
                     read_token<typename Db::Row>);
  });
}

template <class Db>
Result<std::optional<domain::ApiToken>> SqlTokenStore<Db>::find_by_id(std::string_view id) {
  return pool_.with([&](typename Db::Connection& c) {
    return query_one(c, kFindTokenById, {std::string(id)}, read_token<typename Db::Row>);
  });
}

template <class Db>
Result<std::vector<domain::ApiToken>> SqlTokenStore<Db>::list(
    std::string_view team_id, const std::optional<std::string>& created_by) {
  return pool_.with([&](typename Db::Connection& c) {
    return query_all(c, kListTokens, {std::string(team_id), opt_value(created_by)},
                     read_token<typename Db::Row>);
  });
}

template <class Db>
Result<void> SqlTokenStore<Db>::revoke(std::string_view team_id, std::string_view id,
                                       std::int64_t at) {
  return pool_.with([&](typename Db::Connection& c) {
    return one_changed(c.exec(kRevokeToken, {std::string(team_id), std::string(id), at}));
  });
}

template <class Db>
Result<void> SqlTokenStore<Db>::record_use(
    const std::vector<std::pair<std::string, std::int64_t>>& uses) {
  // Rows locked in id order: two instances flushing overlapping batches wait
  // for each other instead of deadlocking.
  auto sorted = uses;
  std::sort(sorted.begin(), sorted.end());
  return transaction<void>(pool_, [&](typename Db::Connection& c) -> Result<void> {
    for (const auto& [id, at] : sorted)
      if (auto r = c.exec(kTouchToken, {id, at}); !r) return tl::unexpected(r.error());
    return {};
  });
}

template <class Db>
Result<std::vector<std::string>> SqlTokenStore<Db>::revoked_since(std::int64_t since) {
  return pool_.with([&](typename Db::Connection& c) {
    return query_all(c, kRevokedSince, {since},
                     [](const typename Db::Row& r) { return r.text(0); });
  });
}

template <class Db>
Result<void> SqlModelStore<Db>::insert(const domain::Model& m) {
  return pool_.with([&](typename Db::Connection& c) {
    return ok_or(
        c.exec(kInsertModel, {m.id, m.team_id, m.created_by, m.name, m.base_model, m.created_at}));
  });
}

template <class Db>
Result<std::vector<domain::Model>> SqlModelStore<Db>::list(
    std::string_view team_id, const std::optional<std::string>& created_by) {
  return pool_.with([&](typename Db::Connection& c) {
    return query_all(c, kListModels, {std::string(team_id), opt_value(created_by)},
                     read_model<typename Db::Row>);
  });
}

template <class Db>
Result<void> SqlModelStore<Db>::remove(std::string_view team_id, std::string_view id,
                                       const std::optional<std::string>& created_by) {
  return pool_.with([&](typename Db::Connection& c) {
    return one_changed(
        c.exec(kDeleteModel, {std::string(team_id), std::string(id), opt_value(created_by)}));
  });
}

template <class Db>
Result<int> SqlUsageStore<Db>::insert(const std::vector<domain::UsageEvent>& events) {
  return transaction<int>(pool_, [&](typename Db::Connection& c) -> Result<int> {
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

template <class Db>
Result<domain::UsageReport> SqlUsageStore<Db>::report(std::string_view team_id,
                                                      std::string_view from_day,
                                                      std::string_view to_day) {
  using Row = typename Db::Row;
  std::vector<Value> params{std::string(team_id), std::string(from_day), std::string(to_day)};
  return pool_.with([&](typename Db::Connection& c) -> Result<domain::UsageReport> {
    domain::UsageReport out;
    for (auto [sql, rows] : {std::pair{kUsageByDay, &out.by_day},
                             {kUsageByModel, &out.by_model},
                             {kUsageByToken, &out.by_token}}) {
      auto r = query_all(c, sql, params, read_usage_row<Row>);
      if (!r) return tl::unexpected(r.error());
      *rows = std::move(*r);
    }
    auto details = query_all(c, kUsageDetails, params, read_usage_detail<Row>);
    if (!details) return tl::unexpected(details.error());
    out.details = std::move(*details);
    for (const auto& day : out.by_day) out.total_micros += day.cost_micros;
    return out;
  });
}

template class SqlTokenStore<sqlite::Driver>;
template class SqlTokenStore<postgres::Driver>;
template class SqlModelStore<sqlite::Driver>;
template class SqlModelStore<postgres::Driver>;
template class SqlUsageStore<sqlite::Driver>;
template class SqlUsageStore<postgres::Driver>;

}  // namespace gatehouse::store::sql
