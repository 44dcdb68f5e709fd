/* The sweep file: one HDF5 file that grows as runs finish.
 *
 * While a sweep runs, results go to OUT.partial, one row per finished run, written at
 * the run's own row (so the order in which runs finish, on one rank or many, does not
 * change the file) and flushed every few seconds. Nothing but the current run is held
 * in memory. A sweep that stops (SIGTERM, wall-time limit, a crash between flushes)
 * leaves OUT.partial behind; running the same sweep again reopens it, skips the runs
 * marked done and continues. When every run is done the file gets its sensitivity
 * indices (saltelli) and is renamed to OUT.
 *
 * Layout (dimension scales sample, parameter, indicator):
 *   parameters[sample, parameter]   the run's parameter values
 *   indicators[sample, indicator]   its headline indicators (analysis/sweep_indicators.h)
 *   point[sample], replicate[sample], done[sample]
 *   parameter_name, indicator_name  labels
 *   series/NAME[sample, time, ...]  every run's time series (store_series only)
 *   sensitivity/{S,S_lo,S_hi,ST,ST_lo,ST_hi}[indicator, parameter]   (saltelli only)
 * Root attributes: format, sweep (the spec), scenario (the resolved base scenario),
 * design, samples, replicates, points, runs, seed, version, commit. Nothing in the
 * file depends on timing, ranks or threads, so serial, MPI and resumed sweeps write
 * the same datasets. */
#ifndef RUMBO_SWEEP_FILE_H
#define RUMBO_SWEEP_FILE_H

#include <hdf5.h>
#include <stdbool.h>
#include <stdint.h>

#include "analysis/sweep.h"
#include "sim/diag.h"

typedef struct sweep_file {
    hid_t file;
    hid_t ds_sample, ds_params, ds_ind, ds_point, ds_rep, ds_done;
    hid_t *ds_series;
    size_t n_series;
    size_t extent; /* rows every per-sample dataset has now */
    char *path, *partial;
    double last_flush;
    size_t stored; /* runs stored by this process */
} sweep_file;

/* Opens PATH.partial for `sp`: resumes it when it belongs to the same sweep (same spec
 * and base scenario), marking finished runs in done[0..runs), else (or with `fresh`)
 * creates it. A different sweep's partial file is bad input unless `fresh`.
 * `warning` (256 bytes) receives a note when a damaged partial file was replaced. */
int sweep_file_open(sweep_file *f, const char *path, const sweep_spec *sp, bool fresh,
                    uint8_t *done, size_t *n_done, char *warning, diag *d);

/* Stores run `sample`'s result (see sweep_result_bytes). */
int sweep_file_put(sweep_file *f, const sweep_spec *sp, size_t sample, const void *result, diag *d);

/* Reads the indicators of every run (runs x m) after all are done. */
int sweep_file_read_indicators(sweep_file *f, const sweep_spec *sp, double *out);

/* All runs done: closes and moves the file to its final name. */
int sweep_file_finish(sweep_file *f, diag *d);
/* Stopping early: flushes and closes, keeping PATH.partial for a later resume. */
int sweep_file_suspend(sweep_file *f, diag *d);

#endif
