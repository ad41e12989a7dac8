#pragma once
// A small RAII layer over the SQLite C API: a pool of connections (WAL,
// busy timeout, foreign keys on), cached prepared statements, typed binding.
// SQL is written once with PostgreSQL's $1..$n placeholders; they are
// rewritten to SQLite's ?1..?n at prepare time so both backends share the
// same named statements.
//   SqlitePool pool(path, 4);
//   auto conn = pool.acquire();
//   auto rows = conn->query(kFindTeam, {id}, [](Row& r) { return r.text(0); });
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
#include <variant>
#include <vector>

#include "store/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace gatehouse::store::sqlite {

using Value = std::variant<std::nullptr_t, std::int64_t, std::string>;

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

class Connection {
 public:
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
};

// A statement's row count dropped: for callers that only care it ran.
[[nodiscard]] inline Result<void> ok_or(const Result<int>& r) {
  if (!r) return tl::unexpected(r.error());
  return {};
}

// The first row read by `read`, or nullopt when there is none.
template <typename Read>
[[nodiscard]] auto query_one(Connection& c, std::string_view sql, const std::vector<Value>& params,
                             Read read)
    -> Result<std::optional<decltype(read(std::declval<Row&>()))>> {
  std::optional<decltype(read(std::declval<Row&>()))> out;
  auto r = c.query(sql, params, [&](Row& row) {
    if (!out) out = read(row);
  });
  if (!r) return tl::unexpected(r.error());
  return out;
}

// Every row, read by `read`, in the query's order.
template <typename Read>
[[nodiscard]] auto query_all(Connection& c, std::string_view sql, const std::vector<Value>& params,
                             Read read)
    -> Result<std::vector<decltype(read(std::declval<Row&>()))>> {
  std::vector<decltype(read(std::declval<Row&>()))> out;
  auto r = c.query(sql, params, [&](Row& row) { out.push_back(read(row)); });
  if (!r) return tl::unexpected(r.error());
  return out;
}

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

  // True from a failed write (other than a constraint) until the next
  // committed one: what /readyz reports besides reachability.
  [[nodiscard]] bool write_failing() const { return write_failing_.load(); }

  // Runs fn inside BEGIN IMMEDIATE … COMMIT; rolls back when fn fails.
  template <typename T>
  Result<T> transaction(const std::function<Result<T>(Connection&)>& fn) {
    auto c = acquire();
    if (auto r = c->exec("BEGIN IMMEDIATE"); !r) return tl::unexpected(r.error());
    auto out = fn(*c);
    if (!out) {
      (void)c->exec("ROLLBACK");
      return out;
    }
    if (auto r = c->exec("COMMIT"); !r) {
      (void)c->exec("ROLLBACK");
      return tl::unexpected(r.error());
    }
    return out;
  }

 private:
  std::string path_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::unique_ptr<Connection> open_connection();
  void reopen_read_only();  // with mu_ held

  std::vector<std::unique_ptr<Connection>> free_;
  std::size_t missing_ = 0;  // connections closed and not reopened yet
  std::chrono::steady_clock::time_point next_reopen_{};
  std::atomic<bool> write_failing_{false};
};

}  // namespace gatehouse::store::sqlite
