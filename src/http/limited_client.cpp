#include "http/limited_client.hpp"

#include "http/url.hpp"

namespace gatehouse::http {

tl::expected<ClientResponse, ClientError> LimitedClient::send(const ClientRequest& req) {
  auto url = parse_url(req.url);
  if (!url) return inner_.send(req);  // the inner client reports the bad URL
  std::string host = url->authority();
  {
    std::lock_guard lock(mu_);
    int& n = in_flight_[host];
    if (n >= per_host_)
      return tl::unexpected(ClientError{ClientErrorKind::timeout,
                                        "too many calls to " + host + " are already waiting for an answer"});
    ++n;
  }
  auto out = inner_.send(req);
  std::lock_guard lock(mu_);
  if (--in_flight_[host] == 0) in_flight_.erase(host);
  return out;
}

}  // namespace gatehouse::http
