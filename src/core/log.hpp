#pragma once
// Process-wide logging setup (spdlog to stderr). In JSON mode every line is
// one object: {"ts":"…","level":"info","msg":"…"}.
//   setup_logging(/*json=*/false);
//   spdlog::info("listening on {}:{}", host, port);
// Never log secrets, authorization codes, tokens or session ids.
namespace gatehouse {

void setup_logging(bool json);

}  // namespace gatehouse
