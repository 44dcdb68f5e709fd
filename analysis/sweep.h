/* Parameter sweeps: a base scenario, parameters to vary, a design, replicates.
 *
 * SWEEP.yaml (README "Sweeps and sensitivity" documents every key):
 *
 *     scenario: ../scenarios/baseline.yaml    # relative to this file; or `model: ishigami`
 *     set: {days: 365}                        # fixed overrides for every run (like --set)
 *     parameters:                             # dotted scenario keys, exactly as --set takes
 *       inflow.per_year: {range: [50000, 250000]}
 *       movement.trains.chiapas_mayab.departures_per_week: {values: [1, 3, 7]}
 *     design: saltelli                        # grid | lhs | saltelli
 *     samples: 64                             # lhs: rows; saltelli: base samples N
 *     replicates: 1                           # runs per design point (members 0..R-1)
 *     seed: 1                                 # Latin hypercube and bootstrap draws
 *     bootstrap: 1000                         # saltelli: resamples for the intervals
 *     indicators: [entry, arrival, share_arriving]   # default: all (analysis/sweep_indicators.h)
 *     store_series: false                     # also keep every run's time series
 *
 * Runs are numbered sample = point x replicates + replicate, where point is the row of
 * the design (design.h gives the row order of each design). Replicate r runs ensemble
 * member r; every point uses the scenario's seed, so points differ only by their
 * parameters (common random numbers, which sharpens comparisons and indices).
 *
 * Everything is validated before any run, with the cfg readers' FILE:LINE: key
 * messages, including the scenario at both ends of each parameter's range (or at each
 * listed value), so a typo in a key or an impossible range fails in a second, not
 * halfway through a cluster allocation.
 *
 * The `ishigami` pseudo-model evaluates the Ishigami function (sobol.h) instead of a
 * scenario: parameters x1, x2, x3 (those not varied are 0), `set` may give a and b
 * (default 7 and 0.1), and the one indicator is y. It checks the whole pipeline (design,
 * runs, file, indices) against analytical Sobol indices. */
#ifndef RUMBO_SWEEP_H
#define RUMBO_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/design.h"
#include "sim/diag.h"
#include "sim/series.h"

typedef enum { SWEEP_GRID, SWEEP_LHS, SWEEP_SALTELLI, SWEEP_DESIGN_COUNT } sweep_design;
extern const char *const sweep_design_names[SWEEP_DESIGN_COUNT];

typedef struct sweep_param {
    char *key;      /* dotted scenario key */
    double *values; /* list values (NULL for a range) */
    int line;       /* in SWEEP.yaml, for messages */
} sweep_param;

/* Shape of the time series a run writes (store_series), the same for every run. */
typedef struct sweep_series {
    char name[48];
    series_type type;
    size_t record; /* values per day */
    int ndims;     /* dimensions after time */
    size_t dims[SERIES_MAX_DIMS];
    char dim_names[SERIES_MAX_DIMS][32];
} sweep_series;

typedef struct sweep_spec {
    char *path;
    char *text; /* the spec as read (YAML), stored in the output and checked on resume */
    bool ishigami;
    double ish_a, ish_b;
    char *scenario_path; /* resolved against the spec's directory */
    char *scenario_yaml; /* base scenario after `set`, stored and checked on resume */
    char **sets;         /* "key=value" for the fixed overrides */
    int n_sets;
    size_t k;
    sweep_param *params;
    design_param *dparams;
    sweep_design design;
    size_t samples; /* lhs rows / saltelli base samples */
    size_t replicates;
    uint64_t seed;
    size_t bootstrap;
    size_t m; /* indicators kept */
    int *ind; /* their indices (analysis/sweep_indicators.h); unused for ishigami */
    char **ind_names;
    bool store_series;
    int days; /* of every run (store_series layout) */
    size_t n_series;
    sweep_series *series;
    size_t points; /* design rows */
    size_t runs;   /* points x replicates */
    double *rows;  /* the design: points x k */
} sweep_spec;

/* Reads and validates SWEEP.yaml and builds the design. `diag` gets FILE:LINE: key
 * messages (exit 2). */
int sweep_load(sweep_spec *sp, const char *path, diag *d);
void sweep_free(sweep_spec *sp);

/* Asked once a simulated day during a run: true abandons the run (a SIGTERM). */
typedef bool (*sweep_stop_fn)(void *ctx);

/* One run's results: m indicators, then (store_series) every series' days x record
 * values as raw bytes in registration order. sweep_result_bytes gives the size. */
size_t sweep_result_bytes(const sweep_spec *sp);

/* Runs sample `sample` with `threads` OpenMP threads into `result`. Returns 0, 1 if
 * stop() asked to abandon it, -1 on failure (d set). */
int sweep_run_sample(const sweep_spec *sp, size_t sample, int threads, sweep_stop_fn stop,
                     void *stop_ctx, void *result, diag *d);

/* The parameter values of a sample (k values). */
const double *sweep_sample_params(const sweep_spec *sp, size_t sample);

#endif
