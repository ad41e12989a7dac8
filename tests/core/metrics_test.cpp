#include "core/metrics.hpp"

#include <gtest/gtest.h>

namespace gatehouse::metrics {

TEST(Metrics, CounterRendersWithLabelsAndType) {
  Registry r;
  r.counter("gatehouse_signins_total", {{"outcome", "success"}}, "Sign-ins").inc(3);
  auto text = r.render();
  EXPECT_NE(text.find("# TYPE gatehouse_signins_total counter"), std::string::npos);
  EXPECT_NE(text.find("gatehouse_signins_total{outcome=\"success\"} 3"), std::string::npos);
}

TEST(Metrics, HistogramHasCumulativeBucketsSumAndCount) {
  Registry r;
  auto& h = r.histogram("gatehouse_x_seconds", {{"route", "/a"}});
  h.observe(0.002);
  h.observe(5);
  auto text = r.render();
  EXPECT_NE(text.find("gatehouse_x_seconds_bucket{route=\"/a\",le=\"0.0025\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("gatehouse_x_seconds_bucket{route=\"/a\",le=\"+Inf\"} 2"), std::string::npos);
  EXPECT_NE(text.find("gatehouse_x_seconds_count{route=\"/a\"} 2"), std::string::npos);
}

TEST(Metrics, LabelValuesAreEscaped) {
  Registry r;
  r.counter("gatehouse_y_total", {{"route", "a\"b\\c\nd"}}).inc();
  EXPECT_NE(r.render().find("route=\"a\\\"b\\\\c\\nd\""), std::string::npos);
}

TEST(Metrics, CallbacksAreReadAtRender) {
  Registry r;
  int n = 1;
  r.callback("gatehouse_open_connections", "gauge", "Open",
             [&n] { return static_cast<double>(n); });
  n = 7;
  EXPECT_NE(r.render().find("gatehouse_open_connections 7"), std::string::npos);
}

}  // namespace gatehouse::metrics
