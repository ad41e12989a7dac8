#pragma once
// An OpenID provider on real sockets for a gatehouse process: discovery at the
// issuer, the token endpoint and the JWKS each on a server of its own, so a
// test can break exactly one of them the ways real providers break. It signs
// ID tokens with FakeProvider::signer() and remembers everything secret it
// handed out or received, for tests that search logs for them.
//   ScriptedProvider idp;
//   gatehouse team add --issuer idp.issuer() --client-id idp.client_id ...
//   std::string code = idp.grant(nonce, "user-1", "ada@acme.test");   // after /login_sso
//   idp.set_fault(Endpoint::token, Fault::hangs);
#include <memory>
#include <string>
#include <vector>

#include "support/test_http_server.hpp"

namespace gatehouse::testing {

enum class Endpoint { discovery, token, jwks };

enum class Fault {
  none,
  hangs,                 // accepts, then never reads or answers
  resets_connection,     // reads the request, then TCP RST
  answers_500,           // 500 with a JSON error body
  answers_html,          // 200 text/html: a login or maintenance page instead of JSON
  answers_50mb_body,     // 200 claiming 50 MB, zeros as fast as the peer reads
  answers_byte_by_byte,  // the right answer, one byte every 50 ms
};

[[nodiscard]] const char* to_string(Endpoint e);
[[nodiscard]] const char* to_string(Fault f);

class ScriptedProvider {
 public:
  explicit ScriptedProvider(std::string client_id = "client-faults",
                            std::string client_secret = "client-secret-Zq81vRmK3pT7wXy2");
  ~ScriptedProvider();
  ScriptedProvider(const ScriptedProvider&) = delete;
  ScriptedProvider& operator=(const ScriptedProvider&) = delete;

  [[nodiscard]] std::string issuer() const;
  [[nodiscard]] const std::string& client_id() const;
  [[nodiscard]] const std::string& client_secret() const;

  // The code the browser brings back; the token endpoint redeems it once for
  // an ID token with this nonce, sub and email.
  [[nodiscard]] std::string grant(const std::string& nonce, const std::string& sub,
                                  const std::string& email);

  void set_fault(Endpoint endpoint, Fault fault);

  // Secrets this provider issued or was sent.
  struct Secrets {
    std::vector<std::string> codes, id_tokens, access_tokens, code_verifiers, client_authorizations;
  };
  [[nodiscard]] Secrets secrets() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gatehouse::testing
