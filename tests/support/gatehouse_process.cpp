#include "support/gatehouse_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <regex>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <vector>

extern char** environ;

namespace gatehouse::testing {

struct GatehouseProcess::Impl {
  pid_t pid = -1;
  bool reaped = false;
  int exit_code = -1;
  int err_fd = -1;
  std::uint16_t port = 0;
  mutable std::mutex mu;
  std::condition_variable cv;
  std::string log;
  bool eof = false;
  std::thread reader;

  void read_all() {
    char buf[8192];
    for (;;) {
      ssize_t n = ::read(err_fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      std::lock_guard lock(mu);
      if (n <= 0) {
        eof = true;
        cv.notify_all();
        return;
      }
      log.append(buf, static_cast<std::size_t>(n));
      cv.notify_all();
    }
  }

  void reap() {
    if (reaped || pid <= 0) return;
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    reaped = true;
    exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (reader.joinable()) reader.join();
  }
};

GatehouseProcess::GatehouseProcess(std::map<std::string, std::string> env, ProcessOptions options)
    : impl_(std::make_unique<Impl>()) {
  env.try_emplace("GATEHOUSE_LISTEN", "127.0.0.1:0");
  std::vector<std::string> env_s;
  for (char** e = environ; *e; ++e)
    if (std::string_view(*e).rfind("GATEHOUSE_", 0) != 0) env_s.emplace_back(*e);
  for (const auto& [k, v] : env) env_s.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> args;
  if (options.run_as) {
    const std::string id = std::to_string(*options.run_as);
    args = {"setpriv", "--reuid=" + id, "--regid=" + id, "--clear-groups"};
  }
  args.push_back(GATEHOUSE_BINARY);
  args.push_back("serve");
  const std::string bin = args.front();
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int err[2];
  if (::pipe2(err, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  // An ignored signal stays ignored across exec: that is how the child gets it.
  struct sigaction ignore {
  }, old{};
  ignore.sa_handler = SIG_IGN;
  if (options.ignore_sigxfsz) ::sigaction(SIGXFSZ, &ignore, &old);
  int rc = ::posix_spawnp(&impl_->pid, argv[0], &fa, nullptr, argv.data(), envp.data());
  if (options.ignore_sigxfsz) ::sigaction(SIGXFSZ, &old, nullptr);
  posix_spawn_file_actions_destroy(&fa);
  ::close(err[1]);
  if (rc != 0) {
    ::close(err[0]);
    throw std::runtime_error("cannot run " + bin);
  }
  impl_->err_fd = err[0];
  impl_->reader = std::thread([i = impl_.get()] { i->read_all(); });

  static const std::regex listening("listening on [^ \"]*:([0-9]+)");
  std::unique_lock lock(impl_->mu);
  bool up = impl_->cv.wait_for(lock, std::chrono::seconds(20), [&] {
    std::smatch m;
    if (std::regex_search(impl_->log, m, listening)) {
      impl_->port = static_cast<std::uint16_t>(std::stoi(m[1].str()));
      return true;
    }
    return impl_->eof;
  });
  if (!up || impl_->port == 0) {
    std::string so_far = impl_->log;
    lock.unlock();
    ::kill(impl_->pid, SIGKILL);
    impl_->reap();
    ::close(impl_->err_fd);
    throw std::runtime_error("gatehouse serve did not start:\n" + so_far);
  }
}

GatehouseProcess::~GatehouseProcess() {
  if (!impl_->reaped) (void)stop();
  ::close(impl_->err_fd);
}

std::uint16_t GatehouseProcess::port() const { return impl_->port; }
pid_t GatehouseProcess::pid() const { return impl_->pid; }

void GatehouseProcess::kill9() {
  if (impl_->reaped) return;
  ::kill(impl_->pid, SIGKILL);
  impl_->reap();
}

int GatehouseProcess::stop() {
  if (!impl_->reaped) {
    ::kill(impl_->pid, SIGTERM);
    impl_->reap();
  }
  return impl_->exit_code;
}

std::string GatehouseProcess::log() const {
  std::lock_guard lock(impl_->mu);
  return impl_->log;
}

}  // namespace gatehouse::testing
