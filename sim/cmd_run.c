/* `rumbo run`: simulate a scenario and write its time series. */
#include <getopt.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sim/cli.h"
#include "sim/output.h"
#include "sim/sim.h"

static const char run_usage[] =
    "usage: rumbo run SCENARIO [options]\n"
    "\n"
    "Simulates SCENARIO (a YAML file) and writes time series to an HDF5 file.\n"
    "\n"
    "options:\n"
    "  -o, --output FILE     HDF5 file to write (default: SCENARIO's name with .h5, here)\n"
    "      --seed N          random seed (overrides the scenario's `seed`)\n"
    "      --days N          days to simulate (overrides the scenario's `days`)\n"
    "      --threads N       OpenMP threads (default: all cores); results do not depend on it\n"
    "      --set KEY=VALUE   override any scenario value, e.g. --set inflow.per_year=2e5\n"
    "                        (repeatable; KEY is a dotted path, VALUE is YAML)\n"
    "  -q, --quiet           no progress or summary\n"
    "  -h, --help            this help\n"
    "\n"
    "Progress (days per second, ETA) goes to stderr when it is a terminal.\n"
    "exit codes: 0 ok, 1 runtime failure, 2 bad input\n";

typedef struct progress_ctx {
    struct timespec start, last;
    bool show;
} progress_ctx;

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + 1e-9 * (double)(t.tv_nsec - t0->tv_nsec);
}

static void show_progress(void *vctx, const sim *s)
{
    progress_ctx *ctx = vctx;
    if (!ctx->show) return;
    bool last_day = s->day == s->sc->days;
    if (!last_day && seconds_since(&ctx->last) < 0.2) return;
    clock_gettime(CLOCK_MONOTONIC, &ctx->last);
    double elapsed = seconds_since(&ctx->start);
    double rate = elapsed > 0 ? s->day / elapsed : 0;
    double eta = rate > 0 ? (s->sc->days - s->day) / rate : 0;
    char date[11];
    date_format(s->sc->start + s->day - 1, date);
    fprintf(stderr, "\r  day %d/%d (%s)  %.0f days/s  ETA %.0f s  %zu agents   %s", s->day,
            s->sc->days, date, rate, eta, s->ag.n, last_day ? "\n" : "");
    fflush(stderr);
}

static char *default_output(const char *scenario_path)
{
    const char *base = strrchr(scenario_path, '/');
    base = base ? base + 1 : scenario_path;
    size_t n = strlen(base);
    if (n > 5 && strcmp(base + n - 5, ".yaml") == 0) n -= 5;
    else if (n > 4 && strcmp(base + n - 4, ".yml") == 0) n -= 4;
    char *out = malloc(n + 4);
    if (!out) abort();
    memcpy(out, base, n);
    strcpy(out + n, ".h5");
    return out;
}

static void print_summary(const sim *s, const char *path, double seconds, double agent_days)
{
    int64_t entries = s->total_events[EVENT_ENTRY], arrivals = s->total_events[EVENT_ARRIVAL];
    char first[11], last[11];
    date_format(s->sc->start, first);
    date_format(s->sc->start + s->sc->days - 1, last);
    printf("rumbo: %s, %s to %s (%d days), seed %llu, %d thread%s\n", s->sc->name, first, last,
           s->sc->days, (unsigned long long)s->sc->seed, s->n_threads, s->n_threads == 1 ? "" : "s");
    printf("  entered            %lld\n", (long long)entries);
    printf("  reached US border  %lld (%.1f%% of entrants)\n", (long long)arrivals,
           entries ? 100.0 * (double)arrivals / (double)entries : 0.0);
    printf("  still in Mexico    %zu\n", s->ag.n);
    printf("  train boardings    %lld\n", (long long)s->total_events[EVENT_BOARDING]);
    printf("  settled in Mexico  %lld\n", (long long)s->total_events[EVENT_SETTLED]);
    printf("  returned home      %lld\n", (long long)s->total_events[EVENT_RETURNED_HOME]);
    printf("  died               %lld\n", (long long)s->total_events[EVENT_DEATH]);
    printf("  speed              %.3g agent-days/s (%.2f s)\n",
           seconds > 0 ? agent_days / seconds : 0.0, seconds);
    printf("  output             %s\n", path);
}

int cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, 0, 'o'}, {"seed", required_argument, 0, 'S'},
        {"days", required_argument, 0, 'D'},   {"threads", required_argument, 0, 'T'},
        {"set", required_argument, 0, 's'},    {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    diag d = {0};
    scenario_overrides ov = {.seed = -1, .days = -1};
    ov.sets = calloc((size_t)argc, sizeof(char *));
    if (!ov.sets) abort();
    const char *output = NULL;
    int64_t threads = 0;
    bool quiet = false;
    int c;
    optind = 1;
    while (!d.failed && (c = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'o': output = optarg; break;
        case 'S': cli_parse_count("--seed", optarg, 0, INT64_MAX, &ov.seed, &d); break;
        case 'D': cli_parse_count("--days", optarg, 1, 36525, &ov.days, &d); break;
        case 'T': cli_parse_count("--threads", optarg, 1, 1024, &threads, &d); break;
        case 's': ov.sets[ov.n_sets++] = optarg; break;
        case 'q': quiet = true; break;
        case 'h': fputs(run_usage, stdout); free(ov.sets); return EXIT_OK;
        default: fputs(run_usage, stderr); free(ov.sets); return EXIT_BAD_INPUT;
        }
    }
    if (!d.failed && optind != argc - 1)
        diag_fail(&d, EXIT_BAD_INPUT, "run needs exactly one SCENARIO file (see rumbo run --help)");
    if (d.failed) {
        free(ov.sets);
        return cli_report(&d);
    }
    const char *path = argv[optind];
    char *out_path = output ? strdup(output) : default_output(path);
    scenario sc = {0};
    sim s;
    bool have_sim = false;
    int rc = EXIT_OK;
    if (output_check_path(out_path, &d) || scenario_load(&sc, path, &ov, &d)) {
        rc = cli_report(&d);
        goto done;
    }
    if (threads == 0) threads = omp_get_max_threads();
    if (sim_init(&s, &sc, 0, (int)threads, &d)) {
        rc = cli_report(&d);
        goto done;
    }
    have_sim = true;
    progress_ctx pctx = {.show = !quiet && isatty(STDERR_FILENO)};
    clock_gettime(CLOCK_MONOTONIC, &pctx.start);
    pctx.last = pctx.start;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (s.day < sc.days) {
        sim_step(&s);
        show_progress(&pctx, &s);
    }
    double seconds = seconds_since(&t0);
    const series_set *members[1] = {&s.out};
    run_info info = {sc.yaml, sc.name, sc.seed, 1, sc.start, sc.days};
    if (output_write(out_path, members, 1, &info, &d)) {
        rc = cli_report(&d);
        goto done;
    }
    if (!quiet) print_summary(&s, out_path, seconds, (double)s.agent_days);
done:
    if (have_sim) sim_free(&s);
    if (sc.path) scenario_free(&sc);
    free(out_path);
    free(ov.sets);
    return rc;
}
