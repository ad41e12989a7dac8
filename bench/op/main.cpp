// bench_op: the benchmark's OpenID Provider (see provider.hpp).
//   bench_op --listen 127.0.0.1:9000 --threads 1 [--alg ES256|RS256]
//            --client gatehouse,SECRET,http://127.0.0.1:8080/sso/callback
// Prints "listening on HOST:PORT" once it accepts connections; on SIGTERM it
// stops and prints what it issued and refused.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <sstream>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "http/server.hpp"
#include "op/provider.hpp"

namespace {

gatehouse::bench::OpClient parse_client(const std::string& spec) {
  // id,secret,redirect_uri[,redirect_uri...]
  gatehouse::bench::OpClient c;
  std::stringstream in(spec);
  std::string part;
  std::vector<std::string> parts;
  while (std::getline(in, part, ',')) parts.push_back(part);
  if (parts.size() < 3) throw CLI::ValidationError("--client", "want id,secret,redirect_uri[,...]");
  c.client_id = parts[0];
  c.client_secret = parts[1];
  c.redirect_uris.assign(parts.begin() + 2, parts.end());
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bench_op: a fast local OpenID Provider for bench/run"};
  std::string listen = "127.0.0.1:0";
  std::string issuer;
  std::vector<std::string> clients;
  int threads = 1;
  std::string alg = "ES256";
  app.add_option("--listen", listen,
                 "HOST:PORT (the port must be given: it is part of the issuer)");
  app.add_option("--issuer", issuer, "issuer URL; default http://HOST:PORT");
  app.add_option("--client", clients, "id,secret,redirect_uri[,redirect_uri...]")->required();
  app.add_option("--threads", threads, "I/O threads")->check(CLI::Range(1, 64));
  app.add_option("--alg", alg,
                 "ID token signature: ES256 (default; ~30x cheaper to sign, so the OP stays "
                 "out of the way) or RS256 (what Okta uses)")
      ->check(CLI::IsMember({"ES256", "RS256"}));
  CLI11_PARSE(app, argc, argv);

  try {
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos) throw std::invalid_argument("--listen wants HOST:PORT");
    gatehouse::http::ServerOptions options;
    options.host = listen.substr(0, colon);
    options.port = static_cast<std::uint16_t>(std::stoi(listen.substr(colon + 1)));
    if (options.port == 0) throw std::invalid_argument("--listen needs a fixed port");
    options.io_threads = threads;
    options.worker_threads = 1;  // every route runs on the I/O threads
    options.provider_threads = 1;
    if (issuer.empty()) issuer = "http://" + listen;

    gatehouse::bench::OpOptions op{issuer, {}};
    for (const auto& spec : clients) op.clients.push_back(parse_client(spec));
    gatehouse::bench::SigningKey key(
        alg == "RS256" ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{2048})
                       : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    gatehouse::bench::BenchProvider provider(std::move(op), std::move(key), [] {
      return std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    });
    gatehouse::http::Router router;
    provider.add_routes(router);
    spdlog::set_level(spdlog::level::warn);
    gatehouse::http::Server server(options, router);
    server.listen();
    std::printf("listening on %s:%u\n", options.host.c_str(), server.port());
    std::fflush(stdout);
    server.run();
    const auto& s = provider.stats();
    std::printf(
        "bench_op: codes issued %llu, ID tokens issued %llu, authorize refused %llu, "
        "token refused %llu\n",
        static_cast<unsigned long long>(s.codes_issued.load()),
        static_cast<unsigned long long>(s.tokens_issued.load()),
        static_cast<unsigned long long>(s.authorize_refused.load()),
        static_cast<unsigned long long>(s.token_refused.load()));
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
