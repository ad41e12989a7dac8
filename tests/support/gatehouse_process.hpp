#pragma once
// The built `gatehouse serve` as a child process, for tests that need the real
// binary: crash (kill -9) and restart, resource limits, all of its log output.
// Listens on 127.0.0.1:0; the constructor returns once the process has logged
// `listening on HOST:PORT`. Every GATEHOUSE_* variable of the test process is
// dropped, so only `env` configures the child. Standard error is collected
// through a pipe (a pipe, not a file, so RLIMIT_FSIZE never touches it).
//   GatehouseProcess gh({{"GATEHOUSE_DATABASE_URL", "sqlite://" + dir.file("g.db")}, ...});
//   probe(gh.port(), {.target = "/healthz"});
//   gh.kill9();                                  // no chance to flush or clean up
//   std::string everything = gh.log();
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace gatehouse::testing {

struct ProcessOptions {
  // SIGXFSZ ignored, so that writes beyond RLIMIT_FSIZE fail with EFBIG
  // (a full disk, as SQLite sees it) instead of killing the process.
  bool ignore_sigxfsz = false;
  // Run as this user and group id (through setpriv; the test must be root):
  // file permissions bind only a process that is not root.
  std::optional<unsigned> run_as;
};

class GatehouseProcess {
 public:
  // Throws std::runtime_error (with the log so far) when it does not start within 20 s.
  explicit GatehouseProcess(std::map<std::string, std::string> env, ProcessOptions options = {});
  ~GatehouseProcess();  // SIGTERM and wait, unless already gone
  GatehouseProcess(const GatehouseProcess&) = delete;
  GatehouseProcess& operator=(const GatehouseProcess&) = delete;

  [[nodiscard]] std::uint16_t port() const;
  [[nodiscard]] pid_t pid() const;
  // SIGKILL, then reaps the process.
  void kill9();
  // SIGTERM, waits; the exit code (-1 when it did not exit normally).
  int stop();
  // Everything written to standard error so far.
  [[nodiscard]] std::string log() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gatehouse::testing
