// Crash durability (issue #8, "2. Faults"): gatehouse is killed with SIGKILL
// while it creates API tokens and signs people in on SQLite; after a restart
// on the same database, every token and every session whose creation got a
// success answer before the kill must still work. Every one is checked, none
// sampled: an answer the client saw is a promise the service made.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "support/gatehouse_process.hpp"
#include "support/process_signin.hpp"
#include "support/scripted_provider.hpp"
#include "support/temp_dir.hpp"

namespace gatehouse::testing {
namespace {

using namespace std::chrono_literals;

TEST(CrashDurability, KillNineUnderLoadLosesNoAnsweredTokenOrSession) {
  TempDir dir;
  const std::map<std::string, std::string> env{
      {"GATEHOUSE_DATABASE_URL", "sqlite://" + dir.file("g.db")},
      {"GATEHOUSE_SECRET_KEY_FILE", dir.file("g.key")},
      {"GATEHOUSE_RATE_LIMITS", "off"}};
  ScriptedProvider idp;
  register_team(env, "acme", idp, "ada@acme.test");

  std::mutex mu;
  std::vector<std::string> tokens;       // answered 201 before the kill
  std::vector<BrowserSession> sessions;  // answered 303 with a cookie before the kill
  std::atomic<bool> stop{false};
  {
    GatehouseProcess gh(env);
    auto ada = sign_in(gh.port(), idp, "acme", "ada", "ada@acme.test");
    ASSERT_TRUE(ada) << ada.error() << "\n" << gh.log();
    sessions.push_back(*ada);

    std::vector<std::thread> clients;
    for (int t = 0; t < 3; ++t)
      clients.emplace_back([&, t] {
        ProbeClient api(gh.port());
        for (int n = 0; !stop; ++n)
          if (auto tok =
                  create_token(api, *ada, "load-" + std::to_string(t) + "-" + std::to_string(n))) {
            std::lock_guard lock(mu);
            tokens.push_back(*tok);
          }
      });
    clients.emplace_back([&] {
      for (int n = 0; !stop; ++n)
        if (auto s = sign_in(gh.port(), idp, "acme", "person-" + std::to_string(n),
                             "person-" + std::to_string(n) + "@acme.test")) {
          std::lock_guard lock(mu);
          sessions.push_back(*s);
        }
    });
    // Long enough for hundreds of writes and several WAL commits in flight.
    std::this_thread::sleep_for(1500ms);
    gh.kill9();
    stop = true;
    for (auto& c : clients) c.join();
  }
  ASSERT_GT(tokens.size(), 20u) << "the load did not create enough tokens to mean anything";
  ASSERT_GT(sessions.size(), 3u) << "the load did not sign enough people in";

  GatehouseProcess again(env);
  ProbeClient client(again.port());
  std::size_t lost_tokens = 0, lost_sessions = 0;
  for (const auto& t : tokens)
    if (client.send(authz(t)).status != 204) ++lost_tokens;
  for (const auto& s : sessions)
    if (client.send(me(s)).status != 200) ++lost_sessions;
  std::printf("[ measure  ] answered before kill -9: %zu tokens, %zu sessions; lost: %zu, %zu\n",
              tokens.size(), sessions.size(), lost_tokens, lost_sessions);
  EXPECT_EQ(lost_tokens, 0u) << "of " << tokens.size();
  EXPECT_EQ(lost_sessions, 0u) << "of " << sessions.size();
}

}  // namespace
}  // namespace gatehouse::testing
