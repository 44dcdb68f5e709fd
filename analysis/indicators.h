/* Headline indicators: what analysts read off a run, per calendar year and over the
 * whole run, computed from outputs (not from simulation state) for every member.
 *
 * Each indicator is one line of indicator_table (indicators.c): its name, where it
 * comes from (event names as written in the output's `event_name`, outcomes, incidents,
 * or a dataset), whether it is given per year or over the run only, and its unit.
 * Some indicators split into categories (by nationality, mode, state, exit city);
 * categories are read from the files, so new events, modes or exits show up without
 * code changes. An indicator whose source a file lacks is "absent" for that file and
 * shown as n/a, never invented. */
#ifndef RUMBO_INDICATORS_H
#define RUMBO_INDICATORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/h5read.h"

typedef enum {
    IND_EVENTS,              /* sum of an event over the period */
    IND_EVENTS_PER_1000,     /* an event per 1,000 entries in the same period */
    IND_LEFT,                /* people leaving the system with an outcome (e.g. dead) */
    IND_LEFT_BY_NATIONALITY, /* the same by nationality, plus "all" */
    IND_LEFT_SHARE_BY_EXIT,  /* share of an outcome by the exit node where it happened */
    IND_TRANSIT_MEDIAN,      /* median whole days from entry to arrival at the US border */
    IND_FLOW_SHARE_BY_MODE,  /* share of edge departures by travel mode */
    IND_FLOW_SHARE_BY_STATE, /* share of edge departures by the state they start in */
    IND_INCIDENTS,           /* incidents of a kind at all places */
    IND_POPULATION_MEAN,     /* people in the system, mean over the period's days */
    IND_EVERY_EVENT,         /* each event in the files, by name */
} indicator_kind;

typedef struct indicator {
    const char *name;
    indicator_kind kind;
    const char *source; /* names in the output; '|' separates alternatives */
    const char *unit;
    bool per_year; /* false: over the whole run only */
} indicator;

extern const indicator indicator_table[];
extern const int indicator_count;

enum { IND_MAX_RUNS = 8 };

/* A calendar year, or the whole run (dates: days since 1970-01-01, [first, end)). */
typedef struct ind_period {
    char label[24];
    int32_t first, end;
    bool whole_run;
    bool partial; /* some file covers only part of this year */
} ind_period;

/* One row: an indicator, or one category of it. values[r] holds, for file r,
 * n_periods x n_members values (period-major); NaN where the file lacks the source, the
 * period lies outside the file's dates, or the value is undefined (median of nothing). */
typedef struct ind_row {
    int indicator; /* index into indicator_table */
    char category[64];
    bool present[IND_MAX_RUNS];
    double *values[IND_MAX_RUNS];
} ind_row;

typedef struct ind_table {
    int n_runs;
    const h5run *runs;
    int n_periods;
    ind_period *periods;
    int n_rows;
    ind_row *rows;
} ind_table;

/* Computes every indicator for every member of every file (at most IND_MAX_RUNS). */
int indicators_compute(ind_table *t, const h5run *runs, int n_runs, diag *d);
void indicators_free(ind_table *t);

/* The row's values of file r in period p (n_members of them). */
static inline const double *ind_values(const ind_table *t, const ind_row *row, int r, int p)
{
    return row->values[r] + (size_t)p * (size_t)t->runs[r].n_members;
}

/* "name" or "name: category". */
void ind_row_label(const ind_row *row, char *buf, size_t len);

#endif
