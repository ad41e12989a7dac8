#pragma once
// An HttpClient decorator that records identity-provider call latency and
// errors by host: gatehouse_idp_request_duration_seconds and
// gatehouse_idp_errors_total.
//   MeteredClient idp(inner, registry);
#include "core/metrics.hpp"
#include "http/client.hpp"

namespace gatehouse::http {

class MeteredClient final : public HttpClient {
 public:
  MeteredClient(HttpClient& inner, metrics::Registry& registry)
      : inner_(inner), registry_(registry) {}
  [[nodiscard]] tl::expected<ClientResponse, ClientError> send(const ClientRequest& req) override;

 private:
  HttpClient& inner_;
  metrics::Registry& registry_;
};

}  // namespace gatehouse::http
