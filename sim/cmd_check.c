/* `rumbo check`: validate a scenario and its network, print what a run would do
 * and how much memory it would need, without simulating anything. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include <omp.h>

#include "sim/cli.h"
#include "sim/memory.h"

static const char check_usage[] =
    "usage: rumbo check SCENARIO [--set KEY=VALUE]... [--days N] [--seed N]\n"
    "                            [--threads N] [--max-memory SIZE]\n"
    "\n"
    "Validates SCENARIO and its network (every timeline epoch) and prints a summary:\n"
    "nodes, edges, days, expected entries and a memory estimate. Simulates nothing.\n"
    "Refuses (exit 2) when the estimate exceeds --max-memory (512M, 4G, ...; default\n"
    "80% of physical memory or of the cgroup limit), as `rumbo run` would.\n"
    "exit codes: 0 valid, 2 bad input\n";

int cmd_check(int argc, char **argv)
{
    static const struct option opts[] = {CLI_SCENARIO_OPTIONS,
                                         {"max-memory", required_argument, 0, 'M'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    diag d = {0};
    scenario_overrides ov = {.seed = -1, .days = -1};
    int64_t threads = 0;
    char limit_why[96];
    uint64_t max_memory = memory_default_limit(limit_why, sizeof limit_why);
    ov.sets = calloc((size_t)argc, sizeof(char *));
    if (!ov.sets) abort();
    int c;
    optind = 1;
    opterr = 0; /* one message, ours (cli_bad_option) */
    while (!d.failed && (c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        if (cli_scenario_option(c, optarg, &ov, &threads, &d)) continue;
        switch (c) {
        case 'M':
            cli_parse_memory(optarg, &max_memory, limit_why, sizeof limit_why, &d);
            break;
        case 'h':
            fputs(check_usage, stdout);
            free(ov.sets);
            return 0;
        default:
            cli_bad_option("check", argv, c, &d);
            break;
        }
    }
    if (!d.failed && optind != argc - 1)
        diag_fail(&d, EXIT_BAD_INPUT, "check needs exactly one SCENARIO file");
    scenario sc = {0};
    int rc = 0;
    if (d.failed || scenario_load(&sc, argv[optind], &ov, &d)) {
        rc = cli_report(&d);
    } else {
        const network *net = &sc.net;
        int kinds[NODE_KIND_COUNT] = {0}, modes[MODE_COUNT] = {0};
        for (int v = 0; v < net->n_nodes; v++)
            kinds[net->nodes[v].kind]++;
        for (int e = 0; e < net->n_edges; e++)
            modes[net->edges[e].mode]++;
        char first[11], last[11];
        date_format(sc.start, first);
        date_format(sc.start + sc.days - 1, last);
        double entries = cli_expected_entries(&sc);
        printf("%s: valid\n", argv[optind]);
        printf("  scenario           %s\n", sc.name);
        printf("  nodes              %d (", net->n_nodes);
        for (int k = 0; k < NODE_KIND_COUNT; k++)
            printf("%s%d %s", k ? ", " : "", kinds[k], node_kind_names[k]);
        printf(")\n  edges              %d (", net->n_edges);
        for (int m = 0; m < MODE_COUNT; m++)
            printf("%s%d %s", m ? ", " : "", modes[m], mode_names[m]);
        printf("), %d rail lines\n", net->n_lines);
        printf("  days               %d (%s to %s)\n", sc.days, first, last);
        printf("  timeline entries   %d\n", sc.n_epochs - 1);
        printf("  seed               %llu\n", (unsigned long long)sc.seed);
        printf("  expected entries   %.0f\n", entries);
        mem_estimate mem;
        memory_estimate(&sc, threads ? (int)threads : omp_get_max_threads(), entries, &mem);
        memory_print(&mem, max_memory, limit_why, stdout);
        if (memory_check(&mem, max_memory, limit_why, argv[optind], &d)) rc = cli_report(&d);
    }
    scenario_free(&sc);
    free(ov.sets);
    return rc;
}
