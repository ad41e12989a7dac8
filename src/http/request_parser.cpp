#include "http/request_parser.hpp"

#include <algorithm>

namespace gatehouse::http {

namespace bhttp = boost::beast::http;

RequestParser::RequestParser(std::size_t header_limit, std::size_t body_limit) : body_limit_(body_limit) {
  this->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(header_limit, UINT32_MAX)));
  this->body_limit(body_limit);
  request_.headers.reserve(16);
}

void RequestParser::on_request_impl(bhttp::verb method, string_view method_str, string_view target,
                                    int version, error_code&) {
  request_ = Request::make(std::string(method_str), std::string(target));
  request_.headers.reserve(16);
  version_ = static_cast<unsigned>(version);
  head_ = method == bhttp::verb::head;
}

void RequestParser::on_field_impl(bhttp::field, string_view name, string_view value, error_code&) {
  std::string lower(name.size(), '\0');
  std::transform(name.begin(), name.end(), lower.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  request_.headers.emplace_back(std::move(lower), std::string(value));
}

void RequestParser::on_body_init_impl(const boost::optional<std::uint64_t>& content_length, error_code&) {
  if (content_length) request_.body.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(*content_length, body_limit_)));
}

std::size_t RequestParser::on_body_impl(string_view body, error_code&) {
  request_.body.append(body.data(), body.size());
  return body.size();
}

std::size_t RequestParser::on_chunk_body_impl(std::uint64_t, string_view body, error_code&) {
  request_.body.append(body.data(), body.size());
  return body.size();
}

}  // namespace gatehouse::http
