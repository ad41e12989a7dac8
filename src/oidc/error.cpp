#include "oidc/error.hpp"

namespace gatehouse::oidc {

std::string_view message(Error e) {
  switch (e) {
    case Error::issuer_invalid:
      return "This team's identity provider is not configured correctly: its issuer URL must use "
             "https. Ask your gatehouse operator to fix the team's issuer.";
    case Error::discovery_failed:
      return "Your identity provider could not be reached or did not publish its OpenID "
             "configuration. Try again in a few minutes; if it persists, ask your administrator "
             "to check the team's issuer URL.";
    case Error::issuer_mismatch:
      return "Your identity provider's OpenID configuration names a different issuer than the one "
             "registered for this team. Ask your gatehouse operator to check the team's issuer URL "
             "(including any trailing slash).";
    case Error::metadata_invalid:
      return "Your identity provider's OpenID configuration is incomplete or not secure enough for "
             "gatehouse (it needs https endpoints, PKCE S256 and client-secret authentication). "
             "Ask your administrator to check the provider's settings.";
    case Error::jwks_failed:
      return "Your identity provider's signing keys could not be loaded, so the sign-in could not "
             "be checked. Try again in a few minutes.";
    case Error::provider_timeout:
      return "Your identity provider did not answer in time. Try again in a few minutes.";
    case Error::state_mismatch:
      return "This sign-in response does not belong to a sign-in started in this browser, or it "
             "has already been used or expired. Start the sign-in again from the gatehouse page.";
    case Error::iss_missing:
    case Error::iss_mismatch:
      return "This sign-in response did not come from this team's identity provider. Start the "
             "sign-in again from the gatehouse page.";
    case Error::access_denied:
      return "Your identity provider declined the sign-in. If you should have access, ask your "
             "administrator to assign you to the gatehouse application.";
    case Error::provider_error:
      return "Your identity provider reported an error and did not complete the sign-in. Try "
             "again; if it persists, ask your administrator to check the application settings.";
    case Error::code_missing:
      return "The sign-in response from your identity provider was incomplete. Start the sign-in "
             "again from the gatehouse page.";
    case Error::client_auth_failed:
      return "Your identity provider did not accept gatehouse's client credentials for this team. "
             "Ask your gatehouse operator to check the team's client ID and client secret.";
    case Error::code_rejected:
      return "Your identity provider did not accept this sign-in response; it may have expired or "
             "been used already. Start the sign-in again from the gatehouse page.";
    case Error::token_request_failed:
      return "gatehouse could not complete the sign-in with your identity provider. Try again in a "
             "few minutes.";
    case Error::token_response_invalid:
      return "Your identity provider's sign-in response was not valid: it did not return a usable "
             "ID token. Ask your administrator to check that the application uses OpenID Connect.";
    case Error::id_token_malformed:
      return "Your identity provider's sign-in response was not valid for this team: the token "
             "could not be read.";
    case Error::id_token_invalid_signature:
      return "Your identity provider's sign-in response was not valid for this team: the token's "
             "signature could not be verified.";
    case Error::id_token_unknown_key:
      return "Your identity provider's sign-in response was signed with a key it does not publish. "
             "Try again in a minute; if it persists, ask your administrator to check the "
             "provider's signing keys.";
    case Error::id_token_wrong_issuer:
      return "Your identity provider's sign-in response was not valid for this team: the token "
             "was issued by a different provider.";
    case Error::id_token_wrong_audience:
    case Error::id_token_azp_mismatch:
      return "Your identity provider's sign-in response was not valid for this team: the token "
             "was issued for another application.";
    case Error::id_token_expired:
      return "Your identity provider's sign-in response has expired. Check that your device's "
             "clock is right and start the sign-in again.";
    case Error::id_token_issued_in_future:
      return "Your identity provider's sign-in response is dated in the future; the provider's "
             "clock may be wrong. Try again in a minute.";
    case Error::id_token_missing_claim:
      return "Your identity provider's sign-in response was not valid for this team: the token "
             "lacks required information.";
    case Error::nonce_mismatch:
      return "This sign-in response belongs to a different sign-in attempt. Start the sign-in "
             "again from the gatehouse page.";
    case Error::userinfo_failed:
      return "Your identity provider did not return your profile (email and name). Try again in "
             "a few minutes.";
    case Error::userinfo_sub_mismatch:
      return "Your identity provider returned a profile for a different person than the one who "
             "signed in. Start the sign-in again.";
  }
  return "The sign-in failed.";
}

std::string_view code(Error e) {
  switch (e) {
    case Error::issuer_invalid:
      return "issuer_invalid";
    case Error::discovery_failed:
      return "discovery_failed";
    case Error::issuer_mismatch:
      return "issuer_mismatch";
    case Error::metadata_invalid:
      return "metadata_invalid";
    case Error::jwks_failed:
      return "jwks_failed";
    case Error::provider_timeout:
      return "provider_timeout";
    case Error::state_mismatch:
      return "state_mismatch";
    case Error::iss_missing:
      return "iss_missing";
    case Error::iss_mismatch:
      return "iss_mismatch";
    case Error::access_denied:
      return "access_denied";
    case Error::provider_error:
      return "provider_error";
    case Error::code_missing:
      return "code_missing";
    case Error::client_auth_failed:
      return "client_auth_failed";
    case Error::code_rejected:
      return "code_rejected";
    case Error::token_request_failed:
      return "token_request_failed";
    case Error::token_response_invalid:
      return "token_response_invalid";
    case Error::id_token_malformed:
      return "id_token_malformed";
    case Error::id_token_invalid_signature:
      return "id_token_invalid_signature";
    case Error::id_token_unknown_key:
      return "id_token_unknown_key";
    case Error::id_token_wrong_issuer:
      return "id_token_wrong_issuer";
    case Error::id_token_wrong_audience:
      return "id_token_wrong_audience";
    case Error::id_token_azp_mismatch:
      return "id_token_azp_mismatch";
    case Error::id_token_expired:
      return "id_token_expired";
    case Error::id_token_issued_in_future:
      return "id_token_issued_in_future";
    case Error::id_token_missing_claim:
      return "id_token_missing_claim";
    case Error::nonce_mismatch:
      return "nonce_mismatch";
    case Error::userinfo_failed:
      return "userinfo_failed";
    case Error::userinfo_sub_mismatch:
      return "userinfo_sub_mismatch";
  }
  return "unknown";
}

ErrorClass classify(Error e) {
  switch (e) {
    // The browser carried something that is not the answer to this attempt:
    // the person can fix it by starting again.
    case Error::state_mismatch:
    case Error::iss_missing:
    case Error::iss_mismatch:
    case Error::code_missing:
    case Error::code_rejected:
      return ErrorClass::bad_request;
    case Error::access_denied:
      return ErrorClass::refused;
    case Error::provider_timeout:
      return ErrorClass::provider_timeout;
    default:
      return ErrorClass::provider_misbehaved;
  }
}

}  // namespace gatehouse::oidc
