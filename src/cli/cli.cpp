#include "cli/cli.hpp"

#include <CLI/CLI.hpp>

namespace gatehouse::cli {

int run(int argc, char** argv) {
  CLI::App app{"gatehouse: team accounts and single sign-on"};
  app.require_subcommand(1);
  CLI11_PARSE(app, argc, argv);
  return 0;
}

}  // namespace gatehouse::cli
