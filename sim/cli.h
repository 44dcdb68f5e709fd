/* Command-line front end: one binary, git-style subcommands (DESIGN.md). Each
 * subcommand returns an exit code: 0 ok, 1 runtime failure, 2 bad input. */
#ifndef RUMBO_CLI_H
#define RUMBO_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/diag.h"
#include "sim/scenario.h"

int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_bench(int argc, char **argv);

/* Prints "rumbo: error: MESSAGE" to stderr and returns the diag's exit code. */
int cli_report(const diag *d);

/* Parses a whole non-negative number for option `name`; bad input sets `d`. */
int cli_parse_count(const char *name, const char *text, int64_t lo, int64_t hi, int64_t *out,
                    diag *d);

/* The options of the commands that load one scenario (run, check), for their struct
 * option tables: --set, --seed, --days, --threads. */
/* clang-format off */
#define CLI_SCENARIO_OPTIONS                   \
    {"set", required_argument, 0, 's'},        \
    {"seed", required_argument, 0, 'S'},       \
    {"days", required_argument, 0, 'D'},       \
    {"threads", required_argument, 0, 'T'}
/* clang-format on */

/* Parses getopt's option `c` (value `arg`) if it is one of CLI_SCENARIO_OPTIONS into
 * `ov` or *threads and returns true (bad values set `d`); false for any other.
 * ov->sets must have room for every argument of the command line. */
bool cli_scenario_option(int c, const char *arg, scenario_overrides *ov, int64_t *threads, diag *d);

/* Fills `d` for getopt's complaint `c` ('?' unknown option, ':' missing value)
 * about the word before argv[optind]. Call getopt_long with opterr = 0 and an
 * optstring that starts with ':'. */
void cli_bad_option(const char *cmd, char **argv, int c, diag *d);

/* Parses --max-memory SIZE into *out and says so in `why`; bad input sets `d`. */
int cli_parse_memory(const char *text, uint64_t *out, char *why, size_t why_len, diag *d);

/* The output file named after an input file: "dir/baseline.yaml" -> "baseline.h5"
 * (in the current directory; .yaml or .yml dropped). Free it. */
char *cli_default_output(const char *input_path);

/* Total agents the scenario brings in (sum over modules and timeline epochs). */
double cli_expected_entries(const scenario *sc);

#endif
