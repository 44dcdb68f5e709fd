/* Reading rumbo outputs back: the file's layout (members, days, start date) and its
 * datasets, one member at a time, as doubles.
 *
 * Analysis code reads outputs rather than simulation state, so that comparing and
 * plotting work on files from any version, machine or MPI job. What a file lacks (a
 * module that was not on, a dataset added after it was written) is reported as absent,
 * never guessed: callers show it as "n/a". */
#ifndef RUMBO_H5READ_H
#define RUMBO_H5READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/diag.h"

enum { H5RUN_MAX_DIMS = 3 };

typedef struct h5run {
    int64_t file; /* hid_t */
    char *path;
    char *scenario_name;
    int n_members;    /* 1 for a single run (no member dimension) */
    int first_member; /* member number of member 0 */
    bool member_dim;  /* datasets have a leading member axis */
    int days;
    int32_t start; /* date of day 0, days since 1970-01-01 */
} h5run;

/* Opens a rumbo output for reading. Not a rumbo output, or unreadable: bad input. */
int h5run_open(h5run *r, const char *path, diag *d);
void h5run_close(h5run *r);

bool h5run_has(const h5run *r, const char *name);

/* A series' dimensions after [member,] time: returns how many (0..H5RUN_MAX_DIMS) and
 * their sizes, or -1 if the file has no such series. */
int h5run_record_shape(const h5run *r, const char *name, size_t dims[H5RUN_MAX_DIMS]);

/* Member k's values of series `name` as doubles, days x record (malloc'd; *record
 * set). NULL if the file has no such series; I/O errors set d. */
double *h5run_read(const h5run *r, const char *name, int member, size_t *record, diag *d);

/* A 1-D dataset of strings (e.g. event_name, edge_mode), malloc'd; NULL if absent. */
char **h5run_strings(const h5run *r, const char *name, size_t *n);
void h5run_free_strings(char **s, size_t n);

/* A 1-D numeric dataset (e.g. node_lat, edge_from) as doubles, malloc'd; NULL if absent. */
double *h5run_numbers(const h5run *r, const char *name, size_t *n);

/* Index of `name` in a string list, or -1. `names` may hold alternatives separated
 * by '|' ("detention|detained"): the first one present wins. */
int h5run_find_label(char *const *labels, size_t n, const char *names);

#endif
