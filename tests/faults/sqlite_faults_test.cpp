// SQLite faults under the real gatehouse binary (issue #8, "2. Faults"): the
// database file locked by another process, and a disk that takes no more
// bytes. Requests that need a write get a clear 503 (JSON "unavailable" from
// the API, the sign-in failure page from the callback), /readyz says not
// ready, token checks already in memory and /healthz keep answering, the
// file passes PRAGMA integrity_check afterwards, and service comes back
// without a restart when the cause goes.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/gatehouse_process.hpp"
#include "support/process_signin.hpp"
#include "support/scripted_provider.hpp"
#include "support/temp_dir.hpp"

extern char** environ;

namespace gatehouse::testing {
namespace {

using namespace std::chrono_literals;

// The sqlite3 command-line shell on the same file, fed through a pipe: what
// an operator's `sqlite3 gatehouse.db` with an open transaction does.
class SqliteShell {
 public:
  explicit SqliteShell(const std::string& path) {
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0)
      throw std::runtime_error("pipe");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, out[1], 2);
    std::string bin = "sqlite3", batch = "-batch", p = path;
    char* argv[] = {bin.data(), batch.data(), p.data(), nullptr};
    if (::posix_spawnp(&pid_, "sqlite3", &fa, nullptr, argv, environ) != 0)
      throw std::runtime_error("no sqlite3");
    posix_spawn_file_actions_destroy(&fa);
    ::close(in[0]);
    ::close(out[1]);
    in_ = in[1];
    out_ = out[0];
  }
  ~SqliteShell() {
    ::close(in_);
    ::close(out_);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  // Runs SQL and returns everything printed up to the marker that follows it.
  std::string run(const std::string& sql) {
    const std::string marker = "--done-" + std::to_string(++n_) + "--";
    const std::string text = sql + "\nSELECT '" + marker + "';\n";
    if (::write(in_, text.data(), text.size()) != static_cast<ssize_t>(text.size()))
      return "write failed";
    std::string got;
    char buf[4096];
    while (got.find(marker) == std::string::npos) {
      ssize_t k = ::read(out_, buf, sizeof buf);
      if (k <= 0) break;
      got.append(buf, static_cast<std::size_t>(k));
    }
    return got.substr(0, got.find(marker));
  }

 private:
  pid_t pid_ = -1;
  int in_ = -1, out_ = -1;
  int n_ = 0;
};

std::string integrity_check(const std::string& path) {
  SqliteShell shell(path);
  return shell.run("PRAGMA integrity_check;");
}

class SqliteFault : public ::testing::Test {
 protected:
  TempDir dir;
  std::string db = dir.file("g.db");
  std::map<std::string, std::string> env{{"GATEHOUSE_DATABASE_URL", "sqlite://" + db},
                                         {"GATEHOUSE_SECRET_KEY_FILE", dir.file("g.key")},
                                         {"GATEHOUSE_RATE_LIMITS", "off"}};
  ScriptedProvider idp;

  void SetUp() override { register_team(env, "acme", idp, "ada@acme.test"); }

  static ProbeRequest new_token(const BrowserSession& s) {
    return {.method = "POST",
            .target = "/api/v1/tokens",
            .headers = {{"Cookie", "gh_session=" + s.cookie},
                        {"X-CSRF-Token", s.csrf},
                        {"Content-Type", "application/json"}},
            .body = R"({"name":"during-fault"})"};
  }

  // What every fault must look like from outside while it lasts.
  void expect_unavailable(GatehouseProcess& gh, const BrowserSession& ada,
                          const std::string& cached_token) {
    auto created = probe(gh.port(), new_token(ada));
    EXPECT_EQ(created.status, 503) << created.body;
    EXPECT_EQ(nlohmann::json::parse(created.body, nullptr, false).value("error", ""), "unavailable")
        << created.body;

    auto started = start_signin(gh.port(), "acme");
    if (started.response.status == 302) {
      auto done = finish_signin(gh.port(), started,
                                idp.grant(started.nonce, "eve", "eve@acme.test"), idp.issuer());
      EXPECT_EQ(done.status, 503) << done.body;
      EXPECT_NE(done.body.find("Sign-in failed"), std::string::npos) << done.body;
      EXPECT_EQ(done.set_cookie("gh_session"), "");
    } else {
      EXPECT_EQ(started.response.status, 503) << started.response.body;
    }

    auto ready = probe(gh.port(), {.target = "/readyz"});
    EXPECT_EQ(ready.status, 503) << ready.body;
    EXPECT_EQ(probe(gh.port(), {.target = "/healthz"}).status, 200);
    EXPECT_EQ(probe(gh.port(), authz(cached_token)).status, 204) << "a token check needs no write";
  }

  void expect_recovered(GatehouseProcess& gh, const BrowserSession& ada) {
    auto ready = probe(gh.port(), {.target = "/readyz"});
    EXPECT_EQ(ready.status, 200) << ready.body;
    ProbeClient api(gh.port());
    auto token = create_token(api, ada, "after-fault");
    ASSERT_TRUE(token) << gh.log();
    EXPECT_EQ(probe(gh.port(), authz(*token)).status, 204);
    EXPECT_TRUE(sign_in(gh.port(), idp, "acme", "max", "max@acme.test")) << gh.log();
  }
};

TEST_F(SqliteFault, DatabaseLockedByAnotherProcessAnswers503AndRecoversWhenTheLockGoes) {
  GatehouseProcess gh(env);
  auto ada = sign_in(gh.port(), idp, "acme", "ada", "ada@acme.test");
  ASSERT_TRUE(ada) << ada.error() << "\n" << gh.log();
  ProbeClient api(gh.port());
  auto token = create_token(api, *ada, "before");
  ASSERT_TRUE(token);
  ASSERT_EQ(probe(gh.port(), authz(*token)).status, 204);

  {
    SqliteShell holder(db);
    ASSERT_EQ(holder.run("BEGIN EXCLUSIVE;"), "");
    expect_unavailable(gh, *ada, *token);
    EXPECT_EQ(holder.run("COMMIT;"), "");
  }
  expect_recovered(gh, *ada);
  EXPECT_EQ(gh.stop(), 0);
  EXPECT_EQ(integrity_check(db), "ok\n");
}

TEST_F(SqliteFault, DiskFullAnswers503AndRecoversWhenSpaceReturns) {
  // No mount needed: with RLIMIT_FSIZE at 1 byte every write past the first
  // byte of any file fails (EFBIG, or a short write), which SQLite sees as a
  // full disk; pipes (the log) are not affected.
  GatehouseProcess gh(env, {.ignore_sigxfsz = true});
  auto ada = sign_in(gh.port(), idp, "acme", "ada", "ada@acme.test");
  ASSERT_TRUE(ada) << ada.error() << "\n" << gh.log();
  ProbeClient api(gh.port());
  auto token = create_token(api, *ada, "before");
  ASSERT_TRUE(token);
  ASSERT_EQ(probe(gh.port(), authz(*token)).status, 204);

  rlimit full{1, RLIM_INFINITY}, old{};
  ASSERT_EQ(::prlimit(gh.pid(), RLIMIT_FSIZE, &full, &old), 0);
  expect_unavailable(gh, *ada, *token);
  ASSERT_EQ(::prlimit(gh.pid(), RLIMIT_FSIZE, &old, nullptr), 0);

  expect_recovered(gh, *ada);
  EXPECT_EQ(gh.stop(), 0);
  EXPECT_EQ(integrity_check(db), "ok\n");
}

TEST_F(SqliteFault, ReadOnlyDatabaseFileAnswers503AndRecoversWhenMadeWritableWithoutRestart) {
  // SQLite keeps its files open, so permissions bind at open: gatehouse
  // (as an unprivileged user) starts on a file an operator restored read-only,
  // and the operator fixes the mode while it runs.
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to run gatehouse as another user";
  constexpr unsigned kNobody = 65534;
  for (const auto& p : {dir.path().string(), db, dir.file("g.key")})
    ASSERT_EQ(::chown(p.c_str(), kNobody, kNobody), 0) << p;
  BrowserSession ada;
  std::string token;
  {
    GatehouseProcess gh(env, {.run_as = kNobody});
    auto s = sign_in(gh.port(), idp, "acme", "ada", "ada@acme.test");
    ASSERT_TRUE(s) << s.error() << "\n" << gh.log();
    ada = *s;
    ProbeClient api(gh.port());
    auto t = create_token(api, ada, "before");
    ASSERT_TRUE(t);
    token = *t;
    ASSERT_EQ(gh.stop(), 0);
  }
  ASSERT_EQ(::chmod(db.c_str(), 0444), 0);
  GatehouseProcess gh(env, {.run_as = kNobody});
  expect_unavailable(gh, ada, token);
  // SQLite gave the -wal and -shm files the database file's mode: all three.
  for (const auto& f : {db, db + "-wal", db + "-shm"})
    if (std::filesystem::exists(f)) {
      ASSERT_EQ(::chmod(f.c_str(), 0644), 0) << f;
    }
  std::this_thread::sleep_for(1100ms);  // connections reopen at most once a second
  expect_recovered(gh, ada);
  EXPECT_EQ(gh.stop(), 0);
  EXPECT_EQ(integrity_check(db), "ok\n");
}

}  // namespace
}  // namespace gatehouse::testing
