/* Variance-based (Sobol) sensitivity indices.
 *
 * Which parameters drive a migration outcome, alone and through interactions? The
 * first-order index S_i is the share of output variance explained by parameter i alone; the
 * total index ST_i adds every interaction that involves i. ST_i near 0 means the parameter
 * can be fixed at any value in its range; ST_i much larger than S_i means its effect depends
 * on other parameters (e.g. enforcement only matters when inflow is high).
 *
 * Input: model outputs y in the row order of design_saltelli (design.h): base sample j at
 * y[j(k+2)] = f(A_j), y[j(k+2)+1] = f(B_j), y[j(k+2)+2+i] = f(AB_i,j). Estimators:
 *     S_i  = mean_j[ f(B_j) (f(AB_i,j) - f(A_j)) ] / V          Saltelli et al. 2010
 *     ST_i = mean_j[ (f(A_j) - f(AB_i,j))^2 ] / (2 V)           Jansen 1999
 * with V the variance (divisor 2n) of the 2n outputs f(A_j), f(B_j) together.
 *
 * Outputs are centred on their overall mean before forming the products. The estimators'
 * expectations are unchanged (f(AB_i) - f(A) has mean zero), but without it a large common
 * level, typical of counts in the thousands that vary by tens, multiplies the sampling noise
 * of S_i. NaN outputs (failed runs) propagate; drop or rerun whole base samples instead. */
#ifndef RUMBO_SOBOL_H
#define RUMBO_SOBOL_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

typedef struct {
    double S, S_lo, S_hi;    /* first-order index and its bootstrap 95% interval */
    double ST, ST_lo, ST_hi; /* total-order index and its bootstrap 95% interval */
} sobol_index;

/* Point estimates S[0..k-1] and ST[0..k-1] from n base samples (n (k+2) outputs).
 * -1 if k == 0 or n == 0; if the outputs have zero variance the indices are NaN (nothing
 * to apportion) and the return is still 0. */
int sobol_estimate(const double *y, size_t k, size_t n, double *S, double *ST);

/* Point estimates plus bootstrap 95% percentile intervals into out[0..k-1].
 *
 * Each of `resamples` bootstrap replicates draws n base samples with replacement (whole
 * base samples, keeping each A_j, B_j, AB_i,j together as the estimators require) and
 * recomputes every index; the interval is the 2.5% and 97.5% quantiles of the replicates.
 * Deterministic given r: replicate by replicate, n draws of gsl_rng_uniform_int(r, n).
 * Replicates with zero variance are left out of the quantiles. resamples == 0 gives NaN
 * intervals and does not touch r (which may then be NULL). 1000 replicates is the usual
 * choice; the cost is resamples x n x (k+2) operations.
 *
 * The percentile interval describes sampling noise of the estimator, not model error; it
 * need not contain the estimate exactly when the estimator is biased at small n. Resampling
 * treats base samples as independent draws, so for a Sobol-sequence design (whose error
 * shrinks faster than 1/sqrt(n)) the intervals are conservative: on Ishigami at n = 2^14
 * they are about +-0.015 wide while the actual error is below 0.001.
 * -1 on invalid input (as sobol_estimate, or n beyond r's range, or r == NULL with
 * resamples > 0) or allocation failure. */
int sobol_analyze(const double *y, size_t k, size_t n, size_t resamples, gsl_rng *r,
                  sobol_index *out);

/* The Ishigami function, the standard test of sensitivity estimators: strongly non-linear,
 * with an interaction between x1 and x3 and no first-order effect of x3.
 *     f = sin x1 + a sin^2 x2 + b x3^4 sin x1,   x_i uniform on [-pi, pi]. */
double sobol_ishigami(const double x[3], double a, double b);

/* Its exact indices (Ishigami & Homma 1990; Sobol & Levitan 1999):
 *     V1 = (1 + b pi^4 / 5)^2 / 2,  V2 = a^2 / 8,  V3 = 0,  V13 = 8 b^2 pi^8 / 225,
 *     V  = V1 + V2 + V13 = 1/2 + a^2/8 + b pi^4/5 + b^2 pi^8/18,
 *     S = (V1, V2, 0) / V,  ST = (V1 + V13, V2, V13) / V. */
void sobol_ishigami_analytic(double a, double b, double S[3], double ST[3]);

#endif
