#include "store/postgres/postgres.hpp"

#include <charconv>
#include <cstdlib>

#include <libpq-fe.h>
#include <poll.h>
#include <spdlog/spdlog.h>

namespace gatehouse::store::postgres {
namespace {

// libpq's messages end in a newline and may span lines; logs want one line.
std::string one_line(std::string_view s) {
  std::string out;
  for (char c : s) out.push_back(c == '\n' || c == '\t' ? ' ' : c);
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace

std::string Row::text(int col) const {
  return {PQgetvalue(r_, row_, col), static_cast<std::size_t>(PQgetlength(r_, row_, col))};
}

std::optional<std::string> Row::opt_text(int col) const {
  if (PQgetisnull(r_, row_, col)) return std::nullopt;
  return text(col);
}

std::int64_t Row::int64(int col) const {
  const char* p = PQgetvalue(r_, row_, col);
  std::int64_t v = 0;
  // SUM(bigint) is numeric in PostgreSQL: digits only, as sums of integers are.
  std::from_chars(p, p + PQgetlength(r_, row_, col), v);
  return v;
}

std::optional<std::int64_t> Row::opt_int64(int col) const {
  if (PQgetisnull(r_, row_, col)) return std::nullopt;
  return int64(col);
}

double Row::real(int col) const { return std::strtod(PQgetvalue(r_, row_, col), nullptr); }

std::unique_ptr<Connection> Connection::connect(const std::string& conninfo, int connect_timeout_s,
                                                std::string& error) {
  // Later keywords win, so the URL (expanded from dbname) overrides these defaults.
  std::string timeout = std::to_string(connect_timeout_s);
  const char* keys[] = {"connect_timeout", "fallback_application_name", "dbname", nullptr};
  const char* values[] = {timeout.c_str(), "gatehouse", conninfo.c_str(), nullptr};
  pg_conn* c = PQconnectdbParams(keys, values, 1);
  if (!c) {
    error = "out of memory";
    return nullptr;
  }
  if (PQstatus(c) != CONNECTION_OK) {
    error = one_line(PQerrorMessage(c));
    PQfinish(c);
    return nullptr;
  }
  std::unique_ptr<Connection> conn(new Connection(c));
  PQsetNoticeReceiver(c, &Connection::on_notice, conn.get());
  return conn;
}

void Connection::on_notice(void* self, const pg_result* r) {
  // Notices ("relation already exists, skipping") would go to stderr by
  // default. A FATAL that arrives while the connection sits idle (the
  // server is shutting down, or pg_terminate_backend) comes this way too,
  // before the socket closes: the connection is finished from then on.
  const char* severity = PQresultErrorField(r, PG_DIAG_SEVERITY_NONLOCALIZED);
  std::string_view sv = severity ? severity : "";
  if (sv == "FATAL" || sv == "PANIC") static_cast<Connection*>(self)->broken_ = true;
  spdlog::debug("postgres: {}", one_line(PQresultErrorMessage(r)));
}

Connection::~Connection() { PQfinish(c_); }

bool Connection::broken() const { return broken_ || PQstatus(c_) != CONNECTION_OK; }

bool Connection::still_alive() {
  // A dropped backend sends FATAL, then closes: the first read takes the
  // message, only a second one sees the end of the stream. poll() with no
  // wait first, so a healthy idle connection costs one system call.
  for (int i = 0; i < 4 && !broken_; ++i) {
    pollfd p{PQsocket(c_), POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) break;  // nothing pending
    if (PQconsumeInput(c_) == 0 || PQstatus(c_) != CONNECTION_OK) broken_ = true;
    (void)PQisBusy(c_);  // parses what was read: a FATAL reaches on_notice
  }
  return !broken_;
}

bool Connection::idle_in_no_transaction() const { return PQtransactionStatus(c_) == PQTRANS_IDLE; }

StoreError Connection::fail(const pg_result* r) {
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  // Only the primary message: DETAIL would repeat the values of a violated
  // key, and those may be token hashes or session ids.
  last_error_ = one_line(primary ? primary : PQerrorMessage(c_));
  std::string_view sqlstate = state ? state : "";
  // Class 08 (connection exception) and 57P (the server shut down or
  // terminated this backend): this connection is finished.
  if (PQstatus(c_) != CONNECTION_OK || sqlstate.starts_with("08") || sqlstate.starts_with("57P"))
    broken_ = true;
  // Integrity constraint violations (unique 23505, foreign key 23503, …) are
  // conflict, as SQLITE_CONSTRAINT is in the SQLite backend.
  if (sqlstate.starts_with("23")) return StoreError::conflict;
  spdlog::warn("postgres: {} (SQLSTATE {})", last_error_, sqlstate.empty() ? "none" : sqlstate);
  return StoreError::unavailable;
}

Result<Connection::ResultPtr> Connection::run(std::string_view sql,
                                              const std::vector<Value>& params) {
  if (broken_) return tl::unexpected(StoreError::unavailable);
  std::string key(sql);
  auto it = prepared_.find(key);
  if (it == prepared_.end()) {
    std::string name = "gh_" + std::to_string(prepared_.size() + 1);
    ResultPtr p(PQprepare(c_, name.c_str(), key.c_str(), 0, nullptr), PQclear);
    if (!p || PQresultStatus(p.get()) != PGRES_COMMAND_OK) return tl::unexpected(fail(p.get()));
    it = prepared_.emplace(std::move(key), std::move(name)).first;
  }
  // Text format for every value; the server types each parameter from the
  // statement, so '1' binds as bigint and 'acme' as text.
  std::vector<std::string> text(params.size());
  std::vector<const char*> values(params.size(), nullptr);
  for (std::size_t i = 0; i < params.size(); ++i) {
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::int64_t>) {
            text[i] = std::to_string(v);
            values[i] = text[i].c_str();
          } else if constexpr (std::is_same_v<T, std::string>) {
            values[i] = v.c_str();
          }
        },
        params[i]);
  }
  ResultPtr r(PQexecPrepared(c_, it->second.c_str(), static_cast<int>(params.size()), values.data(),
                             nullptr, nullptr, 0),
              PQclear);
  auto status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return tl::unexpected(fail(r.get()));
  return r;
}

Result<int> Connection::exec(std::string_view sql, const std::vector<Value>& params) {
  auto r = run(sql, params);
  if (!r) return tl::unexpected(r.error());
  return std::atoi(PQcmdTuples(r->get()));
}

Result<void> Connection::query(std::string_view sql, const std::vector<Value>& params,
                               const std::function<void(Row&)>& on_row) {
  auto r = run(sql, params);
  if (!r) return tl::unexpected(r.error());
  int rows = PQntuples(r->get());
  for (int i = 0; i < rows; ++i) {
    Row row(r->get(), i);
    on_row(row);
  }
  return {};
}

Result<void> Connection::exec_script(std::string_view sql) {
  if (broken_) return tl::unexpected(StoreError::unavailable);
  std::string s(sql);
  ResultPtr r(PQexec(c_, s.c_str()), PQclear);
  auto status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return tl::unexpected(fail(r.get()));
  return {};
}

Pool::Pool(std::string conninfo, PoolOptions options)
    : conninfo_(std::move(conninfo)), options_(options) {
  if (options_.size < 1) options_.size = 1;
}

Pool::~Pool() = default;

Pool::Lease::~Lease() {
  if (c_) pool_->release(std::move(c_));
}

void Pool::release(std::unique_ptr<Connection> c) {
  // A connection left inside a transaction (its ROLLBACK failed) or cut off
  // by the server is closed; the next acquire opens a fresh one.
  bool keep = !c->broken() && c->idle_in_no_transaction();
  {
    std::lock_guard lock(mu_);
    if (keep)
      idle_.push_back(std::move(c));
    else
      --open_;
  }
  cv_.notify_one();
}  // a dropped connection is closed here, outside the lock

void Pool::note_reachable(bool reachable, const std::string& error) {
  bool was = reachable_.exchange(reachable);
  if (was && !reachable) spdlog::error("postgres: cannot connect: {}", error);
  if (!was && reachable) spdlog::info("postgres: connected again");
}

Result<Pool::Lease> Pool::acquire() {
  auto deadline = std::chrono::steady_clock::now() + options_.acquire_timeout;
  std::unique_lock lock(mu_);
  for (;;) {
    while (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      if (c->still_alive()) return Lease(this, std::move(c));
      --open_;  // gone while idle (server restart): replace it
    }
    if (open_ < options_.size) {
      ++open_;
      lock.unlock();
      std::string error;
      auto c = Connection::connect(conninfo_, options_.connect_timeout_s, error);
      note_reachable(c != nullptr, error);
      if (c) return Lease(this, std::move(c));
      lock.lock();
      --open_;
      cv_.notify_one();
      return tl::unexpected(StoreError::unavailable);
    }
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= options_.size) {
      spdlog::warn("postgres: all {} connections stayed busy for {} ms", options_.size,
                   options_.acquire_timeout.count());
      return tl::unexpected(StoreError::unavailable);
    }
  }
}

}  // namespace gatehouse::store::postgres
