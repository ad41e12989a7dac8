#pragma once
// The billing page's cost-per-day chart, drawn on the server as inline SVG so
// the page needs no script and stays inside the CSP (no inline style=: only
// presentation attributes and classes from style.css).
//   std::string svg = cost_chart_svg(report.by_day, "2026-11-01", "2026-11-30");
// Days without usage are drawn as zero; every bar has a <title> tooltip; the
// whole chart is role="img" with an aria-label that says what it shows.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "domain/workspace.hpp"

namespace gatehouse::web {

// by_day: rows keyed YYYY-MM-DD (any order; keys outside the period are
// ignored). from_day..to_day inclusive, YYYY-MM-DD; an unreadable or
// reversed period draws the empty chart.
[[nodiscard]] std::string cost_chart_svg(const std::vector<domain::UsageRow>& by_day,
                                         std::string_view from_day, std::string_view to_day);

// US dollars from micro-dollars, 2 to 4 decimals: "$12.50", "$0.0012", "-$3.00".
[[nodiscard]] std::string format_usd(std::int64_t micros);

// Text for HTML or SVG content and attribute values.
[[nodiscard]] std::string escape_markup(std::string_view s);

}  // namespace gatehouse::web
