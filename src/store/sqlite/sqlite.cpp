#include "store/sqlite/sqlite.hpp"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include <spdlog/spdlog.h>
#include <sqlite3.h>

namespace gatehouse::store::sqlite {
namespace {

// The one place where the shared SQL (PostgreSQL's dialect) becomes SQLite's,
// outside of string literals: $1..$n -> ?1..?n, and COLLATE "C" (byte order,
// which PostgreSQL must be told) -> COLLATE BINARY, SQLite's default and the
// collation of its indexes.
std::string to_sqlite_dialect(std::string_view sql) {
  constexpr std::string_view kByteOrder = "COLLATE \"C\"";
  std::string out;
  out.reserve(sql.size());
  bool in_string = false;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (c == '\'') in_string = !in_string;
    if (!in_string && c == '$' && i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
      out.push_back('?');
    } else if (!in_string && sql.substr(i).starts_with(kByteOrder)) {
      out.append("COLLATE BINARY");
      i += kByteOrder.size() - 1;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

StoreError classify(int rc) {
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      return StoreError::conflict;
    default:
      return StoreError::unavailable;
  }
}

}  // namespace

std::string Row::text(int col) const {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, col)))
           : std::string{};
}

std::optional<std::string> Row::opt_text(int col) const {
  if (sqlite3_column_type(s_, col) == SQLITE_NULL) return std::nullopt;
  return text(col);
}

std::int64_t Row::int64(int col) const { return sqlite3_column_int64(s_, col); }

std::optional<std::int64_t> Row::opt_int64(int col) const {
  if (sqlite3_column_type(s_, col) == SQLITE_NULL) return std::nullopt;
  return int64(col);
}

double Row::real(int col) const { return sqlite3_column_double(s_, col); }

Connection::Connection(const std::string& path) {
  // SQLite counts every allocation under one process-wide mutex unless told
  // not to; with several workers that mutex was a visible share of the
  // futex calls under load. Must come before SQLite initializes (the first
  // open); later it is refused harmlessly.
  static const int no_memstatus = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)no_memstatus;
  int rc =
      sqlite3_open_v2(path.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error("cannot open the SQLite database " + path + ": " + msg);
  }
  set_busy_timeout(kBusyTimeout);
  sqlite3_extended_result_codes(db_, 1);
  // WAL lets readers run beside the one writer; NORMAL sync is durable
  // across process crashes in WAL mode (only an OS crash may lose the last
  // commits). Foreign keys are off by default in SQLite.
  (void)exec_script("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
  // Replaces SQLite's auto-checkpoint (see checkpoint_when_full).
  sqlite3_wal_hook(db_, checkpoint_when_full, this);
}

// Checkpoint starvation: SQLite's auto-checkpoint is PASSIVE, and under a
// steady mix of readers and writers it rarely reaches the end of the WAL (some
// reader is always on an older snapshot). The WAL is then never started over,
// stays over the limit, and every later commit runs another checkpoint with
// two fdatasync calls: measured under bench/run's sign-in load, ~1.5 per
// sign-in. A RESTART checkpoint waits (briefly) for those readers, so once it
// succeeds the next writer starts the WAL from the beginning and the following
// kWalCheckpointPages pages commit without any sync.
//
// It runs after the commit, with SQLite's write lock released
// (sqlite3_wal_hook) but this process's writer lock still held, so the
// process's other writers wait for it. When a reader outlasts the wait (an
// open read in the sqlite3 shell, a backup), this connection tries again only
// once the WAL has grown by another kWalCheckpointPages: not at every commit,
// which would hold every writer up for kCheckpointWait each time.
int checkpoint_when_full(void* connection, sqlite3* db, const char* name, int pages) {
  auto* c = static_cast<Connection*>(connection);
  if (pages < kWalCheckpointPages) c->checkpoint_at_ = kWalCheckpointPages;  // started over
  if (pages < c->checkpoint_at_) return SQLITE_OK;
  sqlite3_busy_timeout(db, static_cast<int>(kCheckpointWait.count()));
  const int rc = sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
  sqlite3_busy_timeout(db, static_cast<int>(c->busy_wait_.count()));
  c->checkpoint_at_ = rc == SQLITE_OK ? kWalCheckpointPages : pages + kWalCheckpointPages;
  return SQLITE_OK;
}

Connection::~Connection() {
  release_writer();
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

std::string Connection::last_error() const { return last_error_; }

Result<sqlite3_stmt*> Connection::prepare(std::string_view sql, const std::vector<Value>& params) {
  std::string key(sql);
  sqlite3_stmt* stmt = nullptr;
  if (auto it = cache_.find(key); it != cache_.end()) {
    stmt = it->second;
  } else {
    std::string rewritten = to_sqlite_dialect(sql);
    int rc = sqlite3_prepare_v3(db_, rewritten.c_str(), static_cast<int>(rewritten.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
      last_error_ = sqlite3_errmsg(db_);
      spdlog::error("sqlite prepare failed: {}", last_error_);
      return tl::unexpected(StoreError::unavailable);
    }
    cache_.emplace(std::move(key), stmt);
  }
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  for (std::size_t i = 0; i < params.size(); ++i) {
    int idx = static_cast<int>(i + 1);
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::nullptr_t>)
            sqlite3_bind_null(stmt, idx);
          else if constexpr (std::is_same_v<T, std::int64_t>)
            sqlite3_bind_int64(stmt, idx, v);
          else
            sqlite3_bind_text(stmt, idx, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
        },
        params[i]);
  }
  return stmt;
}

namespace {
// The writer locks this thread holds (through any connection of any pool).
thread_local std::vector<const WriterGate*> writer_locks_held;
}  // namespace

void Connection::take_writer() {
  if (!writer_ || holds_writer_) return;
  // A thread that already writes on another connection of the same pool
  // would wait on itself for good: it goes on without the gate, and meets
  // SQLite's own lock and busy timeout.
  if (std::find(writer_locks_held.begin(), writer_locks_held.end(), writer_) !=
      writer_locks_held.end())
    return;
  holds_writer_ = writer_->enter(busy_wait_);
  if (holds_writer_) writer_locks_held.push_back(writer_);
}

void Connection::release_writer() {
  if (!holds_writer_) return;
  std::erase(writer_locks_held, writer_);
  writer_->leave();
  holds_writer_ = false;
}

Result<void> Connection::begin() {
  take_writer();
  auto r = sql::ok_or(exec("BEGIN IMMEDIATE"));
  if (!r) release_writer();
  return r;
}

Result<void> Connection::commit() {
  auto r = sql::ok_or(exec("COMMIT"));
  if (sqlite3_get_autocommit(db_)) release_writer();  // a failed COMMIT may leave it open
  return r;
}

void Connection::rollback() {
  (void)exec("ROLLBACK");
  if (sqlite3_get_autocommit(db_)) release_writer();
}

Result<int> Connection::exec(std::string_view sql, const std::vector<Value>& params) {
  auto stmt = prepare(sql, params);
  if (!stmt) return tl::unexpected(stmt.error());
  const bool lone_write =
      !holds_writer_ && sqlite3_get_autocommit(db_) && !sqlite3_stmt_readonly(*stmt);
  if (lone_write) take_writer();
  int rc;
  while ((rc = sqlite3_step(*stmt)) == SQLITE_ROW) {
  }
  sqlite3_reset(*stmt);
  if (lone_write) release_writer();
  if (rc != SQLITE_DONE) {
    last_error_ = sqlite3_errmsg(db_);
    if ((rc & 0xff) != SQLITE_CONSTRAINT) {
      spdlog::warn("sqlite: {}", last_error_);
      if (write_failing_) *write_failing_ = true;
    }
    return tl::unexpected(classify(rc));
  }
  // A write reached the file: a statement outside a transaction, or COMMIT
  // (which sqlite3_stmt_readonly counts as read-only).
  if (write_failing_ && sqlite3_get_autocommit(db_) &&
      (!sqlite3_stmt_readonly(*stmt) || sql == "COMMIT"))
    *write_failing_ = false;
  return sqlite3_changes(db_);
}

Result<void> Connection::query(std::string_view sql, const std::vector<Value>& params,
                               const std::function<void(Row&)>& on_row) {
  auto stmt = prepare(sql, params);
  if (!stmt) return tl::unexpected(stmt.error());
  // DELETE … RETURNING is a write that returns rows.
  const bool lone_write =
      !holds_writer_ && sqlite3_get_autocommit(db_) && !sqlite3_stmt_readonly(*stmt);
  if (lone_write) take_writer();
  // on_row may throw: the statement is reset and the lock released anyway.
  struct Done {
    Connection& c;
    sqlite3_stmt* stmt;
    bool release;
    ~Done() {
      sqlite3_reset(stmt);
      if (release) c.release_writer();
    }
  } done{*this, *stmt, lone_write};
  int rc;
  Row row(*stmt);
  while ((rc = sqlite3_step(*stmt)) == SQLITE_ROW) on_row(row);
  if (rc != SQLITE_DONE) {
    last_error_ = sqlite3_errmsg(db_);
    spdlog::warn("sqlite: {}", last_error_);
    return tl::unexpected(classify(rc));
  }
  return {};
}

void Connection::set_busy_timeout(std::chrono::milliseconds wait) {
  busy_wait_ = wait;
  sqlite3_busy_timeout(db_, static_cast<int>(wait.count()));
}

bool Connection::read_only() const { return sqlite3_db_readonly(db_, "main") == 1; }

void Connection::end_open_transaction() {
  if (db_ && !sqlite3_get_autocommit(db_)) (void)exec_script("ROLLBACK");
  release_writer();
}

Result<void> Connection::exec_script(std::string_view sql) {
  char* err = nullptr;
  std::string s(sql);
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    last_error_ = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    return tl::unexpected(classify(rc));
  }
  return {};
}

Pool::Pool(std::string path, int size) : path_(std::move(path)) {
  for (int i = 0; i < size; ++i) free_.push_back(open_connection());
}

std::unique_ptr<Connection> Pool::open_connection() {
  auto c = std::make_unique<Connection>(path_);
  c->report_writes_to(&write_failing_);
  c->share_writer_lock(&writer_);
  return c;
}

Pool::Lease::~Lease() {
  if (!c_) return;
  c_->end_open_transaction();
  std::lock_guard lock(pool_->mu_);
  pool_->free_.push_back(std::move(c_));
  pool_->cv_.notify_one();
}

Pool::Lease Pool::acquire() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return !free_.empty() || missing_ > 0; });
  if (!free_.empty() && free_.back()->read_only()) reopen_read_only();
  if (free_.empty()) {
    // A reopen failed earlier: try again now rather than wait for nothing.
    auto c = open_connection();
    --missing_;
    return Lease(this, std::move(c));
  }
  auto c = std::move(free_.back());
  free_.pop_back();
  return Lease(this, std::move(c));
}

// A file that was read-only when its connections opened may be writable now
// (its owner or mode fixed): reopen them, at most once a second, so that
// needs no restart. SQLite shares one -shm mapping among a process's
// connections to a file, and a read-only one keeps every new one read-only,
// so all free read-only connections close before any reopens.
void Pool::reopen_read_only() {
  const auto now = std::chrono::steady_clock::now();
  if (now < next_reopen_) return;
  next_reopen_ = now + std::chrono::seconds(1);
  const auto before = free_.size();
  std::erase_if(free_, [](const std::unique_ptr<Connection>& c) { return c->read_only(); });
  missing_ += before - free_.size();
  try {
    for (; missing_ > 0; --missing_) free_.push_back(open_connection());
  } catch (const std::exception& e) {
    spdlog::error("sqlite: cannot reopen a connection: {}", e.what());
  }
}

}  // namespace gatehouse::store::sqlite
