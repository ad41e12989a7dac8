#include "web/billing_chart.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

namespace gatehouse::web {
namespace {

constexpr std::int64_t kMaxDays = 367;  // the service allows 366-day spans, both ends included

// Drawing area in viewBox units; the SVG scales to its container's width.
constexpr double kWidth = 720, kHeight = 240;
constexpr double kLeft = 64, kRight = 12, kTop = 12, kBottom = 28;
constexpr int kGridLines = 4;
constexpr int kMaxXLabels = 8;

// The smallest 1, 2, 2.5 or 5 × 10^k at or above v, so axis labels read as round amounts.
std::int64_t nice_ceiling(std::int64_t micros) {
  std::int64_t step = 1;
  while (true) {
    for (std::int64_t m : {10, 20, 25, 50})
      if (step * m >= micros * 10) return step * m / 10 == 0 ? 1 : step * m / 10;
    step *= 10;
  }
}

std::string month_day(std::int64_t day_start) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::string ymd = domain::format_day(day_start);
  int month = std::stoi(ymd.substr(5, 2));
  return fmt::format("{} {}", kMonths[month - 1], std::stoi(ymd.substr(8, 2)));
}

std::string svg_open(std::string_view label) {
  return fmt::format(
      R"(<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" role="img" aria-label="{}" class="chart-svg">)",
      kWidth, kHeight, escape_markup(label));
}

std::string axis_line() {
  return fmt::format(
      R"(<line class="chart-axis" x1="{}" y1="{}" x2="{}" y2="{}" stroke="currentColor"/>)", kLeft,
      kHeight - kBottom, kWidth - kRight, kHeight - kBottom);
}

std::string empty_chart(std::string_view label, std::string_view message) {
  std::string out = svg_open(label);
  out += axis_line();
  out += fmt::format(
      R"(<text class="chart-empty" x="{}" y="{}" text-anchor="middle" fill="currentColor">{}</text>)",
      (kLeft + kWidth - kRight) / 2, (kTop + kHeight - kBottom) / 2, escape_markup(message));
  out += "</svg>";
  return out;
}

}  // namespace

std::string escape_markup(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string format_usd(std::int64_t micros) {
  const bool negative = micros < 0;
  // Round half away from zero to 1/10000 of a dollar (100 micros).
  std::uint64_t m =
      negative ? 0 - static_cast<std::uint64_t>(micros) : static_cast<std::uint64_t>(micros);
  std::uint64_t units = (m + 50) / 100;
  std::string frac = fmt::format("{:04}", units % 10000);
  while (frac.size() > 2 && frac.back() == '0') frac.pop_back();
  return fmt::format("{}${}.{}", negative ? "-" : "", units / 10000, frac);
}

std::string cost_chart_svg(const std::vector<domain::UsageRow>& by_day, std::string_view from_day,
                           std::string_view to_day) {
  auto from = domain::parse_day(from_day);
  auto to = domain::parse_day(to_day);
  if (!from || !to || *from > *to || (*to - *from) / domain::kSecondsPerDay + 1 > kMaxDays)
    return empty_chart("Cost per day: no period chosen", "Choose a period to see the chart.");

  const auto days = static_cast<std::size_t>((*to - *from) / domain::kSecondsPerDay + 1);
  std::vector<std::int64_t> cost(days, 0);
  std::map<std::string, std::size_t, std::less<>> index;
  for (std::size_t i = 0; i < days; ++i)
    index.emplace(domain::format_day(*from + static_cast<std::int64_t>(i) * domain::kSecondsPerDay),
                  i);
  std::int64_t total = 0, peak = 0;
  std::size_t peak_day = 0;
  for (const auto& row : by_day) {
    auto it = index.find(row.key);
    if (it == index.end()) continue;
    cost[it->second] += row.cost_micros;
  }
  for (std::size_t i = 0; i < days; ++i) {
    total += cost[i];
    if (cost[i] > peak) peak = cost[i], peak_day = i;
  }

  const std::string period = fmt::format("{} to {}", from_day, to_day);
  if (peak <= 0)
    return empty_chart(fmt::format("Cost per day from {}: no usage", period),
                       "No usage in this period");

  const std::string peak_date =
      domain::format_day(*from + static_cast<std::int64_t>(peak_day) * domain::kSecondsPerDay);
  std::string out = svg_open(fmt::format("Cost per day from {}: {} in total, highest {} on {}",
                                         period, format_usd(total), format_usd(peak), peak_date));

  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  const std::int64_t top = nice_ceiling(peak);
  auto y_of = [&](std::int64_t micros) {
    return kTop + plot_h * (1.0 - static_cast<double>(micros) / static_cast<double>(top));
  };

  out += R"(<g class="chart-grid-lines" aria-hidden="true">)";
  for (int g = 0; g <= kGridLines; ++g) {
    std::int64_t v = top * g / kGridLines;
    double y = y_of(v);
    if (g > 0)
      out += fmt::format(
          R"(<line class="chart-grid" x1="{}" y1="{:.1f}" x2="{}" y2="{:.1f}" stroke="#d5dae1"/>)",
          kLeft, y, kWidth - kRight, y);
    out += fmt::format(
        R"(<text class="chart-label" x="{}" y="{:.1f}" text-anchor="end" fill="currentColor">{}</text>)",
        kLeft - 8, y + 4, escape_markup(format_usd(v)));
  }
  out += "</g>";

  const double slot = plot_w / static_cast<double>(days);
  const double gap = std::min(slot * 0.2, 4.0);
  const std::size_t label_every = (days + kMaxXLabels - 1) / kMaxXLabels;
  out += R"(<g class="chart-x-labels" aria-hidden="true">)";
  for (std::size_t i = 0; i < days; i += label_every) {
    double x = kLeft + slot * (static_cast<double>(i) + 0.5);
    out += fmt::format(
        R"(<text class="chart-label" x="{:.1f}" y="{}" text-anchor="middle" fill="currentColor">{}</text>)",
        x, kHeight - kBottom + 18,
        escape_markup(month_day(*from + static_cast<std::int64_t>(i) * domain::kSecondsPerDay)));
  }
  out += "</g>";

  for (std::size_t i = 0; i < days; ++i) {
    const double x = kLeft + slot * static_cast<double>(i);
    const std::string day =
        domain::format_day(*from + static_cast<std::int64_t>(i) * domain::kSecondsPerDay);
    const double y = y_of(std::max<std::int64_t>(cost[i], 0));
    // The transparent full-height rectangle makes the tooltip reachable on
    // days whose bar is too short (or zero) to point at.
    out += fmt::format(
        R"(<g class="chart-day"><title>{}: {}</title><rect class="chart-hit" x="{:.1f}" y="{}" width="{:.1f}" height="{}" fill="transparent"/>)",
        escape_markup(day), escape_markup(format_usd(cost[i])), x, kTop, slot, plot_h);
    if (cost[i] > 0)
      out += fmt::format(
          R"(<rect class="chart-bar" x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="#4338ca"/>)",
          x + gap / 2, y, std::max(slot - gap, 1.0), kHeight - kBottom - y);
    out += "</g>";
  }
  out += axis_line();
  out += "</svg>";
  return out;
}

}  // namespace gatehouse::web
