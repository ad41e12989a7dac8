// The only place where gatehouse's objects are built and joined.
#include "cli/cli.hpp"

int main(int argc, char** argv) { return gatehouse::cli::run(argc, argv); }
