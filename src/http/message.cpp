#include "http/message.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace gatehouse::http {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Request Request::make(std::string method, std::string target, std::string body) {
  Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  auto q = r.target.find('?');
  std::string raw_path = r.target.substr(0, q);
  if (q != std::string::npos) r.query = r.target.substr(q + 1);
  // A path with bad percent-encoding keeps its raw form; it will match no route.
  r.path = percent_decode(raw_path).value_or(raw_path);
  r.body = std::move(body);
  return r;
}

const std::string* Request::find_header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers)
    if (k == lower_name) return &v;
  return nullptr;
}

std::optional<std::string> Request::header(std::string_view lower_name) const {
  if (const auto* v = find_header(lower_name)) return *v;
  return std::nullopt;
}

std::optional<std::string> Request::cookie(std::string_view name) const {
  const auto* h = find_header("cookie");
  if (!h) return std::nullopt;
  auto cookies = parse_cookies(*h);
  auto it = cookies.find(name);
  if (it == cookies.end()) return std::nullopt;
  return it->second;
}

std::string Request::path_param(std::string_view name) const {
  auto it = path_params.find(name);
  return it == path_params.end() ? std::string{} : it->second;
}

tl::expected<Params, FormError> Request::query_params() const { return parse_form(query); }

tl::expected<Params, FormError> Request::form() const { return parse_form(body); }

std::optional<std::string> Request::bearer_token() const {
  const auto* h = find_header("authorization");
  if (!h) return std::nullopt;
  std::string_view v = *h;
  if (v.size() < 7 || !iequals(v.substr(0, 7), "Bearer ")) return std::nullopt;
  v = trim(v.substr(7));
  if (v.empty() || v.find(' ') != std::string_view::npos) return std::nullopt;
  return std::string(v);
}

std::map<std::string, std::string, std::less<>> parse_cookies(std::string_view header) {
  std::map<std::string, std::string, std::less<>> out;
  while (!header.empty()) {
    auto semi = header.find(';');
    std::string_view part = trim(header.substr(0, semi));
    header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
    auto eq = part.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    std::string_view name = trim(part.substr(0, eq));
    std::string_view value = trim(part.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    out.emplace(std::string(name), std::string(value));  // emplace keeps the first
  }
  return out;
}

Response Response::text(int status, std::string body) {
  Response r{status, {{"Content-Type", "text/plain; charset=utf-8"}}, std::move(body)};
  return r;
}

Response Response::html(int status, std::string body) {
  Response r{status, {{"Content-Type", "text/html; charset=utf-8"}}, std::move(body)};
  return r;
}

Response Response::json(int status, const nlohmann::json& body) {
  Response r{status, {{"Content-Type", "application/json"}}, body.dump()};
  return r;
}

Response Response::json_error(int status, std::string_view code, std::string_view message) {
  return json(status, {{"error", code}, {"message", message}});
}

Response Response::redirect(int status, std::string location) {
  Response r{status, {{"Location", std::move(location)}}, {}};
  return r;
}

Response Response::empty(int status) { return Response{status, {}, {}}; }

Response& Response::set_header(std::string name, std::string value) {
  for (auto& [k, v] : headers) {
    if (iequals(k, name)) {
      v = std::move(value);
      return *this;
    }
  }
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

Response& Response::add_header(std::string name, std::string value) {
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

Response& Response::set_cookie(std::string_view name, std::string_view value,
                               const CookieOptions& o) {
  std::string c = fmt::format("{}={}; Path={}", name, value, o.path);
  if (o.max_age) c += fmt::format("; Max-Age={}", *o.max_age);
  if (o.http_only) c += "; HttpOnly";
  if (o.secure) c += "; Secure";
  if (!o.same_site.empty()) c += "; SameSite=" + o.same_site;
  return add_header("Set-Cookie", std::move(c));
}

std::optional<std::string> Response::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequals(k, name)) return v;
  return std::nullopt;
}

}  // namespace gatehouse::http
