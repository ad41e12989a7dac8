#include "app/app.hpp"

int main(int argc, char** argv) { return gatehouse::app::main(argc, argv); }
