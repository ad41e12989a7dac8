#pragma once
// Everything the sign-in flows touch, built the way src/app/serve.cpp builds
// it, with the edges replaced: a real SQLite store in a temp dir, a real
// SecretBox with a fixed key, a FakeProvider on a FakeHttpClient, a fixed
// clock. Shared by tests/signin and tests/web/signin_routes_test.cpp.
//   SigninWorld w;                      // team "acme" at https://idp.example
//   auto done = w.sign_in("acme", w.idp, "user-1", "ada@acme.example");
//   w.sql().exec("UPDATE users SET role = 'member'");   // a second connection, raw SQL
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "crypto/random.hpp"
#include "crypto/secret_box.hpp"
#include "domain/team.hpp"
#include "oidc/relying_party.hpp"
#include "signin/flow.hpp"
#include "signin/sessions.hpp"
#include "store/database.hpp"
#include "store/sqlite/sqlite.hpp"
#include "support/fake_http_client.hpp"
#include "support/fake_provider.hpp"
#include "support/fixed_clock.hpp"
#include "support/temp_dir.hpp"

namespace gatehouse::testing {

struct WorldOptions {
  std::string public_url = "https://sso.example.com";
};

class SigninWorld {
 public:
  static constexpr std::int64_t kNow = 1'700'000'000;

  explicit SigninWorld(WorldOptions options = {})
      : public_url(std::move(options.public_url)),
        db(open(db_path)),
        sessions(*db, box, clock, rng,
                 {.absolute_ttl = std::chrono::seconds(43200),
                  .idle_ttl = std::chrono::seconds(7200),
                  .secure_cookies = secure()}),
        flow(*db, rp, box, sessions, clock, rng,
             {.redirect_uri = public_url + "/sso/callback", .public_origin = public_url}) {
    add_team("acme", idp, "ada@acme.example");
  }

  [[nodiscard]] bool secure() const { return public_url.rfind("https://", 0) == 0; }

  TempDir tmp;
  const std::string db_path = tmp.file("gatehouse.db");
  const std::string public_url;
  FixedClock clock{kNow};
  crypto::SystemRandom rng;  // real randomness: ids must not repeat across many attempts
  FakeHttpClient http;
  FakeProvider idp{http, "https://idp.example"};
  std::unique_ptr<store::Database> db;
  crypto::SecretBox box{{{"test-key", std::string(32, '\x2a')}}, "test-key", rng};
  oidc::RelyingParty rp{http, clock, rng};
  signin::Sessions sessions;
  signin::SigninFlow flow;

  domain::Team add_team(const std::string& id, const FakeProvider& provider,
                        const std::string& admin_email,
                        const std::string& client_secret = "s3cret-of-the-client") {
    domain::Team t;
    t.id = id;
    t.name = "Team " + id;
    t.issuer = provider.issuer;
    t.client_id = provider.client_id;
    t.client_secret_sealed = box.seal(client_secret, domain::client_secret_aad(id));
    t.admin_email = admin_email;
    t.created_at = t.updated_at = clock.unix_seconds();
    if (!db->teams().insert(t)) throw std::runtime_error("cannot insert team " + id);
    return t;
  }

  void set_enabled(const std::string& id, bool enabled) {
    auto t = db->teams().find(id);
    if (!t || !*t) throw std::runtime_error("no team " + id);
    (*t)->enabled = enabled;
    if (!db->teams().update(**t)) throw std::runtime_error("cannot update team " + id);
  }

  // A connection of its own to the same file, for what no store offers
  // (raw reads, role changes, breaking the schema).
  [[nodiscard]] std::unique_ptr<store::sqlite::Connection> sql() const {
    return std::make_unique<store::sqlite::Connection>(db_path);
  }

  struct Attempt {
    signin::Started started;
    FakeProvider::Authorization request;
  };
  // POST /login_sso without HTTP: the redirect and what the provider reads from it.
  [[nodiscard]] tl::expected<Attempt, signin::Failure> begin(
      const std::string& team_id, std::optional<std::string> browser_cookie = std::nullopt) {
    auto s = flow.start({.team_id = team_id, .browser_cookie = std::move(browser_cookie)});
    if (!s) return tl::unexpected(s.error());
    return Attempt{*s, FakeProvider::authorization(s->redirect_url)};
  }

  using ClaimsEdit = std::function<void(nlohmann::json&)>;
  // The provider's half and the browser's way back: the provider signs claims
  // carrying the attempt's nonce, the browser returns with its gh_login cookie.
  [[nodiscard]] tl::expected<signin::SignedIn, signin::Failure> complete(
      const signin::Started& started, FakeProvider& provider, const std::string& sub,
      const std::string& email, const std::string& name = "Ada", const ClaimsEdit& edit = {}) {
    auto request = FakeProvider::authorization(started.redirect_url);
    auto claims = provider.claims(sub, request.nonce, clock.unix_seconds(), email, name);
    if (edit) edit(claims);
    provider.issue(claims);
    return flow.callback(provider.callback(request.state), started.browser_cookie);
  }
  // A whole SP-initiated sign-in.
  [[nodiscard]] tl::expected<signin::SignedIn, signin::Failure> sign_in(
      const std::string& team_id, FakeProvider& provider, const std::string& sub,
      const std::string& email, const std::string& name = "Ada", const ClaimsEdit& edit = {}) {
    auto a = begin(team_id);
    if (!a) return tl::unexpected(a.error());
    return complete(a->started, provider, sub, email, name, edit);
  }

 private:
  static std::unique_ptr<store::Database> open(const std::string& path) {
    auto db = store::open_database("sqlite://" + path);
    if (!db) throw std::runtime_error(db.error());
    if (auto m = (*db)->migrate(); !m) throw std::runtime_error(m.error());
    return std::move(*db);
  }
};

}  // namespace gatehouse::testing
