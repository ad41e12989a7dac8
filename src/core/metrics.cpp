#include "core/metrics.hpp"

#include <mutex>
#include <set>

#include <fmt/format.h>

namespace gatehouse::metrics {
namespace {

std::string escape_label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

// "name{a=\"b\"}" -> ("name", "a=\"b\"")
std::pair<std::string, std::string> split_key(const std::string& key) {
  auto brace = key.find('{');
  if (brace == std::string::npos) return {key, ""};
  return {key.substr(0, brace), key.substr(brace + 1, key.size() - brace - 2)};
}

std::string join(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return a + "," + b;
}

}  // namespace

void Histogram::observe(double seconds) {
  for (std::size_t i = 0; i < kBounds.size(); ++i)
    if (seconds <= kBounds[i]) buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(static_cast<std::uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

std::string Registry::key(const std::string& name, const Labels& labels) {
  if (labels.empty()) return name;
  std::string k = name + "{";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i) k += ",";
    k += labels[i].first + "=\"" + escape_label(labels[i].second) + "\"";
  }
  return k + "}";
}

Counter& Registry::counter(const std::string& name, const Labels& labels, const std::string& help) {
  auto k = key(name, labels);
  {
    std::shared_lock lock(mu_);
    if (auto it = counters_.find(k); it != counters_.end()) return *it->second;
  }
  std::unique_lock lock(mu_);
  if (!help.empty()) help_.emplace(name, help);
  auto& slot = counters_[k];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Histogram& Registry::histogram(const std::string& name, const Labels& labels,
                               const std::string& help) {
  auto k = key(name, labels);
  {
    std::shared_lock lock(mu_);
    if (auto it = histograms_.find(k); it != histograms_.end()) return *it->second;
  }
  std::unique_lock lock(mu_);
  if (!help.empty()) help_.emplace(name, help);
  auto& slot = histograms_[k];
  if (!slot) slot = std::make_unique<Histogram>();
  return *slot;
}

void Registry::callback(const std::string& name, const std::string& type, const std::string& help,
                        std::function<double()> read) {
  std::unique_lock lock(mu_);
  callbacks_.emplace_back(name, type, help, std::move(read));
}

std::string Registry::render() const {
  std::shared_lock lock(mu_);
  std::string out;
  std::set<std::string> typed;
  auto header = [&](const std::string& name, const char* type) {
    if (!typed.insert(name).second) return;
    if (auto h = help_.find(name); h != help_.end())
      out += fmt::format("# HELP {} {}\n", name, h->second);
    out += fmt::format("# TYPE {} {}\n", name, type);
  };
  for (const auto& [k, c] : counters_) {
    header(split_key(k).first, "counter");
    out += fmt::format("{} {}\n", k, c->value());
  }
  for (const auto& [k, h] : histograms_) {
    auto [name, labels] = split_key(k);
    header(name, "histogram");
    for (std::size_t i = 0; i < Histogram::kBounds.size(); ++i)
      out += fmt::format("{}_bucket{{{}}} {}\n", name,
                         join(labels, fmt::format("le=\"{}\"", Histogram::kBounds[i])),
                         h->buckets_[i].load(std::memory_order_relaxed));
    out += fmt::format("{}_bucket{{{}}} {}\n", name, join(labels, "le=\"+Inf\""), h->count());
    std::string brace = labels.empty() ? "" : "{" + labels + "}";
    out +=
        fmt::format("{}_sum{} {}\n", name, brace, static_cast<double>(h->sum_micros_.load()) / 1e6);
    out += fmt::format("{}_count{} {}\n", name, brace, h->count());
  }
  for (const auto& [name, type, help, read] : callbacks_) {
    auto [base, labels] = split_key(name);
    if (typed.insert(base).second) {
      out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", base, help, base, type);
    }
    out += fmt::format("{} {}\n", name, read());
  }
  return out;
}

}  // namespace gatehouse::metrics
