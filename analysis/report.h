/* Reports: plots (PNG and SVG) and an index.html for one or more outputs, so that an
 * analyst can see at a glance what a scenario does and how two scenarios differ.
 *
 *   ts_*.png      time series, one line per file with its ensemble band: every event
 *                 in the files (by name), people in Mexico, deaths
 *   map_X.png     the network by longitude and latitude, edge width ~ mean daily flow,
 *                 node area ~ mean number of people there
 *   bars_*.png    by place: detections, crimes and injuries (when a file has any),
 *                 arrivals by border city, deaths by place; mode shares
 *   index.html    the comparison table (analysis/compare.h) and every plot
 *
 * Each PNG has an SVG twin for print. */
#ifndef RUMBO_REPORT_H
#define RUMBO_REPORT_H

#include "analysis/h5read.h"

/* Writes the report for runs[0..n_runs) into directory `dir` (created if missing).
 * Prints one line per file written to stdout unless quiet. */
int report_write(const h5run *runs, int n_runs, const char *dir, bool quiet, diag *d);

#endif
