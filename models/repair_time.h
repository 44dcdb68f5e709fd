/* How long a damaged edge stays closed: a fixed number of days or a random draw.
 *
 * Scenario syntax:
 *   repair_days: 8                                              # fixed
 *   repair_days: {distribution: lognormal, median: 90, sigma: 0.5}
 * Repair times are right-skewed (most washouts are fixed in days, a few bridges
 * take years), hence the lognormal: exp(N(log median, sigma^2)). A draw is a pure
 * function of two uniforms, so each caller keys it to its own Philox stream. */
#ifndef RUMBO_REPAIR_TIME_H
#define RUMBO_REPAIR_TIME_H

#include <stdbool.h>

#include "sim/config.h"

typedef struct repair_time {
    bool lognormal;
    double days;   /* fixed */
    double median; /* lognormal */
    double sigma;
} repair_time;

/* Reads map[key] (required). */
int repair_time_read(cfg *map, const char *key, repair_time *r, diag *d);

/* Days closed (>= 1, whole days) from two uniforms in [0, 1). */
int repair_time_draw(const repair_time *r, double u1, double u2);

#endif
