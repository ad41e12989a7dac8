#include "signin/failure.hpp"

namespace gatehouse::signin {

int status(const Failure& f) {
  switch (f.kind) {
    case FailureKind::team_id_malformed:
    case FailureKind::initiate_iss_missing:
    case FailureKind::initiate_iss_mismatch:
    case FailureKind::request_malformed:
    case FailureKind::state_missing:
    case FailureKind::attempt_unknown:
    case FailureKind::attempt_expired:
    case FailureKind::browser_mismatch:
      return 400;
    case FailureKind::team_unknown:
      return 404;
    case FailureKind::team_disabled:
    case FailureKind::no_email:
      return 403;
    case FailureKind::store_unavailable:
      return 503;
    case FailureKind::secret_unusable:
      return 500;
    case FailureKind::provider:
      switch (oidc::classify(*f.oidc)) {
        case oidc::ErrorClass::bad_request:
          return 400;
        case oidc::ErrorClass::refused:
          return 403;
        case oidc::ErrorClass::provider_misbehaved:
          return 502;
        case oidc::ErrorClass::provider_timeout:
          return 504;
      }
  }
  return 500;
}

std::string message(const Failure& f) {
  switch (f.kind) {
    case FailureKind::team_id_malformed:
      return "That is not a valid Team ID. A Team ID has lowercase letters, digits and dashes, "
             "like acme or acme-research.";
    case FailureKind::team_unknown:
      return "No team with that Team ID uses single sign-on here. Check the Team ID with your "
             "administrator.";
    case FailureKind::team_disabled:
      return "Single sign-on for this team is switched off. Ask your administrator to contact "
             "support.";
    case FailureKind::initiate_iss_missing:
      return "The sign-in link from your identity provider is incomplete (it names no issuer). "
             "Start from the Corporate SSO page instead.";
    case FailureKind::initiate_iss_mismatch:
      return "The sign-in link came from an identity provider that is not the one registered for "
             "this team. Start from the Corporate SSO page instead.";
    case FailureKind::request_malformed:
      return "The sign-in request was malformed. Start again from the Corporate SSO page.";
    case FailureKind::state_missing:
    case FailureKind::attempt_unknown:
      return "This sign-in response does not belong to a sign-in started here, or it was already "
             "used. Start again from the Corporate SSO page.";
    case FailureKind::attempt_expired:
      return "This sign-in took longer than 10 minutes and has expired. Please start again.";
    case FailureKind::browser_mismatch:
      return "This sign-in was started in another browser. Start again in this browser.";
    case FailureKind::provider:
      return std::string(oidc::message(*f.oidc));
    case FailureKind::no_email:
      return "Your identity provider did not share your email address. Ask your administrator to "
             "grant the 'email' scope to this application.";
    case FailureKind::store_unavailable:
      return "Sign-in is unavailable for a moment because our database is not answering. Please "
             "try again shortly.";
    case FailureKind::secret_unusable:
      return "This team's single sign-on configuration cannot be read. Ask your administrator to "
             "contact support.";
  }
  return "Sign-in failed.";
}

std::string code(const Failure& f) {
  switch (f.kind) {
    case FailureKind::team_id_malformed:
      return "team_id_malformed";
    case FailureKind::team_unknown:
      return "team_unknown";
    case FailureKind::team_disabled:
      return "team_disabled";
    case FailureKind::initiate_iss_missing:
      return "initiate_iss_missing";
    case FailureKind::initiate_iss_mismatch:
      return "initiate_iss_mismatch";
    case FailureKind::request_malformed:
      return "request_malformed";
    case FailureKind::state_missing:
      return "state_missing";
    case FailureKind::attempt_unknown:
      return "attempt_unknown";
    case FailureKind::attempt_expired:
      return "attempt_expired";
    case FailureKind::browser_mismatch:
      return "browser_mismatch";
    case FailureKind::provider:
      return std::string(oidc::code(*f.oidc));
    case FailureKind::no_email:
      return "no_email";
    case FailureKind::store_unavailable:
      return "store_unavailable";
    case FailureKind::secret_unusable:
      return "secret_unusable";
  }
  return "unknown";
}

}  // namespace gatehouse::signin
