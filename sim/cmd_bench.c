/* `rumbo bench`: speed and memory of the full model at several population sizes.
 *
 * For each target number of live agents N the whole population is scaled through
 * the scenario tree (--set population_scale=...: inflow and every capacity together,
 * models/params.h), so that every size runs the same model per agent; scaling the
 * inflow alone would fill the trains, shelters and jobs and grow queues instead. A
 * pilot run at the scenario's own scale measures the live agents after the warm-up,
 * and the scale is N / that count (the figures print the live agents actually
 * reached). Each size then runs warm-up + measured days
 * from scratch with each thread count, writes its HDF5 output to a temporary file,
 * and reports over the measured days only: agent-days per second, the share of the
 * wall time in each phase (sim_timing), and memory (peak resident set, VmHWM, over
 * peak live agents). Every run, the pilot too, is a child process of its own, so no
 * run's memory counts in another's. Nothing here asserts a time: it is a measuring
 * tool, not a test. */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analysis/stats.h"
#include "models/models.h"
#include "sim/cli.h"
#include "sim/clock.h"
#include "sim/output.h"
#include "sim/self.h"
#include "sim/sim.h"

static const char bench_usage[] =
    "usage: rumbo bench [SCENARIO] [options]\n"
    "\n"
    "Runs SCENARIO (default scenarios/baseline.yaml: the full default model) with its\n"
    "population_scale set so that about N agents are live, with 1 and 2 threads, and prints\n"
    "agent-days per second, bytes per live agent, the 2-thread speedup and where the\n"
    "time goes. Each run: --warmup days to fill the system, then --days measured days.\n"
    "\n"
    "options:\n"
    "      --sizes LIST      live agents to aim at (default 1e4,1e5,1e6)\n"
    "      --days N          measured days (default 30)\n"
    "      --warmup N        days before measuring (default 365)\n"
    "      --threads LIST    thread counts (default 1,2)\n"
    "      --repeat N        run every size and thread count N times, in N rounds of\n"
    "                        all of them (a slow spell of the host then falls on each\n"
    "                        alike), and print the fastest run's whole row, memory too,\n"
    "                        once the last round is past the size (default 1; on a\n"
    "                        noisy host)\n"
    "      --tmpdir DIR      where the HDF5 output is written and deleted (default /tmp)\n"
    "      --phases          also print each timed phase in ns per agent-day\n"
    "  -h, --help            this help\n";

enum { MAX_LIST = 8 };

typedef struct bench_opts {
    const char *scenario, *tmpdir;
    double sizes[MAX_LIST];
    int n_sizes, threads[MAX_LIST], n_threads;
    int64_t days, warmup, repeat;
    bool phases;
    int argc; /* the command line, for the runs' own processes (isolated) */
    char **argv;
    const char *measure; /* in such a process: "THREADS:SCALE:FD" (THREADS 0: the pilot) */
    const char *self;    /* this program, to start again; NULL: runs share this process */
} bench_opts;

typedef struct bench_result {
    double live, agent_days, seconds, rate;
    double peak_live;   /* most agents live on any day of the run, warm-up included */
    double median_rate; /* the measured days' median of agent-days/s, day by day */
    double loop, routes, daily, output_share, output_seconds, run_seconds;
    double open_seconds, seal_seconds, write_seconds; /* output's parts, whole run */
    double rss_bytes, bytes_per_agent, soa_bytes_per_agent;
    sim_timing timing; /* over the measured days */
} bench_result;

/* Peak resident set (VmHWM) in bytes; 0 if unknown. */
static double peak_rss(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return 0;
    char line[256];
    double kb = 0;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0) kb = strtod(line + 6, NULL);
    fclose(f);
    return kb * 1024;
}

/* Resets VmHWM to the current resident set (Linux >= 4.0), so each run's peak is
 * its own. */
static void reset_peak_rss(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (!f) return;
    fputs("5", f);
    fclose(f);
}

static int parse_list_d(const char *text, double *out, int *n, const char *name, diag *d)
{
    char *copy = strdup(text), *save = NULL;
    if (!copy) abort();
    *n = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *end;
        double v = strtod(tok, &end);
        if (end == tok || *end || !(v >= 1 && v <= 1e9) || *n == MAX_LIST) {
            diag_input(d, "command line", 0, name,
                       "expected up to %d numbers in [1, 1e9] separated by commas, got '%s'",
                       MAX_LIST, text);
            free(copy);
            return -1;
        }
        out[(*n)++] = v;
    }
    free(copy);
    if (*n == 0) diag_input(d, "command line", 0, name, "empty list");
    return *n ? 0 : -1;
}

/* A phase sum of sim_timing: the agent loop, route tables, and everything else the
 * engine and modules do once a day. The route tables are mostly built the day before
 * (day_ahead): with one thread at the start of its act pass, counted here as route
 * tables; with more, by a thread that would wait for the others and the capacity
 * resolution, and that starts its act pass late while the others take its agents:
 * only what that delays the day is time of the day's (in the act pass, the loop).
 * Either way behaviour's day_start builds them when those cannot serve. */
static void phase_split(const sim_timing *t, int threads, double *loop, double *routes,
                        double *daily)
{
    double ahead = threads == 1 ? t->ahead : 0;
    *loop = t->plan + t->act - ahead;
    *routes = t->day_start[MODULE_BEHAVIOUR] + ahead;
    *daily = t->capacity + t->clear + t->fold + t->outcomes + t->compact;
    for (int m = 0; m < model_count; m++) {
        if (m != MODULE_BEHAVIOUR) *daily += t->day_start[m];
        *daily += t->day_end[m];
    }
}

/* Loads the scenario for `days` days at population scale `scale` (0: its own). */
static int load(const bench_opts *o, double scale, int64_t days, scenario *sc, diag *d)
{
    char set[64];
    snprintf(set, sizeof set, "population_scale=%.17g", scale);
    const char *sets[] = {set};
    scenario_overrides ov = {.sets = sets, .n_sets = scale > 0 ? 1 : 0, .seed = -1, .days = days};
    return scenario_load(sc, o->scenario, &ov, d);
}

/* Live agents after the warm-up at population scale 1. */
static int pilot(const bench_opts *o, double *live, diag *d)
{
    scenario sc = {0};
    if (load(o, 1, o->warmup, &sc, d)) return -1;
    sim s;
    if (sim_init(&s, &sc, 0, 1, d)) return -1;
    while (s.day < sc.days)
        sim_step(&s);
    *live = (double)s.ag.n;
    sim_free(&s);
    scenario_free(&sc);
    return 0;
}

static int run_one(const bench_opts *o, double scale, int threads, bench_result *r, diag *d)
{
    memset(r, 0, sizeof *r);
    scenario sc = {0};
    if (load(o, scale, o->warmup + o->days, &sc, d)) return -1;
    char path[4096];
    snprintf(path, sizeof path, "%s/rumbo-bench-%ld.h5", o->tmpdir, (long)getpid());
    /* In its own process (isolated): the peak from here on is this run's. */
    reset_peak_rss();
    sim s;
    double t_start = clock_seconds();
    if (sim_init(&s, &sc, 0, threads, d)) return -1;
    /* As `rumbo run` does: the file is made before the run, written after it. */
    run_info info = {sc.yaml, sc.name, sc.seed, 1, 0, sc.start, sc.days};
    output_file *out = output_open(path, &s.out, 1, &info, d);
    if (!out) {
        sim_free(&s);
        scenario_free(&sc);
        return -1;
    }
    output_set_threads(out, threads);
    double open_seconds = clock_seconds() - t_start;
    /* Peak live agents over the whole run, as the peak memory is (the labour season
     * can fill the system beyond what the measured days see). */
    while (s.day < o->warmup) {
        sim_step(&s);
        if ((double)s.ag.n > r->peak_live) r->peak_live = (double)s.ag.n;
    }
    sim_timing before = s.timing;
    int64_t ad0 = s.agent_days;
    double t0 = clock_seconds();
    double *day_rate = calloc((size_t)o->days, sizeof(double));
    if (!day_rate) abort();
    int n_days = 0;
    /* The simulation's rate: output (compressing past blocks, every 64th day) is the
     * output column's, as the writing at the end is. */
    while (s.day < sc.days) {
        int64_t ad = s.agent_days;
        double t_day = clock_seconds(), seal = s.timing.seal;
        sim_step(&s);
        t_day = clock_seconds() - t_day - (s.timing.seal - seal);
        if (t_day > 0) day_rate[n_days++] = (double)(s.agent_days - ad) / t_day;
        if ((double)s.ag.n > r->peak_live) r->peak_live = (double)s.ag.n;
    }
    r->seconds = clock_seconds() - t0 - (s.timing.seal - before.seal);
    r->median_rate = n_days > 0 ? stats_median(day_rate, (size_t)n_days) : 0;
    free(day_rate);
    r->agent_days = (double)(s.agent_days - ad0);
    r->live = r->agent_days / (double)o->days;
    r->rate = r->seconds > 0 ? r->agent_days / r->seconds : 0;
    sim_timing delta = s.timing;
    double *a = (double *)&delta;
    const double *b = (const double *)&before;
    for (size_t k = 0; k < sizeof delta / sizeof(double); k++)
        a[k] -= b[k];
    phase_split(&delta, threads, &r->loop, &r->routes, &r->daily);
    r->timing = delta;
    r->soa_bytes_per_agent =
        r->peak_live > 0 ? (double)s.ag.cap * (double)agents_bytes_per_agent() / r->peak_live : 0;
    sim_release_agents(&s); /* as rumbo run does before writing */
    double t_out = clock_seconds();
    int rc = output_write_member(out, 0, &s.out, d);
    output_close(out, false, d); /* the file is deleted, written or not */
    double write_seconds = clock_seconds() - t_out;
    r->run_seconds = t_out - t_start;
    /* Output is also the file's layout and the past blocks of days compressed during
     * the run (sim_step). */
    r->output_seconds = open_seconds + s.timing.seal + write_seconds;
    r->open_seconds = open_seconds;
    r->seal_seconds = s.timing.seal;
    r->write_seconds = write_seconds;
    r->output_share = r->output_seconds / (r->run_seconds + write_seconds);
    r->rss_bytes = peak_rss();
    r->bytes_per_agent = r->peak_live > 0 ? r->rss_bytes / r->peak_live : 0;
    sim_free(&s);
    scenario_free(&sc);
    unlink(path);
    return rc ? -1 : 0;
}

static void print_result(double target, double scale, int threads, const bench_result *r)
{
    double sum = r->loop + r->routes + r->daily;
    double pct = sum > 0 ? 100.0 / r->seconds : 0;
    printf("%9.0f %7.3g %7d %9.0f %12.3g %10.3g %10.1f %9.0f %7.1f %7.1f%% %7.1f%% %7.1f%% "
           "%7.1f%%\n",
           target, scale, threads, r->live, r->rate, r->median_rate,
           r->rate > 0 ? 1e9 / r->rate : 0, r->bytes_per_agent, r->soa_bytes_per_agent,
           r->loop * pct, r->routes * pct, r->daily * pct, 100 * r->output_share);
    fflush(stdout);
}

/* Every timed phase of one result, in ns per agent-day (for --phases). */
static void print_phases(const bench_result *r)
{
    const sim_timing *t = &r->timing;
    double k = r->agent_days > 0 ? 1e9 / r->agent_days : 0;
    printf("          ns/agent-day: plan %.1f, capacity %.1f, act %.1f, clear %.1f, fold %.1f, "
           "outcomes %.1f, compact %.1f, seal %.1f\n"
           "          one thread's, beside the phases above: tomorrow's route tables %.1f, "
           "removing a small day's leavers %.1f\n",
           t->plan * k, t->capacity * k, t->act * k, t->clear * k, t->fold * k, t->outcomes * k,
           t->compact * k, t->seal * k, t->ahead * k, t->compact_beside * k);
    printf("          day_start/day_end:");
    for (int m = 0; m < model_count; m++)
        if (t->day_start[m] + t->day_end[m] > 0)
            printf(" %s %.1f/%.1f", model_table[m]->name, t->day_start[m] * k, t->day_end[m] * k);
    printf("\n          output, whole run: making the file %.1f ms, compressing past days "
           "%.1f ms, writing %.1f ms\n",
           r->open_seconds * 1e3, r->seal_seconds * 1e3, r->write_seconds * 1e3);
}

/* What a child sends back: whether it succeeded, its result, and its error. */
typedef struct measurement {
    int ok;
    double live;      /* pilot */
    bench_result run; /* run_one */
    diag error;
} measurement;

static int write_all(int fd, const void *buf, size_t n)
{
    for (const char *p = buf; n > 0;) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w, n -= (size_t)w;
    }
    return 0;
}

/* The measurement in this process: in the process started for it (--measure), or
 * in bench's own when rumbo cannot start itself again. */
static int in_process(const bench_opts *o, double scale, int threads, measurement *m, diag *d)
{
    memset(m, 0, sizeof *m);
    int rc = threads == 0 ? pilot(o, &m->live, d) : run_one(o, scale, threads, &m->run, d);
    malloc_trim(0); /* what this run freed would count as the next one's */
    return rc;
}

/* The measurement named by --measure, its result written to the descriptor named. */
static int measure(const bench_opts *o, diag *d)
{
    int threads, fd, used = 0;
    double scale;
    if (sscanf(o->measure, "%d:%lf:%d%n", &threads, &scale, &fd, &used) != 3 || o->measure[used] ||
        threads < 0 || fd < 0) {
        diag_fail(d, EXIT_BAD_INPUT, "--measure: expected THREADS:SCALE:FD, got '%s'", o->measure);
        return -1;
    }
    measurement m;
    m.ok = in_process(o, scale, threads, &m, &m.error) == 0;
    if (write_all(fd, &m, sizeof m) != 0) {
        diag_fail(d, EXIT_RUNTIME, "--measure: cannot send the result: %s", strerror(errno));
        return -1;
    }
    return 0;
}

/* Runs the pilot (threads 0) or one measured run in a process of its own, started as
 * `rumbo run` would be: its peak memory is then what a run of that size takes. In one
 * process a run's resident set keeps what earlier runs touched (arenas of freed
 * memory, library pages), and a forked child would miss the library pages touched
 * while loading (10 bytes per agent at a million). */
static int isolated(const bench_opts *o, double scale, int threads, measurement *m, diag *d)
{
    if (!o->self) return in_process(o, scale, threads, m, d);
    memset(m, 0, sizeof *m);
    fflush(stdout);
    fflush(stderr);
    int fds[2];
    if (pipe(fds) != 0) {
        diag_fail(d, EXIT_RUNTIME, "bench: cannot make a pipe: %s", strerror(errno));
        return -1;
    }
    char spec[96];
    snprintf(spec, sizeof spec, "%d:%.17g:%d", threads, scale, fds[1]);
    /* `rumbo bench --measure SPEC ...`: before the user's arguments, which may end
     * options with `--`. */
    char **args = calloc((size_t)o->argc + 4, sizeof *args);
    if (!args) abort();
    args[0] = "rumbo";
    args[1] = o->argv[0]; /* "bench" */
    args[2] = "--measure";
    args[3] = spec;
    for (int k = 1; k < o->argc; k++)
        args[3 + k] = o->argv[k];
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        execv(o->self, args);
        _exit(127);
    }
    free(args);
    close(fds[1]);
    if (pid < 0) {
        diag_fail(d, EXIT_RUNTIME, "bench: cannot start a run: %s", strerror(errno));
        close(fds[0]);
        return -1;
    }
    size_t got = 0;
    while (got < sizeof *m) {
        ssize_t n = read(fds[0], (char *)m + got, sizeof *m - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += (size_t)n;
    }
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (got != sizeof *m) {
        diag_fail(d, EXIT_RUNTIME, "bench: a measuring run ended without a result (%s %d)",
                  WIFSIGNALED(status) ? "signal" : "exit status",
                  WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
        return -1;
    }
    if (!m->ok) {
        *d = m->error;
        return -1;
    }
    return 0;
}

static int bench(const bench_opts *o, diag *d)
{
    measurement m;
    if (isolated(o, 1, 0, &m, d)) return -1;
    double live0 = m.live;
    if (live0 < 1) {
        diag_fail(d, EXIT_BAD_INPUT, "no live agents after %lld warm-up days: nothing to scale",
                  (long long)o->warmup);
        return -1;
    }
    printf("rumbo bench: %s; %lld warm-up + %lld measured days; at population_scale 1, "
           "%.0f live agents after the warm-up\n",
           o->scenario, (long long)o->warmup, (long long)o->days, live0);
    printf("  live: mean live agents over the measured days; agent-days/s and phase shares "
           "over the measured days;\n"
           "  bytes/agent: peak resident memory (VmHWM) over peak live agents; SoA: agent "
           "arrays incl. spare capacity;\n"
           "  output: compressing past days during the run and writing the HDF5 file, share\n"
           "  of the whole run (warm-up included; not in the loop/routes/daily shares);\n"
           "  median day: the median of the measured days' own agent-days/s (robust to a\n"
           "  noisy host: a few slow days move the mean, not the median)\n");
    if (o->repeat > 1)
        printf("  each line: the fastest of %lld runs (by agent-days/s), all its figures\n",
               (long long)o->repeat);
    printf("%9s %7s %7s %9s %12s %10s %10s %9s %7s %8s %8s %8s %8s\n", "target", "scale", "threads",
           "live", "agent-days/s", "median day", "ns/agent-d", "bytes/ag", "SoA B", "loop",
           "routes", "daily", "output");
    double rate1[MAX_LIST] = {0}, rate2[MAX_LIST] = {0}, med1[MAX_LIST] = {0}, med2[MAX_LIST] = {0};
    double rss[MAX_LIST] = {0}, peak[MAX_LIST] = {0}; /* first thread count's runs */
    /* The fastest of the repeats: a busy host only ever slows a run down. Every size
     * and thread count takes its turn in each round, so that a slow spell of the host
     * falls on each alike, and the sizes, compared with each other, are measured over
     * the same minutes. */
    static bench_result best[MAX_LIST][MAX_LIST];
    for (int64_t rep = 0; rep < o->repeat; rep++)
        for (int k = 0; k < o->n_sizes; k++) {
            double scale = fmin(1e3, fmax(1e-3, o->sizes[k] / live0));
            for (int t = 0; t < o->n_threads; t++) {
                fprintf(stderr, "rumbo bench: %.0f agents, %d thread%s, round %lld of %lld\n",
                        o->sizes[k], o->threads[t], o->threads[t] == 1 ? "" : "s",
                        (long long)rep + 1, (long long)o->repeat);
                if (isolated(o, scale, o->threads[t], &m, d)) return -1;
                if (rep == 0 || m.run.rate > best[k][t].rate) best[k][t] = m.run;
            }
            if (rep + 1 < o->repeat) continue;
            for (int t = 0; t < o->n_threads; t++) {
                const bench_result r = best[k][t];
                print_result(o->sizes[k], scale, o->threads[t], &r);
                if (o->phases) print_phases(&r);
                if (t == 0) rss[k] = r.rss_bytes, peak[k] = r.peak_live;
                if (o->threads[t] == 1) rate1[k] = r.rate, med1[k] = r.median_rate;
                if (o->threads[t] == 2) rate2[k] = r.rate, med2[k] = r.median_rate;
            }
        }
    for (int k = 0; k < o->n_sizes; k++)
        if (rate1[k] > 0 && rate2[k] > 0)
            printf("2-thread speedup at %.0f: %.2f (median days: %.2f)\n", o->sizes[k],
                   rate2[k] / rate1[k], med1[k] > 0 ? med2[k] / med1[k] : 0);
    /* What each further agent costs, without what every run pays whatever its size
     * (libraries, the output series of the run's days). */
    for (int k = 1; k < o->n_sizes; k++)
        if (peak[k] > peak[k - 1] && rss[k] > 0 && rss[k - 1] > 0)
            printf("memory per added live agent from %.0f to %.0f: %.0f bytes\n", o->sizes[k - 1],
                   o->sizes[k], (rss[k] - rss[k - 1]) / (peak[k] - peak[k - 1]));
    return 0;
}

int cmd_bench(int argc, char **argv)
{
    static const struct option opts[] = {
        {"sizes", required_argument, 0, 'N'},
        {"days", required_argument, 0, 'D'},
        {"warmup", required_argument, 0, 'W'},
        {"threads", required_argument, 0, 'T'},
        {"tmpdir", required_argument, 0, 'O'},
        {"phases", no_argument, 0, 'P'},
        {"repeat", required_argument, 0, 'R'},
        {"measure", required_argument, 0, 'M'}, /* internal: see isolated() */
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    bench_opts o = {.scenario = "scenarios/baseline.yaml",
                    .tmpdir = "/tmp",
                    .sizes = {1e4, 1e5, 1e6},
                    .n_sizes = 3,
                    .threads = {1, 2},
                    .n_threads = 2,
                    .days = 30,
                    .warmup = 365,
                    .repeat = 1};
    diag d = {0};
    double th[MAX_LIST];
    int c;
    optind = 1;
    opterr = 0;
    while (!d.failed && (c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'N':
            parse_list_d(optarg, o.sizes, &o.n_sizes, "--sizes", &d);
            break;
        case 'D':
            cli_parse_count("--days", optarg, 1, 3650, &o.days, &d);
            break;
        case 'W':
            cli_parse_count("--warmup", optarg, 1, 3650, &o.warmup, &d);
            break;
        case 'T':
            if (!parse_list_d(optarg, th, &o.n_threads, "--threads", &d))
                for (int k = 0; k < o.n_threads; k++)
                    o.threads[k] = (int)fmin(th[k], 1024);
            break;
        case 'R':
            cli_parse_count("--repeat", optarg, 1, 100, &o.repeat, &d);
            break;
        case 'O':
            o.tmpdir = optarg;
            break;
        case 'P':
            o.phases = true;
            break;
        case 'M':
            o.measure = optarg;
            break;
        case 'h':
            fputs(bench_usage, stdout);
            return EXIT_OK;
        default:
            cli_bad_option("bench", argv, c, &d);
            break;
        }
    }
    if (!d.failed && optind < argc - 1)
        diag_fail(&d, EXIT_BAD_INPUT, "bench takes at most one SCENARIO (see rumbo bench --help)");
    if (!d.failed && optind == argc - 1) o.scenario = argv[optind];
    o.argc = argc;
    o.argv = argv;
    /* Under valgrind (or any loader) there is no rumbo to start again: the runs then
     * share this process, and a run's memory may include what an earlier one left. */
    o.self = self_program();
    if (d.failed || (o.measure ? measure(&o, &d) : bench(&o, &d))) return cli_report(&d);
    return EXIT_OK;
}
