#include "core/log.hpp"

#include <memory>

#include <spdlog/formatter.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

namespace gatehouse {
namespace {

thread_local std::string t_request_id;

// Messages written before request ids were a field say "request_id=ID " at
// the start; in JSON the field carries it, so the message drops the copy.
std::string_view without_id_prefix(std::string_view msg, std::string_view id) {
  constexpr std::string_view key = "request_id=";
  if (id.empty() || msg.substr(0, key.size()) != key) return msg;
  auto rest = msg.substr(key.size());
  if (rest.substr(0, id.size()) != id || rest.size() == id.size() || rest[id.size()] != ' ')
    return msg;
  return rest.substr(id.size() + 1);
}

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    auto secs = std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch());
    std::time_t t = std::chrono::system_clock::to_time_t(msg.time);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char ts[64];
    std::snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(secs.count() % 1000));
    const std::string_view id = current_request_id();
    nlohmann::json line = {
        {"ts", ts},
        {"level", spdlog::level::to_string_view(msg.level).data()},
        {"msg", std::string(without_id_prefix(
                    std::string_view(msg.payload.data(), msg.payload.size()), id))},
    };
    if (!id.empty()) line["request_id"] = std::string(id);
    auto text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    dest.append(text.data(), text.data() + text.size());
    dest.push_back('\n');
  }
  [[nodiscard]] std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

// %* in text mode: "request_id=ID " when the message does not start with it already.
class RequestIdFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const std::string_view id = current_request_id();
    const std::string_view payload(msg.payload.data(), msg.payload.size());
    if (id.empty() || without_id_prefix(payload, id).size() != payload.size()) return;
    constexpr std::string_view key = "request_id=";
    dest.append(key.data(), key.data() + key.size());
    dest.append(id.data(), id.data() + id.size());
    dest.push_back(' ');
  }
  [[nodiscard]] std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<RequestIdFlag>();
  }
};

}  // namespace

std::string_view current_request_id() { return t_request_id; }

RequestLogScope::RequestLogScope(std::string_view request_id) : previous_(std::move(t_request_id)) {
  t_request_id.assign(request_id);
}

RequestLogScope::~RequestLogScope() { t_request_id = std::move(previous_); }

void setup_logging(bool json) {
  auto logger = spdlog::stderr_logger_mt("gatehouse");
  if (json) {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    auto f = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    f->add_flag<RequestIdFlag>('*').set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %*%v");
    logger->set_formatter(std::move(f));
  }
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace gatehouse
