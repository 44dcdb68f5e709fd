/* Experimental designs: which parameter combinations a sweep runs.
 *
 * A design is a matrix of rows x k doubles, row-major: row r holds the k parameter values of
 * run r. Three designs cover what rumbo's users do:
 *
 * - full grid: every combination of a few levels per parameter, for policy tables ("each
 *   checkpoint count under each hurricane season");
 * - Latin hypercube: a space-filling random sample whose every one-dimensional projection is
 *   stratified, for exploring many parameters with few expensive runs;
 * - Saltelli: the structured sample that sobol.h turns into variance-based sensitivity
 *   indices.
 *
 * Every design is a pure function of its arguments (random ones take the caller's gsl_rng),
 * so a sweep regenerates the same rows on every MPI rank and after a restart instead of
 * shipping them around. Callers allocate the output; the *_rows functions give its size and
 * guarantee rows * k * sizeof(double) does not overflow. */
#ifndef RUMBO_DESIGN_H
#define RUMBO_DESIGN_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

/* One parameter: a continuous range [lo, hi], or (when values != NULL) a list of discrete
 * values such as scenario variants or integer capacities. */
typedef struct {
    double lo, hi;        /* range, used when values == NULL; lo <= hi, both finite */
    size_t levels;        /* grid only: evenly spaced points from lo to hi inclusive */
    const double *values; /* discrete values (nvalues >= 1), used in the order given */
    size_t nvalues;
} design_param;

/* gsl_qrng_sobol offers 40 dimensions and a Saltelli design needs 2k of them. */
#define DESIGN_SALTELLI_MAX_K 20

/* Maps u in [0, 1] to a value of p. Range: lo + u (hi - lo), exactly lo at 0 and hi at 1.
 * List: values[floor(u * nvalues)] (the last value for u = 1), so a uniform u picks every
 * value with equal probability and a stratified u stays stratified over the list. */
double design_param_value(const design_param *p, double u);

/* Full grid.
 *
 * Levels of a range parameter: `levels` evenly spaced points from lo to hi inclusive
 * (levels == 1 gives the midpoint, so a range [v, v] pins a parameter at v). A list parameter
 * uses its values and ignores `levels`.
 *
 * Order: the last parameter varies fastest (row-major / odometer order, like nested loops
 * with parameter 0 outermost). Row r has level index i_j of parameter j where
 * r = sum_j i_j * prod_{m > j} L_m and L_m is the number of levels of parameter m. */

/* Number of grid rows (the product of level counts), or 0 if k == 0, a parameter is
 * invalid (range with levels == 0, lo > hi, non-finite bound, empty list) or the size
 * overflows. */
size_t design_grid_rows(const design_param *p, size_t k);

/* Writes grid row `index` (0-based, in the order above) into row[0..k-1], so a sweep can
 * compute any run's parameters without the whole grid. -1 if invalid or index >= rows. */
int design_grid_row(const design_param *p, size_t k, size_t index, double *row);

/* Writes the whole grid (design_grid_rows x k) into out. -1 if invalid. */
int design_grid(const design_param *p, size_t k, double *out);

/* Latin hypercube: n rows x k, each dimension cut into n equal strata of [0, 1) with exactly
 * one row per stratum, uniform within its stratum, and stratum orders independently shuffled
 * across dimensions; then mapped through design_param_value.
 *
 * Deterministic given the state of r. Draw order (fixed, so results are reproducible
 * across versions): for each dimension in turn, n uniforms (one jitter per stratum, in
 * stratum order), then a Fisher-Yates shuffle from the last row down using
 * gsl_rng_uniform_int. -1 if k == 0, n == 0, a parameter is invalid, n exceeds what r can
 * draw uniformly, or n x k overflows. */
int design_lhs(const design_param *p, size_t k, size_t n, gsl_rng *r, double *out);

/* Saltelli design for Sobol indices, from the Sobol low-discrepancy sequence in 2k
 * dimensions (gsl_qrng_sobol): each point gives one base sample, A_j (its first k
 * coordinates) and B_j (its last k), then AB_i,j is A_j with column i taken from B_j.
 *
 * Row layout: base sample j (0 <= j < n) occupies rows j(k+2) .. j(k+2)+k+1:
 *     row j(k+2)         A_j
 *     row j(k+2) + 1     B_j
 *     row j(k+2) + 2 + i AB_i,j   (i = 0 .. k-1)
 * Each row is an independent model run, so a sweep can stream and evaluate rows in any
 * order or on any rank; sobol_analyze expects the outputs in this same row order. Keeping
 * a base sample's k+2 rows together also means a truncated sweep still holds complete base
 * samples.
 *
 * The Sobol sequence proper starts at the all-zero point, and that point never enters the
 * design: it would put every parameter at lo at once, the most extreme corner of the space,
 * where simulation parameters are often degenerate (zero capacity, zero inflow) so the model
 * may fail or dominate the variance; and as A_0 = B_0 = 0 its estimator terms are zero, a
 * wasted run. GSL's generator (checked with 2.7.1, and pinned by a unit test) already starts
 * at the next point, (1/2, ..., 1/2); design_saltelli drops a leading all-zero point only if
 * the generator ever returns one, so base sample j is point j + 1 of the sequence either
 * way. (The trade-off: points 0 .. 2^m - 1 form a balanced net, so leaving out point 0
 * slightly lowers the quadrature quality, see Owen 2020, "On dropping the first Sobol'
 * point"; at the n used for indices it is negligible next to the bootstrap intervals.) Use n
 * a power of two. Point 1 also has A_0 = B_0 (both at the centre): a valid quadrature node
 * whose estimator terms are zero, not a degenerate corner. */

/* Rows of a Saltelli design, n (k + 2); 0 if k == 0, k > DESIGN_SALTELLI_MAX_K, n == 0,
 * n exceeds the sequence length, or the size overflows. */
size_t design_saltelli_rows(size_t k, size_t n);

/* Writes the design_saltelli_rows(k, n) x k Saltelli design into out. Lists are mapped
 * through design_param_value; `levels` is ignored. -1 on invalid input or allocation
 * failure. */
int design_saltelli(const design_param *p, size_t k, size_t n, double *out);

#endif
