#include "backends.hpp"

#include <cstdlib>
#include <filesystem>
#include <random>
#include <stdexcept>

#include <libpq-fe.h>

namespace gatehouse::testing {
namespace {

std::string random_suffix() {
  std::random_device rd;
  return std::to_string(rd()) + std::to_string(rd());
}

// The scratch schema outlives the database object: the wrapper closes the
// pool first, then drops the schema.
class ScratchDatabase final : public store::Database {
 public:
  ScratchDatabase(std::unique_ptr<PostgresScratch> scratch, std::unique_ptr<store::Database> db)
      : scratch_(std::move(scratch)), db_(std::move(db)) {}
  ~ScratchDatabase() override { db_.reset(); }

  store::TeamStore& teams() override { return db_->teams(); }
  store::UserStore& users() override { return db_->users(); }
  store::SessionStore& sessions() override { return db_->sessions(); }
  store::LoginAttemptStore& login_attempts() override { return db_->login_attempts(); }
  store::AuditStore& audit() override { return db_->audit(); }
  store::SigninStore& signins() override { return db_->signins(); }
  store::TokenStore& tokens() override { return db_->tokens(); }
  store::ModelStore& models() override { return db_->models(); }
  store::UsageStore& usage() override { return db_->usage(); }
  store::Result<void> ping() override { return db_->ping(); }
  tl::expected<int, std::string> migrate() override { return db_->migrate(); }

 private:
  std::unique_ptr<PostgresScratch> scratch_;
  std::unique_ptr<store::Database> db_;
};

}  // namespace

std::optional<std::string> postgres_test_url() {
  const char* url = std::getenv("GATEHOUSE_TEST_POSTGRES_URL");
  if (!url || !*url) return std::nullopt;
  return std::string(url);
}

PostgresScratch::PostgresScratch(std::string server_url)
    : server_url_(std::move(server_url)), schema_("gh_test_" + random_suffix()) {
  admin("CREATE SCHEMA " + schema_);
  url_ = url_with("");
}

PostgresScratch::~PostgresScratch() {
  try {
    admin("DROP SCHEMA " + schema_ + " CASCADE");
  } catch (const std::exception&) {
    // The server went away during the test; the schema goes with the throwaway cluster.
  }
}

std::string PostgresScratch::url_with(const std::string& params) const {
  // options=-csearch_path=… (URL-encoded): every session starts in the schema.
  std::string url = server_url_;
  url += url.find('?') == std::string::npos ? "?" : "&";
  url += "options=-csearch_path%3D" + schema_;
  if (!params.empty()) url += "&" + params;
  return url;
}

std::string PostgresScratch::admin(const std::string& sql) const {
  PGconn* c = PQconnectdb(server_url_.c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    std::string e = PQerrorMessage(c);
    PQfinish(c);
    throw std::runtime_error("cannot connect to GATEHOUSE_TEST_POSTGRES_URL: " + e);
  }
  PQsetNoticeProcessor(
      c, [](void*, const char*) {}, nullptr);
  PGresult* r = PQexec(c, sql.c_str());
  auto status = PQresultStatus(r);
  std::string out;
  if (status == PGRES_TUPLES_OK && PQntuples(r) > 0) out = PQgetvalue(r, 0, 0);
  std::string error = PQresultErrorMessage(r);
  PQclear(r);
  PQfinish(c);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    throw std::runtime_error(sql + ": " + error);
  return out;
}

std::vector<Backend> store_backends() {
  std::vector<Backend> out;
  out.push_back({"sqlite", [] {
                   auto dir = std::filesystem::temp_directory_path() /
                              ("gatehouse-store-" + random_suffix());
                   std::filesystem::create_directories(dir);
                   auto db = store::open_database("sqlite://" + (dir / "test.db").string());
                   if (!db) throw std::runtime_error(db.error());
                   if (auto m = (*db)->migrate(); !m) throw std::runtime_error(m.error());
                   return std::move(*db);
                 }});
  out.push_back({"postgres",
                 []() -> std::unique_ptr<store::Database> {
                   auto scratch = std::make_unique<PostgresScratch>(postgres_test_url().value());
                   auto db = store::open_database(scratch->url());
                   if (!db) throw std::runtime_error(db.error());
                   if (auto m = (*db)->migrate(); !m) throw std::runtime_error(m.error());
                   return std::make_unique<ScratchDatabase>(std::move(scratch), std::move(*db));
                 },
                 []() -> std::optional<std::string> {
                   if (postgres_test_url()) return std::nullopt;
                   return "GATEHOUSE_TEST_POSTGRES_URL is not set (scripts/test sets it)";
                 }});
  return out;
}

}  // namespace gatehouse::testing
