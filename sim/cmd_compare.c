/* `rumbo compare`: headline indicators of two scenarios' ensembles side by side. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/compare.h"
#include "analysis/h5read.h"
#include "sim/cli.h"

static const char compare_usage[] =
    "usage: rumbo compare A.h5 B.h5 [FILE...] [options]\n"
    "\n"
    "Compares the outputs of `rumbo run` (ensembles: --members N): for each headline\n"
    "indicator, per calendar year and over the whole run, the ensemble mean of each file\n"
    "with its 95% interval, and the difference of each file from the first (B - A) with a\n"
    "Welch 95% interval; * marks differences whose interval excludes 0. Indicators whose\n"
    "source a file lacks (a module that was off) are shown as n/a. One file: its summary.\n"
    "\n"
    "options:\n"
    "      --csv FILE   also write the same numbers as CSV (one line per indicator,\n"
    "                   category and period)\n"
    "  -q, --quiet      no table on stdout (with --csv)\n"
    "  -h, --help       this help\n"
    "\n"
    "exit codes: 0 ok, 1 runtime failure, 2 bad input\n";

static int write_csv(const char *path, const ind_table *t, diag *d)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        diag_input(d, path, 0, "--csv", "cannot write: %s", strerror(errno));
        return -1;
    }
    int rc = compare_write_csv(f, t);
    if (fclose(f) != 0) rc = -1;
    if (rc) diag_fail(d, EXIT_RUNTIME, "%s: writing the CSV failed", path);
    return rc;
}

int cmd_compare(int argc, char **argv)
{
    static const struct option opts[] = {{"csv", required_argument, 0, 'c'},
                                         {"quiet", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *csv = NULL;
    bool quiet = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            csv = optarg;
            break;
        case 'q':
            quiet = true;
            break;
        case 'h':
            fputs(compare_usage, stdout);
            return EXIT_OK;
        default:
            fputs(compare_usage, stderr);
            return EXIT_BAD_INPUT;
        }
    }
    diag d = {0};
    int n = argc - optind;
    if (n < 1 || n > IND_MAX_RUNS) {
        diag_fail(&d, EXIT_BAD_INPUT,
                  "compare needs 1 to %d output files (see rumbo compare --help)", IND_MAX_RUNS);
        return cli_report(&d);
    }
    h5run runs[IND_MAX_RUNS];
    int opened = 0, rc = EXIT_OK;
    for (; opened < n; opened++)
        if (h5run_open(&runs[opened], argv[optind + opened], &d)) break;
    ind_table t;
    if (opened == n && indicators_compute(&t, runs, n, &d) == 0) {
        if (!quiet) compare_print(stdout, &t);
        if (csv && write_csv(csv, &t, &d) == 0 && !quiet) printf("\nCSV: %s\n", csv);
        indicators_free(&t);
    }
    if (d.failed) rc = cli_report(&d);
    for (int k = 0; k < opened; k++)
        h5run_close(&runs[k]);
    return rc;
}
