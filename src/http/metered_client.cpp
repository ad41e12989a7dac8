#include "http/metered_client.hpp"

#include <chrono>

#include "http/url.hpp"

namespace gatehouse::http {
namespace {

const char* kind_name(ClientErrorKind k) {
  switch (k) {
    case ClientErrorKind::bad_url:
      return "bad_url";
    case ClientErrorKind::insecure_scheme:
      return "insecure_scheme";
    case ClientErrorKind::resolve:
      return "resolve";
    case ClientErrorKind::connect:
      return "connect";
    case ClientErrorKind::tls:
      return "tls";
    case ClientErrorKind::timeout:
      return "timeout";
    case ClientErrorKind::too_large:
      return "too_large";
    case ClientErrorKind::protocol:
      return "protocol";
    default:
      return "other";
  }
}

}  // namespace

tl::expected<ClientResponse, ClientError> MeteredClient::send(const ClientRequest& req) {
  auto url = parse_url(req.url);
  std::string host = url ? url->authority() : "invalid";
  auto started = std::chrono::steady_clock::now();
  auto out = inner_.send(req);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  registry_
      .histogram("gatehouse_idp_request_duration_seconds", {{"host", host}},
                 "Time of calls to identity providers")
      .observe(secs);
  if (!out)
    registry_
        .counter("gatehouse_idp_errors_total",
                 {{"host", host}, {"kind", kind_name(out.error().kind)}},
                 "Failed calls to identity providers")
        .inc();
  else if (out->status >= 500)
    registry_
        .counter("gatehouse_idp_errors_total", {{"host", host}, {"kind", "http_5xx"}},
                 "Failed calls to identity providers")
        .inc();
  return out;
}

}  // namespace gatehouse::http
