#include "web/billing_chart.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <string>

namespace gatehouse::web {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

domain::UsageRow day(std::string key, std::int64_t micros) {
  return {std::move(key), 10, 20, micros, 1};
}

TEST(BillingChart, MissingDaysAreFilledWithZero) {
  std::string svg = cost_chart_svg({day("2026-11-01", 1'500'000), day("2026-11-04", 250'000)},
                                   "2026-11-01", "2026-11-05");
  EXPECT_EQ(count(svg, "<title>"), 5u) << svg;  // one tooltip per day, used or not
  EXPECT_THAT(svg, HasSubstr("<title>2026-11-01: $1.50</title>"));
  EXPECT_THAT(svg, HasSubstr("<title>2026-11-02: $0.00</title>"));
  EXPECT_THAT(svg, HasSubstr("<title>2026-11-03: $0.00</title>"));
  EXPECT_THAT(svg, HasSubstr("<title>2026-11-04: $0.25</title>"));
  EXPECT_THAT(svg, HasSubstr("<title>2026-11-05: $0.00</title>"));
  EXPECT_EQ(count(svg, "class=\"chart-bar\""), 2u);
  EXPECT_THAT(svg, HasSubstr("role=\"img\""));
  EXPECT_THAT(svg,
              HasSubstr("aria-label=\"Cost per day from 2026-11-01 to 2026-11-05: $1.75 in total, "
                        "highest $1.50 on 2026-11-01\""));
  EXPECT_THAT(svg, HasSubstr(">Nov 1</text>"));
}

TEST(BillingChart, DaysOutsideThePeriodAreIgnored) {
  std::string svg = cost_chart_svg({day("2026-10-31", 9'000'000), day("2026-11-02", 1'000'000)},
                                   "2026-11-01", "2026-11-02");
  EXPECT_THAT(svg, HasSubstr("$1.00 in total"));
  EXPECT_THAT(svg, Not(HasSubstr("2026-10-31")));
}

TEST(BillingChart, EmptyUsageDrawsAnEmptyChartWithAMessage) {
  std::string svg = cost_chart_svg({}, "2026-11-01", "2026-11-30");
  EXPECT_THAT(svg, HasSubstr("role=\"img\""));
  EXPECT_THAT(svg,
              HasSubstr("aria-label=\"Cost per day from 2026-11-01 to 2026-11-30: no usage\""));
  EXPECT_THAT(svg, HasSubstr(">No usage in this period</text>"));
  EXPECT_THAT(svg, Not(HasSubstr("chart-bar")));
  EXPECT_TRUE(svg.starts_with("<svg ") && svg.ends_with("</svg>"));
}

TEST(BillingChart, UnreadableOrReversedPeriodDrawsTheEmptyChart) {
  EXPECT_THAT(cost_chart_svg({day("2026-11-01", 1)}, "2026-11-05", "2026-11-01"),
              HasSubstr("chart-empty"));
  EXPECT_THAT(cost_chart_svg({day("2026-11-01", 1)}, "nope", "2026-11-01"),
              HasSubstr("chart-empty"));
}

// The chart goes into the page unescaped ({{{chart}}}), so what it was given
// must never come out raw: unreadable keys and periods are dropped, and the
// text it does write is escaped.
TEST(BillingChart, OutputEscapesWhatItWasGiven) {
  std::string evil = "\"><script>alert(1)</script>";
  for (const std::string& svg :
       {cost_chart_svg({day(evil, 5)}, evil, "2026-11-01"),
        cost_chart_svg({day(evil, 5), day("2026-11-01", 7)}, "2026-11-01", evil),
        cost_chart_svg({day(evil, 5), day("2026-11-01", 7)}, "2026-11-01", "2026-11-02")}) {
    EXPECT_THAT(svg, Not(HasSubstr("<script")));
    EXPECT_THAT(svg, Not(HasSubstr("alert(1)")));
  }
  EXPECT_EQ(escape_markup(evil), "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
  EXPECT_EQ(escape_markup("a&b'c"), "a&amp;b&#39;c");
}

// CSP: style-src 'self' blocks inline style attributes and <style> elements.
TEST(BillingChart, UsesNoInlineStyleOrScript) {
  std::string svg = cost_chart_svg({day("2026-11-01", 3'000'000), day("2026-11-20", 1'000'000)},
                                   "2026-11-01", "2026-11-30");
  EXPECT_FALSE(std::regex_search(svg, std::regex(R"(\sstyle\s*=|<style|<script|\son[a-z]+\s*=)")))
      << svg;
}

TEST(BillingChart, FormatsDollarsWithTwoToFourDecimals) {
  EXPECT_EQ(format_usd(0), "$0.00");
  EXPECT_EQ(format_usd(12'500'000), "$12.50");
  EXPECT_EQ(format_usd(1'200), "$0.0012");
  EXPECT_EQ(format_usd(1'234'567), "$1.2346");
  EXPECT_EQ(format_usd(49), "$0.00");
  EXPECT_EQ(format_usd(-3'000'000), "-$3.00");
}

}  // namespace
}  // namespace gatehouse::web
