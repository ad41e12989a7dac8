#pragma once
// API tokens, models and usage: the values of the team workspace.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gatehouse::domain {

struct ApiToken {
  std::string id;
  std::string team_id;
  std::string created_by;  // user id
  std::string name;
  std::string prefix;
  std::string secret_hash;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> last_used_at;
  std::optional<std::int64_t> revoked_at;
};

struct Model {
  std::string id;
  std::string team_id;
  std::string created_by;
  std::string name;
  std::string base_model;
  std::int64_t created_at = 0;
};

struct UsageEvent {
  std::string id;
  std::string team_id;
  std::string token_id;
  std::string user_id;
  std::string model;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int64_t cost_micros = 0;
  std::int64_t at = 0;
  std::string day;  // YYYY-MM-DD
};

// One row of a usage breakdown: key is a day, a model name or a token id.
struct UsageRow {
  std::string key;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int64_t cost_micros = 0;
  std::int64_t requests = 0;
};

// One (day, model, token) cell: the CSV export's rows.
struct UsageDetail {
  std::string day, model, token_id;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int64_t cost_micros = 0;
  std::int64_t requests = 0;
};

struct UsageReport {
  std::int64_t total_micros = 0;
  std::vector<UsageRow> by_day, by_model, by_token;
  std::vector<UsageDetail> details;  // by day, then model, then token
};

// Token secrets: "gh_" + 43 base64url characters (256 random bits), so secret
// scanners can recognise a leaked one by its prefix.
inline constexpr std::string_view kTokenPrefix = "gh_";
[[nodiscard]] bool looks_like_token(std::string_view s);

// Names people give tokens and models: 1–100 printable characters.
[[nodiscard]] std::optional<std::string> validate_name(std::string_view what,
                                                       std::string_view name);

// YYYY-MM-DD <-> unix days; strict.
inline constexpr std::int64_t kSecondsPerDay = 86400;
[[nodiscard]] std::optional<std::int64_t> parse_day(
    std::string_view ymd);  // unix seconds at 00:00 UTC
[[nodiscard]] std::string format_day(std::int64_t unix_seconds);
// RFC 3339 date-time ("2026-11-29T12:00:00Z", "…+01:00", fractions allowed) -> unix seconds.
[[nodiscard]] std::optional<std::int64_t> parse_rfc3339(std::string_view s);

}  // namespace gatehouse::domain
