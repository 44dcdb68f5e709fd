/* Sobol sensitivity indices of a finished saltelli sweep, per indicator.
 *
 * With replicates > 1 the indices are computed on the mean over replicates at each
 * design point (the model's expected outcome), so run-to-run noise is not read as
 * sensitivity. Intervals are bootstrap 95% percentile intervals (sobol.h); the bootstrap
 * generator is seeded with the sweep's seed for each indicator, so indices do not depend
 * on which other indicators are kept. */
#ifndef RUMBO_SENSITIVITY_H
#define RUMBO_SENSITIVITY_H

#include <hdf5.h>
#include <stdio.h>

#include "analysis/sobol.h"
#include "analysis/sweep.h"

typedef struct sensitivity {
    size_t m, k;
    sobol_index *idx; /* m x k, indicator-major */
} sensitivity;

/* `ind` holds every run's indicators (runs x m). */
int sensitivity_compute(const sweep_spec *sp, const double *ind, sensitivity *out);
void sensitivity_free(sensitivity *s);

/* The table analysts read: one line per (indicator, parameter). */
void sensitivity_print(FILE *f, const sweep_spec *sp, const sensitivity *s);

/* Writes group `sensitivity` into an open sweep file. */
int sensitivity_write(hid_t file, const sweep_spec *sp, const sensitivity *s);

#endif
