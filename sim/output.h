/* HDF5 output (DESIGN.md "Output layout").
 *
 * Writes every registered series with its dimension scales, units and
 * descriptions, plus the root attributes that make a run repeatable from its output
 * alone. The file is written under a temporary name in the same directory, synced,
 * and renamed over the requested path only when complete, so a crash, kill -9 or a
 * full disk never leaves a truncated file where the user expects results (at worst
 * a stray PATH.tmp.PID). Through a symlink, the file it points to is replaced. A
 * path that exists and is not a regular file (/dev/null, /dev/full) is written
 * directly, never replaced; a FIFO is refused by HDF5 (it needs to seek). */
#ifndef RUMBO_OUTPUT_H
#define RUMBO_OUTPUT_H

#include <stdbool.h>

#include "sim/diag.h"
#include "sim/series.h"

typedef struct run_info {
    const char *scenario_yaml;
    const char *scenario_name;
    unsigned long long seed;
    int members;
    int first_member; /* member number of the first (or only) member written */
    int start_date;   /* days since 1970-01-01 */
    int days;
} run_info;

/* Checks, before any simulation, that `path` can be written: the directory exists
 * (bad input, exit 2, otherwise) and is writable (runtime failure, exit 1). */
int output_check_path(const char *path, diag *d);

/* An output being written: open it with the layout of the first member, write each
 * member as it finishes (so an ensemble never has to be held in memory at once), and
 * close it, which moves the complete file into place. n_members == 1: no member
 * dimension. Member k of the file is member number info->first_member + k. */
typedef struct output_file output_file;

output_file *output_open(const char *path, const series_set *layout, int n_members,
                         const run_info *info, diag *d);
int output_write_member(output_file *o, int k, const series_set *ss, diag *d);
/* Threads that compress the chunks of output_write_member (default 1). */
void output_set_threads(output_file *o, int threads);
/* keep: finish and rename into place; !keep: discard the temporary file (returns 0). */
int output_close(output_file *o, bool keep, diag *d);

/* All at once: members' series sets (members == 1: no member dimension). */
int output_write(const char *path, const series_set *const *members, int n_members,
                 const run_info *info, diag *d);

#endif
