#pragma once
// `gatehouse serve`: builds the service from the config and runs it until
// SIGTERM/SIGINT. Returns the process exit code.
#include "config/config.hpp"

namespace gatehouse::app {

int run_server(const config::Config& cfg);

}  // namespace gatehouse::app
