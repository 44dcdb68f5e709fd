/* `rumbo sweep`: run a parameter sweep, serially or over MPI ranks, into one file.
 *
 * The driver is the same for one process and for K MPI ranks (RUMBO_MPI builds):
 * every rank reads the spec and builds the same design (design.h: designs are pure
 * functions of the spec), rank 0 opens or resumes the sweep file and tells the others
 * which runs are still to do, and the runs left are dealt out in turn (run i of the
 * to-do list to rank i mod K). Rank 0 also computes; the others send each result to it
 * as a message, and rank 0 writes every result at its run's row, between its own runs
 * and once a simulated day inside them. Where a result was computed changes nothing in
 * it, so the file equals a serial sweep's.
 *
 * Stopping: SIGTERM/SIGINT (or --stop-after) ends the current runs at the next day;
 * finished results are kept, the file stays as OUT.partial, every rank exits with
 * EXIT_INTERRUPTED, and the same command later resumes. If rank 0 is told to stop it
 * tells the other ranks, so a signal delivered to one rank is enough. */
#include <getopt.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef RUMBO_MPI
#include <mpi.h>
#endif

#include "analysis/sensitivity.h"
#include "analysis/sweep.h"
#include "analysis/sweep_file.h"
#include "sim/cli.h"
#include "sim/clock.h"
#include "sim/interrupt.h"
#include "sim/output.h"

static const char sweep_usage[] =
    "usage: rumbo sweep SWEEP.yaml [-o OUT.h5] [options]\n"
    "\n"
    "Runs every design point of SWEEP.yaml (base scenario, parameters, design, replicates,\n"
    "indicators: see the README) and stores each run's parameters and indicators in OUT.h5\n"
    "as runs finish; saltelli designs also get Sobol indices, printed and stored.\n"
    "Under `mpirun -n K` the runs are spread over K ranks; the file is the same.\n"
    "\n"
    "options:\n"
    "  -o, --output FILE     sweep file to write (default: SWEEP's name with .h5, here)\n"
    "      --jobs J          runs at once on each rank (default: cores / threads)\n"
    "      --threads N       OpenMP threads per run (default: 1, or cores / jobs); results\n"
    "                        do not depend on jobs or threads. Cores: OMP_NUM_THREADS or all;\n"
    "                        under mpirun keep ranks x jobs x threads <= cores\n"
    "      --fresh           discard an unfinished OUT.h5.partial instead of resuming it\n"
    "      --stop-after N    each rank stops after N runs, as if interrupted (tests, jobs)\n"
    "  -q, --quiet           no progress or table\n"
    "  -h, --help            this help\n"
    "\n"
    "A sweep stopped by SIGTERM/SIGINT keeps its finished runs in OUT.h5.partial and exits\n"
    "with code 3; running the same command again resumes it, skipping finished runs.\n"
    "exit codes: 0 ok, 1 runtime failure, 2 bad input, 3 stopped (resume later)\n";

enum { TAG_RESULT = 1, TAG_DONE = 2, TAG_STOP = 3 };
enum { MAX_PENDING_SENDS = 16 };

typedef struct driver {
    int rank, size;
    const sweep_spec *sp;
    int threads; /* OpenMP threads per run */
    int jobs;    /* runs at once on this rank */
    bool quiet, show;
    sweep_file file; /* rank 0 */
    size_t result_bytes;
    unsigned char *msg; /* 8-byte run number + result */
    size_t runs_done, runs_before, stored_now;
    int workers_left;   /* rank 0: ranks that have not reported DONE */
    bool stop;          /* stop as soon as possible (signal, STOP message, worker stopped) */
    bool stop_sent;     /* rank 0: STOP went to every other rank */
    bool stop_received; /* other ranks: the STOP has been taken */
    int status;         /* worst outcome so far: EXIT_OK, EXIT_INTERRUPTED, or an error */
    diag d;
    double t0, last_shown; /* clock_seconds() */
#ifdef RUMBO_MPI
    MPI_Request pending[MAX_PENDING_SENDS];
    unsigned char *pending_buf[MAX_PENDING_SENDS];
#endif
} driver;

static void worse(driver *dr, int status)
{
    if (status == EXIT_OK) return;
    if (dr->status == EXIT_OK || dr->status == EXIT_INTERRUPTED) dr->status = status;
}

static void show_progress(driver *dr)
{
    if (!dr->show || dr->rank != 0) return;
    if (dr->runs_done < dr->sp->runs && clock_seconds() - dr->last_shown < 0.2) return;
    dr->last_shown = clock_seconds();
    double el = dr->last_shown - dr->t0;
    double rate = el > 0 ? (double)dr->stored_now / el : 0;
    double eta = rate > 0 ? (double)(dr->sp->runs - dr->runs_done) / rate : 0;
    fprintf(stderr, "\r  run %zu/%zu  %.2f runs/s  ETA %.0f s   ", dr->runs_done, dr->sp->runs,
            rate, eta);
    if (dr->runs_done == dr->sp->runs) fputc('\n', stderr);
    fflush(stderr);
}

static void store(driver *dr, size_t sample, const void *result)
{
    if (dr->status != EXIT_OK && dr->status != EXIT_INTERRUPTED) return;
    if (sweep_file_put(&dr->file, dr->sp, sample, result, &dr->d)) {
        worse(dr, dr->d.exit_code);
        dr->stop = true;
        return;
    }
    dr->runs_done++;
    dr->stored_now++;
    show_progress(dr);
}

/* ---- messages (MPI builds) --------------------------------------------------------------- */

#ifdef RUMBO_MPI
/* Open MPI's blocking calls poll at full speed; a rank that has finished its share
 * would take a core from one still computing. Waiting ranks poll gently instead. */
static void nap(void)
{
    struct timespec ts = {0, 2000000}; /* 2 ms */
    nanosleep(&ts, NULL);
}

static void wait_gently(MPI_Request *req)
{
    int done = 0;
    for (MPI_Test(req, &done, MPI_STATUS_IGNORE); !done; MPI_Test(req, &done, MPI_STATUS_IGNORE))
        nap();
}

static void send_stop_to_all(driver *dr)
{
    if (dr->stop_sent) return;
    dr->stop_sent = true;
    int dummy = 0;
    for (int r = 0; r < dr->size; r++)
        if (r != dr->rank) MPI_Send(&dummy, 1, MPI_INT, r, TAG_STOP, MPI_COMM_WORLD);
}

/* Rank 0: takes every message that has arrived (results, DONE reports). */
static void drain(driver *dr, bool block)
{
    for (;;) {
        int flag = 0;
        MPI_Status st;
        if (block) {
            for (MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st); !flag;
                 MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st))
                nap();
        } else {
            MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
        }
        if (!flag) return;
        if (st.MPI_TAG == TAG_RESULT) {
            MPI_Recv(dr->msg, (int)(8 + dr->result_bytes), MPI_BYTE, st.MPI_SOURCE, TAG_RESULT,
                     MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            uint64_t sample;
            memcpy(&sample, dr->msg, 8);
            store(dr, (size_t)sample, dr->msg + 8);
        } else if (st.MPI_TAG == TAG_DONE) {
            char report[sizeof dr->d.msg + 8];
            MPI_Recv(report, (int)sizeof report, MPI_CHAR, st.MPI_SOURCE, TAG_DONE, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE);
            int status;
            memcpy(&status, report, sizeof status);
            if (status != EXIT_OK) {
                dr->stop = true;
                if (status != EXIT_INTERRUPTED && !dr->d.failed)
                    diag_fail(&dr->d, status, "rank %d: %s", st.MPI_SOURCE, report + 8);
                worse(dr, status);
            }
            dr->workers_left--;
        } else {
            int dummy;
            MPI_Recv(&dummy, 1, MPI_INT, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE);
        }
        if (block) return;
    }
}

/* Workers: a STOP from rank 0? */
static bool stop_message(driver *dr)
{
    int flag = 0;
    MPI_Iprobe(0, TAG_STOP, MPI_COMM_WORLD, &flag, MPI_STATUS_IGNORE);
    if (flag) {
        int dummy;
        MPI_Recv(&dummy, 1, MPI_INT, 0, TAG_STOP, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        dr->stop = dr->stop_received = true;
    }
    return dr->stop;
}

static void send_result(driver *dr, size_t sample, const unsigned char *result)
{
    int slot = -1;
    for (int i = 0; i < MAX_PENDING_SENDS && slot < 0; i++) {
        if (!dr->pending_buf[i]) {
            slot = i;
        } else {
            int done = 0;
            MPI_Test(&dr->pending[i], &done, MPI_STATUS_IGNORE);
            if (done) {
                free(dr->pending_buf[i]);
                dr->pending_buf[i] = NULL;
                slot = i;
            }
        }
    }
    if (slot < 0) {
        MPI_Waitany(MAX_PENDING_SENDS, dr->pending, &slot, MPI_STATUS_IGNORE);
        free(dr->pending_buf[slot]);
    }
    unsigned char *buf = malloc(8 + dr->result_bytes);
    if (!buf) abort();
    uint64_t s = sample;
    memcpy(buf, &s, 8);
    memcpy(buf + 8, result, dr->result_bytes);
    dr->pending_buf[slot] = buf;
    MPI_Isend(buf, (int)(8 + dr->result_bytes), MPI_BYTE, 0, TAG_RESULT, MPI_COMM_WORLD,
              &dr->pending[slot]);
}

static void finish_sends(driver *dr)
{
    for (int i = 0; i < MAX_PENDING_SENDS; i++) {
        if (!dr->pending_buf[i]) continue;
        wait_gently(&dr->pending[i]);
        free(dr->pending_buf[i]);
        dr->pending_buf[i] = NULL;
    }
}
#endif

/* Called once a simulated day inside each run: the place to notice signals and, on
 * rank 0, to store results that other ranks sent meanwhile. */
static bool check_stop(driver *dr)
{
    if (interrupt_requested()) {
        dr->stop = true;
        worse(dr, EXIT_INTERRUPTED);
    }
#ifdef RUMBO_MPI
    if (dr->size > 1) {
        if (dr->rank == 0) {
            drain(dr, false);
            if (dr->stop) send_stop_to_all(dr);
        } else {
            stop_message(dr);
        }
    }
#endif
    return dr->stop;
}

/* Runs in progress at once on this rank call this from their own threads: the driver's
 * state, the file and MPI are touched by one thread at a time (MPI_THREAD_SERIALIZED). */
static bool should_stop(void *ctx)
{
    bool stop;
#pragma omp critical(sweep_io)
    stop = check_stop(ctx);
    return stop;
}

/* ---- the loop ----------------------------------------------------------------------------- */

/* May this rank start another run? --stop-after N lets N start and finish, then stops
 * as if interrupted. */
static bool may_start(driver *dr, int64_t *started, int64_t stop_after)
{
    bool go;
#pragma omp critical(sweep_io)
    {
        go = !check_stop(dr);
        if (go && stop_after >= 0 && *started >= stop_after) {
            worse(dr, EXIT_INTERRUPTED);
            go = false;
        }
        if (go) (*started)++;
    }
    return go;
}

static void finished(driver *dr, size_t sample, int rc, const diag *d, const void *result)
{
#pragma omp critical(sweep_io)
    {
        if (rc == 1) {
            worse(dr, EXIT_INTERRUPTED);
        } else if (rc < 0) {
            if (!dr->d.failed) dr->d = *d;
            worse(dr, d->exit_code);
            dr->stop = true;
        } else if (dr->rank == 0) {
            store(dr, sample, result);
        } else {
#ifdef RUMBO_MPI
            send_result(dr, sample, result);
#endif
        }
    }
}

/* This rank's runs: every size-th of the to-do list from its rank on, `jobs` at a time
 * (dynamic scheduling: a long run does not hold up the others). */
static void run_share(driver *dr, const size_t *pending, size_t n_pending, int64_t stop_after)
{
    long n_mine = (long)((n_pending + (size_t)dr->size - 1 - (size_t)dr->rank) / (size_t)dr->size);
    if ((size_t)dr->rank >= n_pending) n_mine = 0;
    int64_t started = 0;
    if (dr->jobs > 1 && dr->threads > 1) omp_set_max_active_levels(2);
#pragma omp parallel num_threads(dr->jobs)
    {
        unsigned char *result = malloc(dr->result_bytes + 8);
        if (!result) abort();
#pragma omp for schedule(dynamic, 1)
        for (long j = 0; j < n_mine; j++) {
            size_t sample = pending[(size_t)dr->rank + (size_t)j * (size_t)dr->size];
            if (!may_start(dr, &started, stop_after)) continue;
            diag d = {0};
            int rc = sweep_run_sample(dr->sp, sample, dr->threads, should_stop, dr, result, &d);
            finished(dr, sample, rc, &d, result);
        }
        free(result);
    }
    if (dr->stop) worse(dr, EXIT_INTERRUPTED);
}

/* Rank 0, all runs stored: Sobol indices for saltelli designs. */
static int analyse(driver *dr)
{
    const sweep_spec *sp = dr->sp;
    if (sp->design != SWEEP_SALTELLI) return 0;
    double *ind = malloc(sp->runs * sp->m * sizeof(double) + 1);
    if (!ind) abort();
    sensitivity sens;
    int rc = sweep_file_read_indicators(&dr->file, sp, ind);
    if (rc == 0) rc = sensitivity_compute(sp, ind, &sens);
    if (rc == 0) {
        if (!dr->quiet) sensitivity_print(stdout, sp, &sens);
        rc = sensitivity_write(dr->file.file, sp, &sens);
        sensitivity_free(&sens);
    }
    free(ind);
    if (rc)
        diag_fail(&dr->d, EXIT_RUNTIME, "%s: computing or storing the Sobol indices failed",
                  dr->file.partial);
    return rc;
}

static size_t *pending_list(const uint8_t *done, size_t runs, size_t *n)
{
    size_t *pending = malloc((runs + 1) * sizeof(size_t));
    if (!pending) abort();
    *n = 0;
    for (size_t i = 0; i < runs; i++)
        if (!done[i]) pending[(*n)++] = i;
    return pending;
}

/* Rank 0 opens the file; everybody learns which runs are done. Returns the status. */
static int open_and_share(driver *dr, const char *out, bool fresh, uint8_t *done)
{
    int status = EXIT_OK;
    if (dr->rank == 0) {
        char warning[256];
        if (output_check_path(out, &dr->d) ||
            sweep_file_open(&dr->file, out, dr->sp, fresh, done, &dr->runs_before, warning, &dr->d))
            status = dr->d.exit_code ? dr->d.exit_code : EXIT_RUNTIME;
        else if (warning[0])
            fprintf(stderr, "rumbo: warning: %s\n", warning);
        dr->runs_done = dr->runs_before;
    }
#ifdef RUMBO_MPI
    if (dr->size > 1) {
        MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
        if (status == EXIT_OK) MPI_Bcast(done, (int)dr->sp->runs, MPI_BYTE, 0, MPI_COMM_WORLD);
    }
#endif
    return status;
}

static int finish(driver *dr, const char *out)
{
    if (dr->status == EXIT_OK && dr->runs_done != dr->sp->runs) dr->status = EXIT_INTERRUPTED;
    if (dr->status == EXIT_OK && analyse(dr)) dr->status = dr->d.exit_code;
    double secs = clock_seconds() - dr->t0;
    if (dr->status == EXIT_OK) {
        if (sweep_file_finish(&dr->file, &dr->d)) return cli_report(&dr->d);
        if (!dr->quiet)
            printf("rumbo sweep: %zu runs (%zu done before) in %.2f s on %d rank%s x %d "
                   "job%s x %d thread%s -> %s\n",
                   dr->sp->runs, dr->runs_before, secs, dr->size, dr->size == 1 ? "" : "s",
                   dr->jobs, dr->jobs == 1 ? "" : "s", dr->threads, dr->threads == 1 ? "" : "s",
                   out);
        return EXIT_OK;
    }
    diag keep = {0};
    sweep_file_suspend(&dr->file, &keep);
    if (dr->status == EXIT_INTERRUPTED) {
        if (!dr->quiet)
            fprintf(stderr,
                    "\nrumbo: sweep stopped with %zu of %zu runs done; they are kept in "
                    "%s.partial: run the same command again to continue\n",
                    dr->runs_done, dr->sp->runs, out);
        return EXIT_INTERRUPTED;
    }
    return cli_report(&dr->d);
}

static int sweep_main(driver *dr, const char *spec_path, const char *out, bool fresh,
                      int64_t stop_after)
{
    sweep_spec sp;
    diag d = {0};
    int failed = sweep_load(&sp, spec_path, &d) != 0;
#ifdef RUMBO_MPI
    /* Every rank reads the spec; if any cannot (a file missing on one node), all stop. */
    if (dr->size > 1) {
        int any = failed;
        MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
        if (any && !failed)
            diag_fail(&d, EXIT_BAD_INPUT, "%s: another rank could not read the sweep", spec_path);
        failed = any;
    }
#endif
    if (!failed && sweep_result_bytes(&sp) + 8 > (size_t)INT32_MAX) {
        diag_fail(&d, EXIT_BAD_INPUT,
                  "%s: one run's results exceed 2 GiB (store_series with "
                  "very long runs): store fewer series or days",
                  spec_path);
        failed = 1;
    }
    if (failed) {
        sweep_free(&sp);
        return dr->rank == 0 ? cli_report(&d) : d.exit_code;
    }
    dr->sp = &sp;
    dr->result_bytes = sweep_result_bytes(&sp);
    dr->msg = malloc(dr->result_bytes + 8);
    uint8_t *done = calloc(sp.runs + 1, 1);
    if (!dr->msg || !done) abort();
    interrupt_install();
    dr->t0 = clock_seconds();
    dr->last_shown = dr->t0;
    int rc = open_and_share(dr, out, fresh, done);
    if (rc != EXIT_OK) {
        if (dr->rank == 0) cli_report(&dr->d);
    } else {
        size_t n_pending;
        size_t *pending = pending_list(done, sp.runs, &n_pending);
        dr->workers_left = dr->size - 1;
        run_share(dr, pending, n_pending, stop_after);
#ifdef RUMBO_MPI
        if (dr->size > 1 && dr->rank == 0) {
            if (dr->stop) send_stop_to_all(dr);
            while (dr->workers_left > 0) {
                drain(dr, true);
                if (dr->stop) send_stop_to_all(dr);
            }
        } else if (dr->size > 1) {
            finish_sends(dr);
            char report[sizeof dr->d.msg + 8];
            memcpy(report, &dr->status, sizeof dr->status);
            memcpy(report + 8, dr->d.msg, sizeof dr->d.msg);
            MPI_Send(report, (int)sizeof report, MPI_CHAR, 0, TAG_DONE, MPI_COMM_WORLD);
        }
#endif
        free(pending);
        rc = dr->rank == 0 ? finish(dr, out) : dr->status;
#ifdef RUMBO_MPI
        /* Every rank exits with rank 0's verdict, so mpirun reports one outcome, and takes
         * a STOP that rank 0 sent after this rank had finished (no message is left
         * unreceived at MPI_Finalize). */
        if (dr->size > 1) {
            int verdict[2] = {rc, dr->stop_sent};
            MPI_Request req;
            MPI_Ibcast(verdict, 2, MPI_INT, 0, MPI_COMM_WORLD, &req);
            wait_gently(&req);
            rc = verdict[0];
            if (dr->rank != 0 && verdict[1] && !dr->stop_received) {
                int dummy;
                MPI_Recv(&dummy, 1, MPI_INT, 0, TAG_STOP, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            }
        }
#endif
    }
    free(done);
    free(dr->msg);
    sweep_free(&sp);
    return rc;
}

int cmd_sweep(int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, 0, 'o'},
                                         {"threads", required_argument, 0, 'T'},
                                         {"jobs", required_argument, 0, 'J'},
                                         {"fresh", no_argument, 0, 'F'},
                                         {"stop-after", required_argument, 0, 'A'},
                                         {"quiet", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    diag d = {0};
    const char *output = NULL;
    int64_t threads = 0, jobs = 0, stop_after = -1;
    bool fresh = false, quiet = false;
    int c;
    optind = 1;
    opterr = 0; /* one message, ours (cli_bad_option) */
    while (!d.failed && (c = getopt_long(argc, argv, ":o:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            output = optarg;
            break;
        case 'T':
            cli_parse_count("--threads", optarg, 1, 1024, &threads, &d);
            break;
        case 'J':
            cli_parse_count("--jobs", optarg, 1, 1024, &jobs, &d);
            break;
        case 'F':
            fresh = true;
            break;
        case 'A':
            cli_parse_count("--stop-after", optarg, 0, INT64_MAX, &stop_after, &d);
            break;
        case 'q':
            quiet = true;
            break;
        case 'h':
            fputs(sweep_usage, stdout);
            return EXIT_OK;
        default:
            cli_bad_option("sweep", argv, c, &d);
            break;
        }
    }
    if (!d.failed && optind != argc - 1)
        diag_fail(&d, EXIT_BAD_INPUT,
                  "sweep needs exactly one SWEEP.yaml (see rumbo sweep --help)");
    if (d.failed) return cli_report(&d);
    driver dr;
    memset(&dr, 0, sizeof dr);
    dr.size = 1;
#ifndef RUMBO_MPI
    /* Several copies of a serial build under mpirun would all be "rank 0". */
    const char *world = getenv("OMPI_COMM_WORLD_SIZE");
    if (!world) world = getenv("PMI_SIZE");
    if (world && atoi(world) > 1) {
        diag_fail(&d, EXIT_BAD_INPUT,
                  "this rumbo was built without MPI: build with "
                  "-DRUMBO_MPI=ON to run a sweep under mpirun");
        return cli_report(&d);
    }
#else
    int provided;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &dr.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &dr.size);
#endif
    /* Small runs scale better over runs than over threads within a run: by default a rank
     * runs one run per core, each on one thread. */
    int cores = omp_get_max_threads();
    dr.threads = threads > 0 ? (int)threads : jobs > 0 ? cores / (int)jobs : 1;
    if (dr.threads < 1) dr.threads = 1;
    dr.jobs = jobs > 0 ? (int)jobs : cores / dr.threads;
    if (dr.jobs < 1) dr.jobs = 1;
#ifdef RUMBO_MPI
    if (provided < MPI_THREAD_SERIALIZED) dr.jobs = 1; /* then only the main thread calls MPI */
#endif
    dr.quiet = quiet;
    dr.show = !quiet && isatty(STDERR_FILENO);
    char *out = output ? strdup(output) : cli_default_output(argv[optind]);
    if (!out) abort();
    int rc = sweep_main(&dr, argv[optind], out, fresh, stop_after);
    free(out);
#ifdef RUMBO_MPI
    MPI_Finalize();
#endif
    return rc;
}
