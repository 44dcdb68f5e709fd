/* Stochastic hurricanes for long runs and sweeps (MODEL.md 3.4).
 *
 * Each calendar year has a Poisson number of landfalls with mean
 * `landfalls_per_year`. Each landfall gets a date in the June-November season
 * (month by the `season` weights, day uniform within the month), an intensity
 * class (by the classes' shares) and a landfall point uniform in the
 * `landfall_box`. Its impact region is the circle of the class's `radius_km` around
 * that point; each edge of a damaged mode in it is closed, with the class's
 * `close_probability`, from the landfall date for a repair time drawn from the
 * class's `repair_days`.
 *
 * Everything is a pure function of (seed, member, year): the same seed draws the
 * same storms whatever the run's start, length or thread count. Philox streams
 * (purpose block RNG_HAZARD): +1 the year's count (subject = year), +2 storm k's
 * date, class and point (subject = year, index = k), +3 the damage to edge e
 * (subject = year, day = k, index = e). */
#ifndef RUMBO_HURRICANE_GENERATOR_H
#define RUMBO_HURRICANE_GENERATOR_H

#include <stdbool.h>
#include <stdint.h>

#include "models/hazard_region.h"
#include "models/repair_time.h"
#include "sim/config.h"
#include "sim/network.h"
#include "sim/rng.h"

enum { HURRICANE_SEASON_MONTHS = 6, HURRICANE_FIRST_MONTH = 6, HURRICANE_MAX_PER_YEAR = 64 };

typedef struct hurricane_class {
    char *name;
    double share;
    double radius_km;
    double close_probability;
    repair_time repair;
} hurricane_class;

typedef struct hurricane_params {
    bool on;
    double landfalls_per_year;
    double season[HURRICANE_SEASON_MONTHS]; /* June..November, normalised to sum 1 */
    hazard_region landfall_box;
    bool damages[MODE_COUNT];
    hurricane_class *classes;
    int n_classes;
} hurricane_params;

typedef struct storm {
    int32_t date; /* landfall, days since 1970-01-01 */
    int cls;      /* index into classes */
    double lat, lon;
} storm;

typedef struct storm_damage {
    int edge;
    int32_t from, until; /* closed on dates [from, until) */
} storm_damage;

/* Reads the `hurricanes:` map (c). */
int hurricane_read(cfg *c, hurricane_params *p, diag *d);
void hurricane_free(hurricane_params *p);

/* Draws the storms of calendar `year` into out[HURRICANE_MAX_PER_YEAR], in date
 * order; returns how many. */
int hurricane_year(const hurricane_params *p, rng_key key, int year, storm *out);

/* The edges storm k of `year` closes, into out[net->n_edges]; returns how many. */
int hurricane_damage(const hurricane_params *p, rng_key key, int year, int k, const storm *st,
                     const network *net, storm_damage *out);

/* Poisson(mean) by inversion of one uniform (mean is small: a few per year). */
int hurricane_poisson(double mean, double u);

#endif
