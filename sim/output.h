/* HDF5 output (DESIGN.md "Output layout").
 *
 * Writes every registered series with its dimension scales, units and
 * descriptions, plus the root attributes that make a run repeatable from its output
 * alone. The file is built in memory, written under a temporary name in the same
 * directory, synced, and renamed over the requested path only when complete, so a
 * crash, kill -9 or a full disk never leaves a truncated file where the user
 * expects results (at worst a stray PATH.tmp.PID). A path that exists and is not a
 * regular file (/dev/null, /dev/full, a FIFO) is written directly, never replaced. */
#ifndef RUMBO_OUTPUT_H
#define RUMBO_OUTPUT_H

#include "sim/diag.h"
#include "sim/series.h"

typedef struct run_info {
    const char *scenario_yaml;
    const char *scenario_name;
    unsigned long long seed;
    int members;
    int start_date; /* days since 1970-01-01 */
    int days;
} run_info;

/* Checks, before any simulation, that `path` can be written: the directory exists
 * (bad input, exit 2, otherwise) and is writable (runtime failure, exit 1). */
int output_check_path(const char *path, diag *d);

/* Writes members' series sets (members == 1: no member dimension). */
int output_write(const char *path, const series_set *const *members, int n_members,
                 const run_info *info, diag *d);

#endif
