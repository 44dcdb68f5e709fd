/* Ensemble statistics.
 *
 * An ensemble is the same scenario run with different members (random streams). What an
 * analyst needs from it is "how big is this output, and how sure are we", and when comparing
 * two scenarios "is the difference real". These functions answer both with 95% intervals
 * from Student's t, which is right for the small ensembles (10-100 members) that HPC budgets
 * allow, where a normal approximation would be overconfident.
 *
 * All functions are pure: they read the arrays they are given (except the quantile helpers,
 * which sort in place to avoid allocating) and keep no state. NaN in the input propagates to
 * the result; callers decide whether a failed member is dropped or poisons the summary. */
#ifndef RUMBO_STATS_H
#define RUMBO_STATS_H

#include <stdbool.h>
#include <stddef.h>

/* Confidence level of every interval in this module. */
#define STATS_LEVEL 0.95

typedef struct {
    size_t n;
    double mean;
    double sd; /* sample standard deviation (divisor n-1) */
    double lo; /* 95% confidence interval of the mean: mean -/+ t(0.975, n-1) * sd / sqrt(n) */
    double hi;
} stats_summary;

/* Summarises n values. n == 0: every field but n is NaN. n == 1: sd = 0 and lo = hi = mean;
 * a single run (e.g. a deterministic check) still gets a point in tables and plots, but the
 * collapsed interval is a convention, not a claim of certainty. */
stats_summary stats_summarize(const double *x, size_t n);

typedef struct {
    double diff; /* mean(b) - mean(a): "b relative to baseline a" */
    double lo;   /* Welch 95% confidence interval of diff */
    double hi;
    double df;        /* Welch-Satterthwaite degrees of freedom */
    bool significant; /* the interval excludes 0 */
} stats_diff;

/* Compares two ensembles without assuming equal variances (Welch's t interval); scenarios
 * routinely change the spread of outputs as well as their level, so pooling would be wrong.
 *
 * Edge cases:
 * - either group empty: diff, lo, hi, df are NaN; not significant.
 * - either group with one member: its variance cannot be estimated, so lo, hi and df are NaN
 *   and the result is not significant; diff is still the difference of means.
 * - both variances zero (e.g. deterministic outputs): the interval collapses to the point
 *   [diff, diff], df = na + nb - 2, and any non-zero diff counts as significant. */
stats_diff stats_difference(const double *a, size_t na, const double *b, size_t nb);

/* Median of x. Sorts x in place (so callers can reuse the sorted array); NaN if n == 0.
 * x must not contain NaN: NaN has no place in a sort order, so the result would be arbitrary. */
double stats_median(double *x, size_t n);

/* Quantile p in [0, 1] of x with linear interpolation between order statistics
 * (Hyndman-Fan type 7, R's default). Sorts x in place; NaN if n == 0 or p outside [0, 1]. */
double stats_quantile(double *x, size_t n, double p);

/* The same on data already sorted ascending (no copy, no sort), for several quantiles. */
double stats_quantile_sorted(const double *sorted, size_t n, double p);

#endif
