// ClientError's words, kept apart from the Beast client so that code using a
// fake client links without Beast.
#include "http/client.hpp"

namespace gatehouse::http {

std::string ClientError::message() const {
  if (!detail.empty()) return detail;
  switch (kind) {
    case ClientErrorKind::bad_url:
      return "the URL is not a valid absolute http(s) URL";
    case ClientErrorKind::insecure_scheme:
      return "plain http is allowed only to loopback hosts";
    case ClientErrorKind::resolve:
      return "the identity provider's host name could not be resolved";
    case ClientErrorKind::connect:
      return "could not connect to the identity provider";
    case ClientErrorKind::tls:
      return "the TLS connection to the identity provider could not be verified";
    case ClientErrorKind::timeout:
      return "the identity provider did not answer in time";
    case ClientErrorKind::too_large:
      return "the identity provider's response is too large";
    case ClientErrorKind::protocol:
      return "the identity provider's response is not valid HTTP";
    case ClientErrorKind::bad_request:
      return "the outgoing request is not valid";
  }
  return "the request to the identity provider failed";
}

}  // namespace gatehouse::http
