#include "support/http_probe.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace gatehouse::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string form_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+')
      out.push_back(' ');
    else if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else
      out.push_back(s[i]);
  }
  return out;
}

}  // namespace

std::string ProbeResponse::header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers)
    if (k == lower_name) return v;
  return {};
}

std::string ProbeResponse::set_cookie(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k != "set-cookie") continue;
    auto eq = v.find('=');
    if (eq == std::string::npos || std::string_view(v).substr(0, eq) != name) continue;
    auto end = v.find(';', eq);
    return v.substr(eq + 1, end == std::string::npos ? std::string::npos : end - eq - 1);
  }
  return {};
}

struct ProbeClient::Impl {
  explicit Impl(std::uint16_t p) : port(p) {}
  std::uint16_t port;
  asio::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  // One request and its response; status 0 and a closed connection on any failure.
  ProbeResponse exchange(const ProbeRequest& request, std::chrono::milliseconds timeout) {
    ProbeResponse out;
    beast::error_code failed;
    bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(request.method), request.target,
                                           11};
    req.set(bhttp::field::host, "127.0.0.1:" + std::to_string(port));
    for (const auto& [k, v] : request.headers) req.insert(k, v);
    req.body() = request.body;
    req.prepare_payload();
    req.keep_alive(true);
    bhttp::response<bhttp::string_body> res;
    auto on_read = [&](beast::error_code ec, std::size_t) {
      if (ec) failed = ec;
    };
    auto on_write = [&](beast::error_code ec, std::size_t) {
      if (ec) {
        failed = ec;
        return;
      }
      stream->expires_after(timeout);
      bhttp::async_read(*stream, buffer, res, on_read);
    };
    auto send = [&] {
      stream->expires_after(timeout);
      bhttp::async_write(*stream, req, on_write);
    };
    if (!stream) {
      stream.emplace(ioc);
      buffer.clear();
      stream->expires_after(timeout);
      stream->async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                            [&](beast::error_code ec) {
                              if (ec)
                                failed = ec;
                              else
                                send();
                            });
    } else {
      send();
    }
    ioc.restart();
    ioc.run();
    if (failed) {
      beast::error_code ignored;
      stream->socket().close(ignored);
      stream.reset();
      return out;
    }
    out.status = static_cast<int>(res.result_int());
    for (const auto& f : res)
      out.headers.emplace_back(lower(f.name_string()), std::string(f.value()));
    out.body = std::move(res.body());
    if (!res.keep_alive()) stream.reset();
    return out;
  }
};

ProbeClient::ProbeClient(std::uint16_t port) : impl_(std::make_unique<Impl>(port)) {}
ProbeClient::~ProbeClient() = default;

ProbeResponse ProbeClient::send(const ProbeRequest& request, std::chrono::milliseconds timeout) {
  return impl_->exchange(request, timeout);
}

ProbeResponse probe(std::uint16_t port, const ProbeRequest& request,
                    std::chrono::milliseconds timeout) {
  ProbeClient client(port);
  return client.send(request, timeout);
}

std::string form_encode(std::string_view value) {
  static const char* digits = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
      out.push_back(static_cast<char>(c));
    else {
      out.push_back('%');
      out.push_back(digits[c >> 4]);
      out.push_back(digits[c & 15]);
    }
  }
  return out;
}

std::string query_param(std::string_view url, std::string_view name) {
  auto q = url.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view rest = url.substr(q + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    auto pair = rest.substr(0, amp);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) == name)
      return eq == std::string_view::npos ? "" : form_decode(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return {};
}

}  // namespace gatehouse::testing
