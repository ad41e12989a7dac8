#pragma once
// A small RAII layer over the SQLite C API: a pool of connections (WAL,
// busy timeout, foreign keys on), cached prepared statements, typed binding.
// SQL is written once in PostgreSQL's dialect, as far as SQLite speaks it:
// $1..$n placeholders and the byte-order collation COLLATE "C" are rewritten
// (to ?1..?n and COLLATE BINARY) at prepare time, so both backends share the
// same named statements (store/sql/).
//   Pool pool(path, 4);
//   auto conn = pool.acquire();
//   auto id = sql::query_one(*conn, kFindTeam, {id}, [](Row& r) { return r.text(0); });
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/result.hpp"
#include "store/sql/query.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace gatehouse::store::sqlite {

using Value = sql::Value;

class Row {
 public:
  explicit Row(sqlite3_stmt* s) : s_(s) {}
  [[nodiscard]] std::string text(int col) const;
  [[nodiscard]] std::optional<std::string> opt_text(int col) const;
  [[nodiscard]] std::int64_t int64(int col) const;
  [[nodiscard]] std::optional<std::int64_t> opt_int64(int col) const;
  [[nodiscard]] double real(int col) const;

 private:
  sqlite3_stmt* s_;
};

// How long a statement waits for another writer (another process, or a
// checkpoint) before it fails as unavailable.
inline constexpr std::chrono::milliseconds kBusyTimeout{5000};

// The WAL's size, in pages, at which the committing connection checkpoints it
// (SQLite's own default), and how long that checkpoint waits for readers of
// older snapshots before it gives up until the next commit.
inline constexpr int kWalCheckpointPages = 1000;
inline constexpr std::chrono::milliseconds kCheckpointWait{200};

// The process's one SQLite writer at a time (see Connection::share_writer_lock).
// A flag under a mutex rather than a std::timed_mutex: it is held across
// statements, and ThreadSanitizer (GCC 12) does not see timed locks
// (pthread_mutex_clocklock) and reports their unlocks as unlocks of an
// unlocked mutex.
class WriterGate {
 public:
  // False when the gate stayed closed for `wait`.
  bool enter(std::chrono::milliseconds wait) {
    std::unique_lock lock(mu_);
    if (!free_.wait_for(lock, wait, [this] { return !taken_; })) return false;
    taken_ = true;
    return true;
  }
  void leave() {
    {
      std::lock_guard lock(mu_);
      taken_ = false;
    }
    free_.notify_one();
  }

 private:
  std::mutex mu_;
  std::condition_variable free_;
  bool taken_ = false;
};

class Connection;
// sqlite3_wal_hook callback; see Connection's constructor.
int checkpoint_when_full(void* connection, sqlite3* db, const char* name, int pages);

class Connection {
 public:
  using Row = sqlite::Row;
  explicit Connection(const std::string& path);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs a statement that returns no rows; the number of rows changed.
  Result<int> exec(std::string_view sql, const std::vector<Value>& params = {});
  // Runs a query and calls on_row for each row.
  Result<void> query(std::string_view sql, const std::vector<Value>& params,
                     const std::function<void(Row&)>& on_row);
  // Several statements without parameters (migrations).
  Result<void> exec_script(std::string_view sql);

  [[nodiscard]] std::string last_error() const;

  // A transaction (sql::transaction): BEGIN IMMEDIATE takes the write lock
  // before the first read, so read-then-write transactions run one after
  // another; COMMIT runs as a statement so it clears write_failing.
  Result<void> begin();
  Result<void> commit();
  void rollback();
  // The process's writers queue here rather than in SQLite's busy handler,
  // which sleeps 1, 2, 5, 10… ms between tries: under concurrent sign-ins
  // those sleeps, not the CPU, bounded the rate. Held from begin() to the end
  // of the transaction, or around a lone write. Other processes (the CLI)
  // still meet SQLite's lock and busy timeout.
  void share_writer_lock(WriterGate* writer) { writer_ = writer; }

  // Where this connection reports the outcome of writes: set when one fails
  // for a reason other than a constraint (locked, read-only, disk full, I/O),
  // cleared when one commits. nullptr: not reported.
  void report_writes_to(std::atomic<bool>* write_failing) { write_failing_ = write_failing; }
  // Rolls back a transaction a failed COMMIT or ROLLBACK left open, so the
  // next user of a pooled connection does not run inside it.
  void end_open_transaction();
  void set_busy_timeout(std::chrono::milliseconds wait);
  // SQLite opened the file read-only (it could not be written at open time)
  // and will stay so: only a new connection sees a file made writable again.
  [[nodiscard]] bool read_only() const;

 private:
  Result<sqlite3_stmt*> prepare(std::string_view sql, const std::vector<Value>& params);
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
  std::string last_error_;
  std::atomic<bool>* write_failing_ = nullptr;
  std::chrono::milliseconds busy_wait_{kBusyTimeout};
  void take_writer();
  void release_writer();
  WriterGate* writer_ = nullptr;
  bool holds_writer_ = false;
  int checkpoint_at_ = kWalCheckpointPages;  // see checkpoint_when_full
  friend int checkpoint_when_full(void*, sqlite3*, const char*, int);
};

class Pool {
 public:
  Pool(std::string path, int size);
  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<Connection> c) : pool_(pool), c_(std::move(c)) {}
    Lease(Lease&&) = default;
    ~Lease();
    Connection* operator->() { return c_.get(); }
    Connection& operator*() { return *c_; }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> c_;
  };
  // Blocks until a connection is free.
  Lease acquire();

  // Runs fn(Connection&) on a pooled connection.
  template <typename F>
  auto with(F&& fn) -> decltype(fn(std::declval<Connection&>())) {
    auto c = acquire();
    return fn(*c);
  }

  // True from a failed write (other than a constraint) until the next
  // committed one: what /readyz reports besides reachability.
  [[nodiscard]] bool write_failing() const { return write_failing_.load(); }

 private:
  std::string path_;
  WriterGate writer_;  // see Connection::share_writer_lock
  std::mutex mu_;
  std::condition_variable cv_;
  std::unique_ptr<Connection> open_connection();
  void reopen_read_only();  // with mu_ held

  std::vector<std::unique_ptr<Connection>> free_;
  std::size_t missing_ = 0;  // connections closed and not reopened yet
  std::chrono::steady_clock::time_point next_reopen_{};
  std::atomic<bool> write_failing_{false};
};

// SQLite as the shared stores (store/sql/) see it.
struct Driver {
  using Pool = sqlite::Pool;
  using Connection = sqlite::Connection;
  using Row = sqlite::Row;
  // Transactions begin with BEGIN IMMEDIATE, which takes the database's one
  // write lock before the first read: read-then-write transactions run one
  // after another without locking rows.
  static constexpr bool kTransactionsSerialize = true;
  // Nothing more to lock: the migration's transaction holds the write lock,
  // so processes starting at once apply each migration exactly once.
  static Result<void> lock_migrations(Connection&) { return {}; }
};

}  // namespace gatehouse::store::sqlite
