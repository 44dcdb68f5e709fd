/* rumbo: agent-based migration flow simulator. Entry point and subcommand dispatch. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/models.h"
#include "sim/cli.h"
#include "sim/memory.h"
#include "sim/self.h"
#include "sim/threads.h"
#include "sim/version.h"

static const char usage[] =
    "usage: rumbo <command> [options]\n"
    "\n"
    "Agent-based simulation of migration across Mexico's southern border.\n"
    "\n"
    "commands:\n"
    "  run SCENARIO     simulate a scenario and write time series to HDF5\n"
    "  check SCENARIO   validate a scenario and its network, estimate memory; no simulation\n"
    "  compare A.h5 B.h5  headline indicators of two runs or ensembles, with B - A\n"
    "  report FILE... -o DIR  plots and an index.html for one or more runs\n"
    "  bench [SCENARIO]  speed and memory at 1e4..1e6 live agents, 1 and 2 threads\n"
    "  sweep SWEEP.yaml parameter sweep (grid, Latin hypercube, Sobol/Saltelli) into one\n"
    "                   file; Sobol indices; MPI-parallel under mpirun in RUMBO_MPI builds\n"
    "\n"
    "options:\n"
    "  --version        print the version and the git commit\n"
    "  -h, --help       this help; `rumbo COMMAND --help` for a command\n"
    "\n"
    "exit codes: 0 ok, 1 runtime failure, 2 bad input, 3 stopped on SIGTERM/SIGINT with the\n"
    "state saved (continue with `run --restart` or by rerunning the sweep)\n";

int cli_report(const diag *d)
{
    fprintf(stderr, "rumbo: error: %s\n", d->msg);
    return d->exit_code ? d->exit_code : EXIT_RUNTIME;
}

int cli_parse_count(const char *name, const char *text, int64_t lo, int64_t hi, int64_t *out,
                    diag *d)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (end == text || *end || errno == ERANGE || v < lo || v > hi) {
        diag_input(d, "command line", 0, name, "expected a whole number in [%lld, %lld], got '%s'",
                   (long long)lo, (long long)hi, text);
        return -1;
    }
    *out = v;
    return 0;
}

bool cli_scenario_option(int c, const char *arg, scenario_overrides *ov, int64_t *threads, diag *d)
{
    switch (c) {
    case 's':
        ov->sets[ov->n_sets++] = arg; /* sets has room for every argument */
        return true;
    case 'S':
        cli_parse_count("--seed", arg, 0, INT64_MAX, &ov->seed, d);
        return true;
    case 'D':
        cli_parse_count("--days", arg, 1, 36525, &ov->days, d);
        return true;
    case 'T':
        cli_parse_count("--threads", arg, 1, 1024, threads, d);
        return true;
    default:
        return false;
    }
}

char *cli_default_output(const char *input_path)
{
    const char *base = strrchr(input_path, '/');
    base = base ? base + 1 : input_path;
    size_t n = strlen(base);
    if (n > 5 && strcmp(base + n - 5, ".yaml") == 0)
        n -= 5;
    else if (n > 4 && strcmp(base + n - 4, ".yml") == 0)
        n -= 4;
    char *out = malloc(n + 4);
    if (!out) abort();
    memcpy(out, base, n);
    strcpy(out + n, ".h5");
    return out;
}

void cli_bad_option(const char *cmd, char **argv, int c, diag *d)
{
    /* getopt has advanced past the offending word; optopt names a short option. */
    const char *word = optind > 0 ? argv[optind - 1] : "?";
    char shortopt[3] = {'-', (char)optopt, '\0'};
    const char *what = optopt && !(word[0] == '-' && word[1] == '-') ? shortopt : word;
    diag_input(d, "command line", 0, what, "%s (see rumbo %s --help)",
               c == ':' ? "needs a value" : "unknown option", cmd);
}

int cli_parse_memory(const char *text, uint64_t *out, char *why, size_t why_len, diag *d)
{
    if (memory_parse_size(text, out)) {
        diag_input(d, "command line", 0, "--max-memory",
                   "expected a size such as 512M or 4G, got '%s'", text);
        return -1;
    }
    snprintf(why, why_len, "--max-memory %s", text);
    return 0;
}

double cli_expected_entries(const scenario *sc)
{
    double total = 0;
    for (int e = 0; e < sc->n_epochs; e++) {
        int from = sc->epoch_day[e];
        int to = e + 1 < sc->n_epochs ? sc->epoch_day[e + 1] : sc->days;
        if (to > sc->days) to = sc->days;
        if (to <= from) continue;
        for (int m = 0; m < model_count; m++)
            if (model_table[m]->expected_entries)
                total += model_table[m]->expected_entries(scenario_params(sc, e, m),
                                                          sc->start + from, to - from);
    }
    return total;
}

int main(int argc, char **argv)
{
    self_init(argv[0]);
    threads_passive_by_default(argv);
    memory_map_large_blocks();
    if (argc < 2) {
        fputs(usage, stderr);
        return EXIT_BAD_INPUT;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("rumbo %s (commit %s)\n", RUMBO_VERSION, RUMBO_COMMIT);
        return EXIT_OK;
    }
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "run") == 0) return cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "check") == 0) return cmd_check(argc - 1, argv + 1);
    if (strcmp(cmd, "compare") == 0) return cmd_compare(argc - 1, argv + 1);
    if (strcmp(cmd, "report") == 0) return cmd_report(argc - 1, argv + 1);
    if (strcmp(cmd, "bench") == 0) return cmd_bench(argc - 1, argv + 1);
    if (strcmp(cmd, "sweep") == 0) return cmd_sweep(argc - 1, argv + 1);
    fprintf(stderr, "rumbo: error: unknown command '%s'\n\n%s", cmd, usage);
    return EXIT_BAD_INPUT;
}
