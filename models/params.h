/* Small readers shared by the model modules' read_params: fixed-length lists,
 * share maps keyed by names, per-nationality maps, and error messages at a node. */
#ifndef RUMBO_PARAMS_H
#define RUMBO_PARAMS_H

#include <stddef.h>

#include "sim/config.h"

/* Reports a problem at `node` ("FILE:LINE: key 'PATH': ..."); returns -1. */
int params_fail(const cfg *node, diag *d, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reads list `key` of exactly n numbers in [lo, hi] into out[n]. */
int params_list(cfg *map, const char *key, size_t n, double lo, double hi, double *out, diag *d);

/* Reads a map of shares keyed by names[0..n) that add up to 1 (absent names are 0). */
int params_shares(cfg *map, const char *const *names, int n, double *out, diag *d);

/* Reads map `key`, which must have one entry per name in names[0..n) (every name
 * required), into the cfg nodes out[n]. */
int params_named_maps(cfg *map, const char *key, const char *const *names, int n, cfg **out,
                      diag *d);

/* The scenario's `population_scale` (1 when absent): the run simulates this many
 * times the real population. Each module multiplies into it what is counted in
 * people: inflow, capacities (seats, beds, jobs, places) and the counts weighed
 * against flows (behaviour's prior exposures, organisations' upkeep and collusion
 * payments), so that every agent meets the same odds at any scale. A run at 0.1 is
 * a 10% sample; a run at 50 is how `rumbo bench` reaches a million live agents. */
int params_population_scale(cfg *root, double *scale, diag *d);

/* Capacity x (seats, beds, places) at a scale. Below 1 a positive capacity stays at
 * least 1, so that no station or shelter vanishes from a small sample. */
double params_scale_capacity(double x, double scale);

#endif
