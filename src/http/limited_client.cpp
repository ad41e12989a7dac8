#include "http/limited_client.hpp"

#include "http/url.hpp"

namespace gatehouse::http {

tl::expected<ClientResponse, ClientError> LimitedClient::send(const ClientRequest& req) {
  auto url = parse_url(req.url);
  if (!url) return inner_.send(req);  // the inner client reports the bad URL
  std::string host = url->authority();
  auto busy = [&] {
    return tl::unexpected(
        ClientError{ClientErrorKind::timeout,
                    "too many calls to " + host + " are already waiting for an answer"});
  };
  {
    std::unique_lock lock(mu_);
    Host& h = hosts_[host];
    if (h.in_flight >= per_host_) {
      if (h.waiting >= max_waiting_) return busy();
      ++h.waiting;
      bool turn = freed_.wait_for(lock, max_wait_, [&] { return h.in_flight < per_host_; });
      --h.waiting;
      if (!turn) {
        if (h.in_flight == 0 && h.waiting == 0) hosts_.erase(host);
        return busy();
      }
    }
    ++h.in_flight;
  }
  auto out = inner_.send(req);
  {
    std::lock_guard lock(mu_);
    Host& h = hosts_[host];
    if (--h.in_flight == 0 && h.waiting == 0) hosts_.erase(host);
  }
  freed_.notify_all();
  return out;
}

}  // namespace gatehouse::http
