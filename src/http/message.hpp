#pragma once
// The request and response handlers see: plain values, no sockets, so every
// handler is testable by constructing a Request and reading the Response.
//   Request req = Request::make("GET", "/healthz");
//   Response res = Response::json(200, {{"status", "ok"}});
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "http/form.hpp"

namespace gatehouse::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;
  std::string target;  // as received: path and query
  std::string path;    // percent-decoded path
  std::string query;   // raw query, without '?'
  Headers headers;     // names lowercased
  std::string body;
  std::string remote_addr;
  std::string request_id;
  std::map<std::string, std::string, std::less<>> path_params;  // filled by the router

  // Builds a request from a target, splitting path and query. For tests and the server.
  static Request make(std::string method, std::string target, std::string body = {});

  [[nodiscard]] std::optional<std::string> header(std::string_view lower_name) const;
  // The same without a copy: nullptr when absent. Valid while the request lives.
  [[nodiscard]] const std::string* find_header(std::string_view lower_name) const;
  [[nodiscard]] std::optional<std::string> cookie(std::string_view name) const;
  [[nodiscard]] std::string path_param(std::string_view name) const;
  // Query parameters (strict; duplicates are an error).
  [[nodiscard]] tl::expected<Params, FormError> query_params() const;
  // Body as application/x-www-form-urlencoded.
  [[nodiscard]] tl::expected<Params, FormError> form() const;
  // The bearer token of an "Authorization: Bearer ..." header (RFC 6750 §2.1).
  [[nodiscard]] std::optional<std::string> bearer_token() const;
};

struct CookieOptions {
  bool http_only = true;
  bool secure = false;
  std::string same_site = "Lax";
  std::string path = "/";
  std::optional<long> max_age;  // seconds; 0 deletes
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;

  static Response text(int status, std::string body);
  static Response html(int status, std::string body);
  static Response json(int status, const nlohmann::json& body);
  // {"error": code, "message": message} as SPEC.md §4 says.
  static Response json_error(int status, std::string_view code, std::string_view message);
  static Response redirect(int status, std::string location);
  static Response empty(int status);

  Response& set_header(std::string name, std::string value);
  Response& add_header(std::string name, std::string value);
  Response& set_cookie(std::string_view name, std::string_view value, const CookieOptions& options);
  [[nodiscard]] std::optional<std::string> header(std::string_view name) const;
};

// Parses a Cookie header (RFC 6265 §5.4) into name -> value; the first wins.
[[nodiscard]] std::map<std::string, std::string, std::less<>> parse_cookies(
    std::string_view header);

}  // namespace gatehouse::http
