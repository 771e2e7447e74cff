/*
 * main.c - the dalc command line: hands the arguments to the command table
 * (cli/command.h), which parses them and runs the command.  This is the
 * only place the generator exits from.
 */
#include "cli/command.h"

int main(int argc, char **argv) { return cli_main(argc, argv); }
