#pragma once
// The command line and the wiring: the only place where gatehouse's objects
// are built and joined.
//   int main(int argc, char** argv) { return gatehouse::app::main(argc, argv); }
namespace gatehouse::app {

int main(int argc, char** argv);

}  // namespace gatehouse::app
