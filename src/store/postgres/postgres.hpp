#pragma once
// A small RAII layer over libpq: a bounded pool of connections, statements
// prepared once per connection (PQprepare, cached by SQL text), values always
// sent as parameters, never spliced into SQL.
//   Pool pool(conninfo, {.size = 8});
//   auto c = pool.acquire();                       // Result<Lease>
//   if (!c) return tl::unexpected(c.error());      // unavailable: down or exhausted
//   sql::query_one(**c, kFindTeam, {id}, read_team<Row>);
// A connection that the server dropped (restart, pg_terminate_backend) is
// noticed at checkout or at its first failed statement and replaced, so the
// pool recovers by itself once the server is back.
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

struct pg_conn;
struct pg_result;

namespace gatehouse::store::postgres {

using Value = sql::Value;

// One row of a result, read as text (libpq's text format).
class Row {
 public:
  Row(const pg_result* r, int row) : r_(r), row_(row) {}
  [[nodiscard]] std::string text(int col) const;
  [[nodiscard]] std::optional<std::string> opt_text(int col) const;
  [[nodiscard]] std::int64_t int64(int col) const;
  [[nodiscard]] std::optional<std::int64_t> opt_int64(int col) const;
  [[nodiscard]] double real(int col) const;

 private:
  const pg_result* r_;
  int row_;
};

class Connection {
 public:
  using Row = postgres::Row;
  // nullptr and a message (libpq's, which never contains the password) when
  // the server cannot be reached.
  static std::unique_ptr<Connection> connect(const std::string& conninfo, int connect_timeout_s,
                                             std::string& error);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs a statement; the number of rows it changed (or returned).
  Result<int> exec(std::string_view sql, const std::vector<Value>& params = {});
  // Runs a query and calls on_row for each row.
  Result<void> query(std::string_view sql, const std::vector<Value>& params,
                     const std::function<void(Row&)>& on_row);
  // Several statements without parameters (migrations), simple query protocol.
  Result<void> exec_script(std::string_view sql);

  // True once the server side is gone: the pool closes it instead of reusing it.
  [[nodiscard]] bool broken() const;
  // Reads what the server sent while the connection sat idle, without
  // blocking: a restart or pg_terminate_backend shows up here as broken().
  [[nodiscard]] bool still_alive();
  // Not inside a transaction block (a failed ROLLBACK leaves one open).
  [[nodiscard]] bool idle_in_no_transaction() const;
  [[nodiscard]] std::string last_error() const { return last_error_; }

  // A transaction (sql::transaction), in the simple query protocol.
  Result<void> begin() { return exec_script("BEGIN"); }
  Result<void> commit() { return exec_script("COMMIT"); }
  void rollback() { (void)exec_script("ROLLBACK"); }

 private:
  explicit Connection(pg_conn* c) : c_(c) {}
  using ResultPtr = std::unique_ptr<pg_result, void (*)(pg_result*)>;
  Result<ResultPtr> run(std::string_view sql, const std::vector<Value>& params);
  StoreError fail(const pg_result* r);
  static void on_notice(void* self, const pg_result* r);

  pg_conn* c_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
  std::string last_error_;
  bool broken_ = false;
};

struct PoolOptions {
  int size = 8;  // most connections open at once
  // How long a caller waits for a free connection before unavailable.
  std::chrono::milliseconds acquire_timeout{5000};
  // libpq connect_timeout default when the URL names none: bounds how long a
  // call waits for a server that does not answer at all.
  int connect_timeout_s = 3;
};

class Pool {
 public:
  Pool(std::string conninfo, PoolOptions options);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<Connection> c) : pool_(pool), c_(std::move(c)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    Connection* operator->() { return c_.get(); }
    Connection& operator*() { return *c_; }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> c_;
  };

  // A live connection: an idle one, or a new one while fewer than `size` are
  // open; unavailable when the server cannot be reached or none frees up
  // within acquire_timeout.
  [[nodiscard]] Result<Lease> acquire();

  // Runs fn(Connection&) on a pooled connection; unavailable when none can be had.
  template <typename F>
  auto with(F&& fn) -> decltype(fn(std::declval<Connection&>())) {
    auto c = acquire();
    if (!c) return tl::unexpected(c.error());
    return fn(**c);
  }

 private:
  void release(std::unique_ptr<Connection> c);
  void note_reachable(bool reachable, const std::string& error);

  std::string conninfo_;
  PoolOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
  int open_ = 0;                       // idle + leased + being connected
  std::atomic<bool> reachable_{true};  // logs the transitions, not every failed connect
};

// PostgreSQL as the shared stores (store/sql/) see it.
struct Driver {
  using Pool = postgres::Pool;
  using Connection = postgres::Connection;
  using Row = postgres::Row;
  // Transactions begin with BEGIN (READ COMMITTED): a transaction that reads
  // and then writes must lock what it read (SELECT … FOR UPDATE).
  static constexpr bool kTransactionsSerialize = false;
  // Takes the transaction-scoped advisory lock every instance's migrations
  // queue on (postgres_database.cpp).
  static Result<void> lock_migrations(Connection& c);
};

}  // namespace gatehouse::store::postgres
