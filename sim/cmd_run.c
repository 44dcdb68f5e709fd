/* `rumbo run`: simulate a scenario and write its time series. */
#include <getopt.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/checkpoint.h"
#include "sim/cli.h"
#include "sim/clock.h"
#include "sim/interrupt.h"
#include "sim/memory.h"
#include "sim/output.h"
#include "sim/sim.h"
#include "sim/version.h"

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
    "      --members N       ensemble: N members (random streams) in one file, with a leading\n"
    "                        `member` dimension; they run one after another (default: 1)\n"
    "      --member K        the first member's number (default: 0): `--member K` alone repeats\n"
    "                        member K of an ensemble exactly\n"
    "      --set KEY=VALUE   override any scenario value, e.g. --set inflow.per_year=2e5\n"
    "                        (repeatable; KEY is a dotted path, VALUE is YAML)\n"
    "      --max-memory SIZE refuse to start if the run may need more (512M, 4G, ...;\n"
    "                        default 80% of physical memory or of the cgroup limit)\n"
    "      --checkpoint-every DAYS\n"
    "                        write a checkpoint every DAYS simulated days\n"
    "      --checkpoint FILE where checkpoints go (default: OUTPUT.ckpt); removed once the\n"
    "                        output is complete\n"
    "      --restart FILE    continue the run saved in checkpoint FILE (same SCENARIO and\n"
    "                        options; the output is identical to an uninterrupted run's)\n"
    "      --resume          restart from the checkpoint file if there is one, else start\n"
    "                        (one command line for every submission of a batch job)\n"
    "      --stop-at DAY     write a checkpoint on reaching day DAY and stop (exit 3)\n"
    "  -q, --quiet           no progress or summary\n"
    "  -h, --help            this help\n"
    "\n"
    "Progress (days per second, ETA) goes to stderr when it is a terminal.\n"
    "SIGTERM or SIGINT (a batch wall-time limit, Ctrl-C) ends the current day, writes a\n"
    "checkpoint and exits with code 3; continue with --restart or --resume. An ensemble's\n"
    "finished members are kept beside the checkpoint (CHECKPOINT.members).\n"
    "exit codes: 0 ok, 1 runtime failure, 2 bad input, 3 stopped with a checkpoint\n";

typedef struct progress_ctx {
    double start, last; /* clock_seconds() */
    bool show;
} progress_ctx;

static void show_progress(void *vctx, const sim *s)
{
    progress_ctx *ctx = vctx;
    if (!ctx->show) return;
    bool last_day = s->day == s->sc->days;
    if (!last_day && clock_seconds() - ctx->last < 0.2) return;
    ctx->last = clock_seconds();
    double elapsed = ctx->last - ctx->start;
    double rate = elapsed > 0 ? s->day / elapsed : 0;
    double eta = rate > 0 ? (s->sc->days - s->day) / rate : 0;
    char date[11];
    date_format(s->sc->start + s->day - 1, date);
    fprintf(stderr, "\r  day %d/%d (%s)  %.0f days/s  ETA %.0f s  %zu agents   %s", s->day,
            s->sc->days, date, rate, eta, s->ag.n, last_day ? "\n" : "");
    fflush(stderr);
}

static void print_member(const sim *s, int member)
{
    int64_t entries = s->total_events[EVENT_ENTRY], arrivals = s->total_events[EVENT_ARRIVAL];
    printf("  member %-4d  entered %lld, reached US border %lld (%.1f%%), still in Mexico %zu\n",
           member, (long long)entries, (long long)arrivals,
           entries ? 100.0 * (double)arrivals / (double)entries : 0.0, s->ag.n);
}

static void print_summary(const sim *s, const char *path, double seconds, double agent_days)
{
    int64_t entries = s->total_events[EVENT_ENTRY], arrivals = s->total_events[EVENT_ARRIVAL];
    char first[11], last[11];
    date_format(s->sc->start, first);
    date_format(s->sc->start + s->sc->days - 1, last);
    printf("rumbo: %s, %s to %s (%d days), seed %llu, %d thread%s\n", s->sc->name, first, last,
           s->sc->days, (unsigned long long)s->sc->seed, s->n_threads,
           s->n_threads == 1 ? "" : "s");
    printf("  entered            %lld\n", (long long)entries);
    printf("  reached US border  %lld (%.1f%% of entrants)\n", (long long)arrivals,
           entries ? 100.0 * (double)arrivals / (double)entries : 0.0);
    printf("  still in Mexico    %zu\n", s->ag.n);
    printf("  train boardings    %lld\n", (long long)s->total_events[EVENT_BOARDING]);
    printf("  detentions         %lld (deportations %lld, re-attempts %lld)\n",
           (long long)s->total_events[EVENT_DETENTION],
           (long long)s->total_events[EVENT_DEPORTATION],
           (long long)s->total_events[EVENT_REATTEMPT]);
    printf("  settled in Mexico  %lld\n", (long long)s->total_events[EVENT_SETTLED]);
    printf("  returned home      %lld\n", (long long)s->total_events[EVENT_RETURNED_HOME]);
    printf("  died               %lld\n", (long long)s->total_events[EVENT_DEATH]);
    printf("  speed              %.3g agent-days/s (%.2f s)\n",
           seconds > 0 ? agent_days / seconds : 0.0, seconds);
    printf("  output             %s\n", path);
}

/* An ensemble's closing lines; each member's numbers were printed as it finished. */
static void print_ensemble_summary(const sim *s, int members, const char *path, double seconds,
                                   double agent_days)
{
    char first[11], last[11];
    date_format(s->sc->start, first);
    date_format(s->sc->start + s->sc->days - 1, last);
    printf("rumbo: %s, %s to %s (%d days), seed %llu, %d thread%s, %d members (one line each "
           "above)\n",
           s->sc->name, first, last, s->sc->days, (unsigned long long)s->sc->seed, s->n_threads,
           s->n_threads == 1 ? "" : "s", members);
    printf("  speed              %.3g agent-days/s (%.2f s)\n",
           seconds > 0 ? agent_days / seconds : 0.0, seconds);
    printf("  output             %s\n", path);
}

int cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {CLI_SCENARIO_OPTIONS,
                                         {"output", required_argument, 0, 'o'},
                                         {"quiet", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},
                                         {"members", required_argument, 0, 'M'},
                                         {"member", required_argument, 0, 'K'},
                                         {"max-memory", required_argument, 0, 'X'},
                                         {"checkpoint-every", required_argument, 0, 'E'},
                                         {"checkpoint", required_argument, 0, 'C'},
                                         {"restart", required_argument, 0, 'R'},
                                         {"resume", no_argument, 0, 'U'},
                                         {"stop-at", required_argument, 0, 'A'},
                                         {0, 0, 0, 0}};
    diag d = {0};
    scenario_overrides ov = {.seed = -1, .days = -1};
    ov.sets = calloc((size_t)argc, sizeof(char *));
    if (!ov.sets) abort();
    const char *output = NULL;
    int64_t threads = 0, members = 1, first_member = 0;
    char limit_why[96];
    uint64_t max_memory = memory_default_limit(limit_why, sizeof limit_why);
    bool quiet = false, resume = false;
    int64_t every = 0, stop_at = 0;
    const char *checkpoint = NULL, *restart = NULL;
    int c;
    optind = 1;
    opterr = 0; /* one message, ours (cli_bad_option) */
    while (!d.failed && (c = getopt_long(argc, argv, ":o:qh", opts, NULL)) != -1) {
        if (cli_scenario_option(c, optarg, &ov, &threads, &d)) continue;
        switch (c) {
        case 'o':
            output = optarg;
            break;
        case 'M':
            cli_parse_count("--members", optarg, 1, 100000, &members, &d);
            break;
        case 'K':
            cli_parse_count("--member", optarg, 0, INT32_MAX, &first_member, &d);
            break;
        case 'X':
            cli_parse_memory(optarg, &max_memory, limit_why, sizeof limit_why, &d);
            break;
        case 'q':
            quiet = true;
            break;
        case 'E':
            cli_parse_count("--checkpoint-every", optarg, 1, 36525, &every, &d);
            break;
        case 'C':
            checkpoint = optarg;
            break;
        case 'R':
            restart = optarg;
            break;
        case 'U':
            resume = true;
            break;
        case 'A':
            cli_parse_count("--stop-at", optarg, 1, 36525, &stop_at, &d);
            break;
        case 'h':
            fputs(run_usage, stdout);
            free(ov.sets);
            return EXIT_OK;
        default:
            cli_bad_option("run", argv, c, &d);
            break;
        }
    }
    if (!d.failed && optind != argc - 1)
        diag_fail(&d, EXIT_BAD_INPUT, "run needs exactly one SCENARIO file (see rumbo run --help)");
    if (d.failed) {
        free(ov.sets);
        return cli_report(&d);
    }
    const char *path = argv[optind];
    char *out_path = output ? strdup(output) : cli_default_output(path);
    char *ckpt_path = checkpoint ? strdup(checkpoint) : NULL;
    if (!ckpt_path) {
        ckpt_path = malloc(strlen(out_path) + 6);
        if (!ckpt_path) abort();
        sprintf(ckpt_path, "%s.ckpt", out_path);
    }
    if (resume && !restart && access(ckpt_path, F_OK) == 0) restart = ckpt_path;
    int64_t restart_k = 0; /* the member the checkpoint holds, as an index into this run */
    scenario sc = {0};
    sim s;
    bool have_sim = false;
    output_file *out = NULL;
    int rc = EXIT_OK;
    if (output_check_path(out_path, &d) || scenario_load(&sc, path, &ov, &d)) {
        rc = cli_report(&d);
        goto done;
    }
    if (threads == 0) threads = omp_get_max_threads();
    if (first_member + members - 1 > INT32_MAX) {
        diag_fail(&d, EXIT_BAD_INPUT, "--member + --members goes past member %lu",
                  (unsigned long)INT32_MAX);
        rc = cli_report(&d);
        goto done;
    }
    /* One member at a time: the estimate is that of one run. */
    mem_estimate mem;
    memory_estimate(&sc, (int)threads, cli_expected_entries(&sc), &mem);
    if (memory_check(&mem, max_memory, limit_why, path, &d)) {
        rc = cli_report(&d);
        goto done;
    }
    if (restart) {
        int64_t m = 0;
        if (checkpoint_member_of(restart, &m, &d)) {
            rc = cli_report(&d);
            goto done;
        }
        restart_k = m - first_member;
        if (restart_k < 0 || restart_k >= members) {
            diag_fail(&d, EXIT_BAD_INPUT,
                      "%s: cannot restart from this checkpoint: it holds member %lld, not one "
                      "of this run's",
                      restart, (long long)m);
            rc = cli_report(&d);
            goto done;
        }
    }
    checkpoint_policy policy = {ckpt_path, (int)every, (int)stop_at};
    interrupt_install();
    run_info info = {sc.yaml, sc.name, sc.seed, (int)members, (int)first_member, sc.start, sc.days};
    progress_ctx pctx = {.show = !quiet && isatty(STDERR_FILENO)};
    double t0 = clock_seconds();
    double agent_days = 0;
    /* Members run one after another, each with every thread, and each is written into
     * the open file as soon as it finishes: memory stays that of one run. */
    for (int64_t k = 0; k < members; k++) {
        if (sim_init(&s, &sc, (uint32_t)(first_member + k), (int)threads, &d)) {
            rc = cli_report(&d);
            goto done;
        }
        have_sim = true;
        if (!out && !(out = output_open(out_path, &s.out, (int)members, &info, &d))) {
            rc = cli_report(&d);
            goto done;
        }
        output_set_threads(out, (int)threads);
        if (restart && k < restart_k) {
            /* Finished before the interruption: kept beside the checkpoint. */
            if (checkpoint_load_member(restart, &s, &d) ||
                output_write_member(out, (int)k, &s.out, &d) ||
                (strcmp(restart, ckpt_path) != 0 && checkpoint_save_member(ckpt_path, &s, &d))) {
                rc = cli_report(&d);
                goto done;
            }
            sim_free(&s);
            have_sim = false;
            continue;
        }
        if (restart && k == restart_k) {
            char commit[64];
            if (checkpoint_restore(&s, restart, commit, sizeof commit, &d)) {
                rc = cli_report(&d);
                goto done;
            }
            if (!quiet) fprintf(stderr, "rumbo: restarting from %s at day %d\n", restart, s.day);
            if (strcmp(commit, RUMBO_COMMIT) != 0)
                fprintf(stderr, "rumbo: warning: %s was written by commit %s, this is %s\n",
                        restart, commit, RUMBO_COMMIT);
        }
        pctx.start = pctx.last = clock_seconds();
        if (pctx.show && members > 1)
            fprintf(stderr, "member %lld (%lld of %lld)\n", (long long)(first_member + k),
                    (long long)k + 1, (long long)members);
        while (s.day < sc.days) {
            sim_step(&s);
            show_progress(&pctx, &s);
            int stop = checkpoint_after_day(&policy, &s, &d);
            if (stop < 0) {
                rc = cli_report(&d);
                goto done;
            }
            if (stop == EXIT_INTERRUPTED) {
                if (!quiet)
                    fprintf(stderr,
                            "\nrumbo: stopped after day %d%s; checkpoint in %s (continue "
                            "with --restart %s)\n",
                            s.day, members > 1 ? " of this member" : "", ckpt_path, ckpt_path);
                rc = EXIT_INTERRUPTED;
                goto done;
            }
        }
        agent_days += (double)s.agent_days;
        sim_release_agents(&s);
        if (output_write_member(out, (int)k, &s.out, &d) ||
            (members > 1 && k + 1 < members && checkpoint_save_member(ckpt_path, &s, &d))) {
            rc = cli_report(&d);
            goto done;
        }
        if (!quiet && members > 1) print_member(&s, (int)(first_member + k));
        if (k + 1 < members) {
            sim_free(&s);
            have_sim = false;
        }
    }
    double seconds = clock_seconds() - t0;
    int closed = output_close(out, true, &d);
    out = NULL;
    if (closed) {
        rc = cli_report(&d);
        goto done;
    }
    checkpoint_remove(ckpt_path);
    if (!quiet && members == 1) print_summary(&s, out_path, seconds, agent_days);
    if (!quiet && members > 1)
        print_ensemble_summary(&s, (int)members, out_path, seconds, agent_days);
done:
    if (out) output_close(out, false, &d); /* failed part way: leave no file */
    if (have_sim) sim_free(&s);
    if (sc.path) scenario_free(&sc);
    free(out_path);
    free(ckpt_path);
    free(ov.sets);
    return rc;
}
