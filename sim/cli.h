/* Command-line front end: one binary, git-style subcommands (DESIGN.md). Each
 * subcommand returns an exit code: 0 ok, 1 runtime failure, 2 bad input. */
#ifndef RUMBO_CLI_H
#define RUMBO_CLI_H

#include "sim/diag.h"
#include "sim/scenario.h"

int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_report(int argc, char **argv);

/* Prints "rumbo: error: MESSAGE" to stderr and returns the diag's exit code. */
int cli_report(const diag *d);

/* Parses a whole non-negative number for option `name`; bad input sets `d`. */
int cli_parse_count(const char *name, const char *text, int64_t lo, int64_t hi, int64_t *out,
                    diag *d);

/* Total agents the scenario brings in (sum over modules and timeline epochs). */
double cli_expected_entries(const scenario *sc);

#endif
