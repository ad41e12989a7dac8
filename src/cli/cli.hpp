#pragma once
// The `gatehouse` command line (SPEC.md §2): serve, migrate, team, audit.
//   return gatehouse::cli::run(argc, argv);   // process exit code
namespace gatehouse::cli {

int run(int argc, char** argv);

}  // namespace gatehouse::cli
