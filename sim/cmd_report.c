/* `rumbo report`: plots and an index.html for one or more outputs. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "analysis/h5read.h"
#include "analysis/indicators.h"
#include "analysis/report.h"
#include "sim/cli.h"

static const char report_usage[] =
    "usage: rumbo report FILE... -o DIR [options]\n"
    "\n"
    "Writes plots (PNG, with SVG twins) and DIR/index.html for the outputs of `rumbo run`\n"
    "(ensembles too): time series of every event and of people in Mexico with 95% ensemble\n"
    "bands, every file overlaid; a network map per file (edge width ~ flow, node area ~\n"
    "people); detections, crimes, injuries, arrivals and deaths by place; mode shares; and\n"
    "the comparison table of `rumbo compare` (also as DIR/compare.csv). Open DIR/index.html\n"
    "in a browser.\n"
    "\n"
    "options:\n"
    "  -o, --output DIR  directory to write (created if missing; files in it are replaced)\n"
    "  -q, --quiet       do not list the files written\n"
    "  -h, --help        this help\n"
    "\n"
    "exit codes: 0 ok, 1 runtime failure, 2 bad input\n";

int cmd_report(int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, 0, 'o'},
                                         {"quiet", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *dir = NULL;
    bool quiet = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            dir = optarg;
            break;
        case 'q':
            quiet = true;
            break;
        case 'h':
            fputs(report_usage, stdout);
            return EXIT_OK;
        default:
            fputs(report_usage, stderr);
            return EXIT_BAD_INPUT;
        }
    }
    diag d = {0};
    int n = argc - optind;
    if (!dir || n < 1 || n > IND_MAX_RUNS) {
        diag_fail(&d, EXIT_BAD_INPUT,
                  "report needs 1 to %d output files and -o DIR (see rumbo report --help)",
                  IND_MAX_RUNS);
        return cli_report(&d);
    }
    h5run runs[IND_MAX_RUNS];
    int opened = 0;
    for (; opened < n; opened++)
        if (h5run_open(&runs[opened], argv[optind + opened], &d)) break;
    if (opened == n) {
        if (!quiet) printf("rumbo report: writing %s\n", dir);
        if (report_write(runs, n, dir, quiet, &d) == 0 && !quiet)
            printf("open %s/index.html in a browser\n", dir);
    }
    for (int k = 0; k < opened; k++)
        h5run_close(&runs[k]);
    return d.failed ? cli_report(&d) : EXIT_OK;
}
