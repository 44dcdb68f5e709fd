/* Scenario comparison: the indicator table of two (or more) outputs as ensemble means
 * with 95% intervals, and each file's difference from the first (B - A) with a Welch
 * interval, printed as a readable table, CSV, or an HTML table for reports.
 *
 * Members whose value is undefined (e.g. a median transit time in a year nobody
 * arrived) are left out of that cell's summary; a cell with no values is "n/a". */
#ifndef RUMBO_COMPARE_H
#define RUMBO_COMPARE_H

#include <stdio.h>

#include "analysis/indicators.h"
#include "analysis/stats.h"

/* The summary of file r's values in one cell (n == 0: n/a). */
stats_summary compare_summary(const ind_table *t, const ind_row *row, int r, int p);
/* File r minus the first file in one cell (NaN diff: n/a). */
stats_diff compare_difference(const ind_table *t, const ind_row *row, int r, int p);

/* Whether a row is worth printing: category rows that are zero or n/a in every file
 * and period (a state nobody passes through) are left out; plain rows always show,
 * n/a included, so an analyst sees which indicators a run could not give. */
bool compare_row_shown(const ind_table *t, const ind_row *row);

void compare_print(FILE *f, const ind_table *t);
int compare_write_csv(FILE *f, const ind_table *t);
void compare_write_html(FILE *f, const ind_table *t);
/* Writes `s` with HTML's special characters escaped (shared with the report). */
void compare_html_text(FILE *f, const char *s);

#endif
