#include "domain/team.hpp"

#include <array>

#include "http/client.hpp"
#include "http/url.hpp"

namespace gatehouse::domain {

std::string_view to_string(Workspace w) { return w == Workspace::personal ? "personal" : "shared"; }

std::string client_secret_aad(std::string_view team_id) {
  return "team:" + std::string(team_id) + ":client_secret";
}

std::optional<Workspace> parse_workspace(std::string_view s) {
  if (s == "shared") return Workspace::shared;
  if (s == "personal") return Workspace::personal;
  return std::nullopt;
}

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::optional<std::string> check_team_id_syntax(std::string_view id) {
  if (id.size() < 2 || id.size() > 63) return "a Team ID has 2 to 63 characters";
  for (std::size_t i = 0; i < id.size(); ++i) {
    char c = id[i];
    bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && c != '-') return "a Team ID has only lowercase letters, digits and dashes";
    if (c == '-' && (i == 0 || id[i - 1] == '-'))
      return "a Team ID starts with a letter or digit and has no double dashes";
  }
  if (id.back() == '-') return "a Team ID does not end with a dash";
  return std::nullopt;
}

std::optional<std::string> validate_team_id(std::string_view id, std::string_view issuer) {
  if (auto err = check_team_id_syntax(id)) return err;
  auto url = http::parse_url(issuer);
  if (!url) return std::nullopt;  // the issuer check reports that
  static constexpr std::array<std::string_view, 3> kOktaDomains = {".okta.com", ".oktapreview.com",
                                                                   ".okta-emea.com"};
  for (auto domain : kOktaDomains) {
    const std::string& host = url->host;
    if (host.size() > domain.size() && host.ends_with(domain)) {
      std::string_view sub = std::string_view(host).substr(0, host.size() - domain.size());
      if (auto dot = sub.rfind('.'); dot != std::string_view::npos) sub = sub.substr(dot + 1);
      bool ok =
          id == sub || (id.size() > sub.size() + 1 && id.starts_with(sub) && id[sub.size()] == '-');
      if (!ok)
        return "for an Okta issuer the Team ID must be the Okta subdomain '" + std::string(sub) +
               "' or start with '" + std::string(sub) + "-'";
    }
  }
  return std::nullopt;
}

std::optional<std::string> validate_email(std::string_view email) {
  if (email.empty() || email.size() > 254) return "an email address has 1 to 254 characters";
  auto at = email.find('@');
  if (at == std::string_view::npos || at == 0 || email.find('@', at + 1) != std::string_view::npos)
    return "an email address has exactly one '@' with a name before it";
  for (char c : email)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == ',' ||
        c == ';')
      return "an email address has no spaces, commas or control characters";
  std::string_view domain = email.substr(at + 1);
  auto dot = domain.find('.');
  if (domain.empty() || dot == std::string_view::npos || dot == 0 || domain.back() == '.' ||
      domain.find("..") != std::string_view::npos)
    return "the domain of an email address needs a dot, like example.com";
  return std::nullopt;
}

std::optional<std::string> validate_issuer(std::string_view issuer) {
  auto url = http::parse_url(issuer);
  if (!url) return "the issuer is not a valid URL: " + url.error();
  if (url->scheme != "https" && !http::is_loopback_host(url->host))
    return "the issuer must use https:// (plain http only for localhost)";
  if (issuer.find('?') != std::string_view::npos || issuer.find('#') != std::string_view::npos)
    return "the issuer has no query or fragment";
  return std::nullopt;
}

}  // namespace gatehouse::domain
