// `gatehouse team …` and `gatehouse migrate` driven through the built binary,
// as an operator types them (SPEC.md §2): exit codes, the one `error:` line,
// nothing written on bad input, and the client secret never shown or stored
// in plaintext.
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/discovery_server.hpp"
#include "cli/run_cli.hpp"
#include "cli/team_commands.hpp"
#include "crypto/random.hpp"
#include "crypto/secret_box.hpp"
#include "support/temp_dir.hpp"

namespace gatehouse::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr const char* kSecret = "s3cr3t-value";

class Cli : public ::testing::Test {
 protected:
  std::string db_path() const { return dir_.file("g.db"); }
  std::string key_path() const { return dir_.file("g.key"); }
  std::map<std::string, std::string> env() const {
    return {{"GATEHOUSE_DATABASE_URL", "sqlite://" + db_path()},
            {"GATEHOUSE_SECRET_KEY_FILE", key_path()}};
  }
  CliResult run(const std::vector<std::string>& args, const std::string& stdin_text = "") const {
    return run_cli(args, env(), stdin_text);
  }
  // `team add` for a registered-and-reachable provider, or with the check off.
  CliResult add(const std::string& id, const std::string& issuer, bool check = true,
                const std::string& secret = kSecret) const {
    std::vector<std::string> args{"team",
                                  "add",
                                  "--team-id",
                                  id,
                                  "--issuer",
                                  issuer,
                                  "--client-id",
                                  "0oa-client",
                                  "--admin-email",
                                  "it@acme.test",
                                  "--client-secret-stdin"};
    if (!check) args.emplace_back("--no-discovery-check");
    return run(args, secret + "\n");
  }
  // Every byte SQLite keeps for this database (main file and WAL).
  std::string database_bytes() const {
    std::string all;
    for (const char* suffix : {"", "-wal", "-journal"}) {
      std::ifstream in(db_path() + suffix, std::ios::binary);
      all.append(std::istreambuf_iterator<char>(in), {});
    }
    return all;
  }
  std::string sealed_secret(const std::string& team) const {
    sqlite3* db = nullptr;
    std::string out;
    if (sqlite3_open_v2(db_path().c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
      sqlite3_stmt* st = nullptr;
      if (sqlite3_prepare_v2(db, "SELECT client_secret_sealed FROM teams WHERE id = ?1", -1, &st,
                             nullptr) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, team.c_str(), -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) == SQLITE_ROW)
          out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
      }
      sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return out;
  }
  std::string open_sealed(const std::string& team) const {
    crypto::SystemRandom rng;
    auto box = crypto::SecretBox::load_or_create(key_path(), rng);
    if (!box) return "(no key: " + box.error() + ")";
    auto plain = box->open(sealed_secret(team), domain::client_secret_aad(team));
    return plain ? *plain : "(cannot open: " + plain.error() + ")";
  }
  bool wrote_anything() const {
    return std::filesystem::exists(db_path()) || std::filesystem::exists(key_path());
  }

  TempDir dir_;
};

void expect_one_error_line(const CliResult& r, int code) {
  EXPECT_EQ(r.exit_code, code) << r.err;
  EXPECT_THAT(r.err, StartsWith("error: "));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST_F(Cli, AddListShowWithoutSecret) {
  DiscoveryServer idp;
  auto added = add("acme", idp.url());
  ASSERT_EQ(added.exit_code, 0) << added.err;
  EXPECT_EQ(idp.requests(), 1);

  auto list = run({"team", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_THAT(list.out, HasSubstr("acme"));
  EXPECT_THAT(list.out, HasSubstr(idp.url()));

  auto show = run({"team", "show", "acme", "--json"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  auto doc = nlohmann::json::parse(show.out, nullptr, false);
  ASSERT_TRUE(doc.is_object()) << show.out;
  EXPECT_EQ(doc["id"], "acme");
  EXPECT_EQ(doc["issuer"], idp.url());
  EXPECT_EQ(doc["client_id"], "0oa-client");
  EXPECT_EQ(doc["admin_email"], "it@acme.test");
  for (const auto& [key, value] : doc.items())
    EXPECT_THAT(value.dump(), Not(HasSubstr(kSecret))) << key;

  auto text = run({"team", "show", "acme"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  for (const auto* r : {&added, &list, &show, &text}) {
    EXPECT_THAT(r->out, Not(HasSubstr(kSecret)));
    EXPECT_THAT(r->err, Not(HasSubstr(kSecret)));
  }
  auto bytes = database_bytes();
  EXPECT_THAT(bytes, HasSubstr("0oa-client")) << "reading the wrong file proves nothing";
  EXPECT_THAT(bytes, Not(HasSubstr(kSecret)));
  EXPECT_EQ(open_sealed("acme"), kSecret);
}

TEST_F(Cli, BadTeamIdIsExit2AndWritesNothing) {
  for (const std::string id : {"Acme", "-x", "a"}) {
    SCOPED_TRACE(id);
    auto r = add(id, "https://idp.example.com", /*check=*/false);
    expect_one_error_line(r, 2);
    EXPECT_FALSE(wrote_anything());
  }
}

TEST_F(Cli, BadEmailIsExit2) {
  auto r =
      run({"team", "add", "--team-id", "acme", "--issuer", "https://idp.example.com", "--client-id",
           "c", "--admin-email", "not-an-email", "--client-secret-stdin", "--no-discovery-check"},
          std::string(kSecret) + "\n");
  expect_one_error_line(r, 2);
  EXPECT_FALSE(wrote_anything());
}

TEST_F(Cli, OktaIssuerWithForeignTeamIdIsExit2) {
  // SPEC §2: on Okta's own domains the Team ID is the Okta subdomain, so one
  // customer cannot register a Team ID that looks like another's org.
  auto r = add("globex", "https://acme.okta.com", /*check=*/false);
  expect_one_error_line(r, 2);
  EXPECT_FALSE(wrote_anything());
  EXPECT_EQ(add("acme-ml", "https://acme.okta.com", /*check=*/false).exit_code, 0);
}

TEST_F(Cli, DiscoveryIssuerMismatchIsExit1) {
  // OIDC Discovery §4.3: the document's issuer must be exactly the one given.
  DiscoveryServer idp([](const std::string& url) { return url + "1"; });
  auto r = add("acme", idp.url());
  expect_one_error_line(r, 1);
  // Refused for the mismatch, not for some other flaw of the document.
  EXPECT_THAT(r.err, HasSubstr("different issuer"));
  EXPECT_EQ(idp.requests(), 1);
  EXPECT_EQ(run({"team", "show", "acme"}).exit_code, 1);
}

TEST_F(Cli, UnreachableIssuerIsExit1) {
  std::string url;
  {
    DiscoveryServer gone;  // a port that was just free and is closed again
    url = gone.url();
  }
  auto r = add("acme", url);
  expect_one_error_line(r, 1);
  EXPECT_EQ(run({"team", "show", "acme"}).exit_code, 1);
}

TEST_F(Cli, NoDiscoveryCheckSkipsFetch) {
  DiscoveryServer idp([](const std::string&) { return std::string("https://elsewhere.example"); });
  auto r = add("acme", idp.url(), /*check=*/false);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(idp.requests(), 0);
  EXPECT_EQ(run({"team", "show", "acme"}).exit_code, 0);
}

TEST_F(Cli, DuplicateTeamIsExit1) {
  ASSERT_EQ(add("acme", "https://acme.example.com", false).exit_code, 0);
  auto again = add("acme", "https://other.example.com", false, "other-secret");
  expect_one_error_line(again, 1);
  auto show = run({"team", "show", "acme", "--json"});
  EXPECT_EQ(nlohmann::json::parse(show.out, nullptr, false)["issuer"], "https://acme.example.com");
  EXPECT_EQ(open_sealed("acme"), kSecret);
}

TEST_F(Cli, UnknownTeamShowIsExit1) {
  auto r = run({"team", "show", "nosuch"});
  expect_one_error_line(r, 1);
  EXPECT_THAT(r.err, StartsWith("error: no team"));
  EXPECT_THAT(r.err, HasSubstr("nosuch"));
}

TEST_F(Cli, DisableEnableRemove) {
  ASSERT_EQ(add("acme", "https://acme.example.com", false).exit_code, 0);
  auto enabled = [&] {
    auto show = run({"team", "show", "acme", "--json"});
    return nlohmann::json::parse(show.out, nullptr, false).value("enabled", true);
  };

  EXPECT_EQ(run({"team", "disable", "acme"}).exit_code, 0);
  EXPECT_FALSE(enabled());
  EXPECT_THAT(run({"team", "list"}).out, HasSubstr("disabled"));
  EXPECT_EQ(run({"team", "enable", "acme"}).exit_code, 0);
  EXPECT_TRUE(enabled());

  expect_one_error_line(run({"team", "remove", "acme"}), 2);
  EXPECT_EQ(run({"team", "show", "acme"}).exit_code, 0) << "removed without --yes";
  EXPECT_EQ(run({"team", "remove", "acme", "--yes"}).exit_code, 0);
  EXPECT_EQ(run({"team", "show", "acme"}).exit_code, 1);
  EXPECT_EQ(run({"team", "disable", "acme"}).exit_code, 1);
}

TEST_F(Cli, UpdateClientSecretKeepsItEncrypted) {
  ASSERT_EQ(add("acme", "https://acme.example.com", false).exit_code, 0);
  const std::string before = sealed_secret("acme");
  const std::string fresh = "n3w-s3cr3t-value";
  auto r = run({"team", "update", "acme", "--client-secret-stdin"}, fresh + "\r\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out + r.err, Not(HasSubstr(fresh)));
  EXPECT_NE(sealed_secret("acme"), before);
  EXPECT_THAT(sealed_secret("acme"), StartsWith("gh1."));
  EXPECT_EQ(open_sealed("acme"), fresh);  // the line ending is not part of the secret
  auto bytes = database_bytes();
  EXPECT_THAT(bytes, Not(HasSubstr(fresh)));
  EXPECT_THAT(bytes, Not(HasSubstr(kSecret)));
}

TEST_F(Cli, MigrateIsIdempotent) {
  for (int i = 0; i < 2; ++i) {
    auto r = run({"migrate"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("up to date"));
  }
  ASSERT_EQ(add("acme", "https://acme.example.com", false).exit_code, 0);
  EXPECT_EQ(run({"migrate"}).exit_code, 0);
  EXPECT_THAT(run({"team", "list"}).out, HasSubstr("acme"));
  // migrate needs no master key: it must not create one.
  std::filesystem::remove(key_path());
  EXPECT_EQ(run({"migrate"}).exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(key_path()));
}

}  // namespace
}  // namespace gatehouse::testing
