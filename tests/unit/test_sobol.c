/* Tests for analysis/sobol: exact small cases computed by hand, models with known indices
 * (linear, single-input, Ishigami) evaluated on the design_saltelli layout, and the
 * bootstrap's determinism and coverage. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_math.h>
#include <gsl/gsl_rng.h>

#include "analysis/design.h"
#include "analysis/sobol.h"

typedef double (*model_fn)(const double *x, const void *ctx);

/* Runs `f` on every row of a Saltelli design; returns the n (k+2) outputs. */
static double *run_saltelli(const design_param *p, size_t k, size_t n, model_fn f, const void *ctx)
{
    size_t rows = design_saltelli_rows(k, n);
    cr_assert_neq(rows, 0);
    double *x = malloc(rows * k * sizeof *x), *y = malloc(rows * sizeof *y);
    cr_assert_eq(design_saltelli(p, k, n, x), 0);
    for (size_t r = 0; r < rows; r++)
        y[r] = f(x + r * k, ctx);
    free(x);
    return y;
}

static double ishigami_model(const double *x, const void *ctx)
{
    (void)ctx;
    return sobol_ishigami(x, 7.0, 0.1);
}

static double linear_model(const double *x, const void *ctx)
{
    const double *c = ctx;
    return c[0] * x[0] + c[1] * x[1] + c[2] * x[2];
}

static double first_input_only(const double *x, const void *ctx)
{
    (void)ctx;
    return exp(x[0]);
}

static double constant_model(const double *x, const void *ctx)
{
    (void)x;
    (void)ctx;
    return 3.0;
}

static gsl_rng *rng_seeded(unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    return r;
}

Test(sobol_ishigami, function_values)
{
    /* f(pi/2, pi/2, 1) = 1 + 7 + 0.1; f(0, 0, x3) = 0; f(-pi/2, 0, 2) = -1 - 0.1 * 16. */
    const double x1[3] = {M_PI / 2, M_PI / 2, 1}, x2[3] = {0, 0, 3}, x3[3] = {-M_PI / 2, 0, 2};
    cr_expect_float_eq(sobol_ishigami(x1, 7, 0.1), 8.1, 1e-12);
    cr_expect_float_eq(sobol_ishigami(x2, 7, 0.1), 0.0, 1e-12);
    cr_expect_float_eq(sobol_ishigami(x3, 7, 0.1), -2.6, 1e-12);
}

Test(sobol_ishigami, analytic_indices_match_literature)
{
    /* a = 7, b = 0.1: V = 0.5 + 49/8 + 0.1 pi^4/5 + 0.01 pi^8/18 = 13.8446;
     * V1 = 0.5 (1 + 0.1 pi^4/5)^2 = 4.3459, V2 = 6.125, V13 = 0.08 pi^8/225 = 3.3737.
     * Published (e.g. Saltelli et al. 2010, SALib docs): S = 0.3139, 0.4424, 0;
     * ST = 0.5576, 0.4424, 0.2437. */
    double S[3], ST[3];
    sobol_ishigami_analytic(7.0, 0.1, S, ST);
    cr_expect_float_eq(S[0], 0.3139, 1e-4);
    cr_expect_float_eq(S[1], 0.4424, 1e-4);
    cr_expect_eq(S[2], 0.0);
    cr_expect_float_eq(ST[0], 0.5576, 1e-4);
    cr_expect_float_eq(ST[1], 0.4424, 1e-4);
    cr_expect_float_eq(ST[2], 0.2437, 1e-4);
    /* No interactions besides x1-x3, so the partial variances add up to V. */
    cr_expect_float_eq(S[0] + S[1] + ST[2], 1.0, 1e-12);
}

Test(sobol_estimate, hand_computed_tiny_case)
{
    /* k = 1, n = 2, rows (fA, fB, fAB) = (1, 3, 2), (2, 0, 4). Centre c = mean(1,3,2,0) = 1.5;
     * centred (fa, fb, fab) = (-.5, 1.5, .5), (.5, -1.5, 2.5); V = (.25+2.25+.25+2.25)/4 =
     * 1.25. S = mean(fb (fab - fa)) / V = ((1.5)(1) + (-1.5)(2))/2 / 1.25 = -0.6.
     * ST = mean((fa - fab)^2) / 2V = ((1 + 4)/2) / 2.5 = 1. */
    const double y[] = {1, 3, 2, 2, 0, 4};
    double S, ST;
    cr_assert_eq(sobol_estimate(y, 1, 2, &S, &ST), 0);
    cr_expect_float_eq(S, -0.6, 1e-12);
    cr_expect_float_eq(ST, 1.0, 1e-12);
}

Test(sobol_estimate, ishigami_within_002_at_2_pow_14)
{
    /* N = 2^14 base samples (81920 runs). The Sobol-sequence estimate is within 3e-4 of the
     * analytic values at this N (0.005 already at N = 2^11), so 0.02 leaves a wide margin. */
    enum { K = 3 };
    const size_t n = (size_t)1 << 14;
    design_param p[K];
    for (int d = 0; d < K; d++)
        p[d] = (design_param){.lo = -M_PI, .hi = M_PI};
    double *y = run_saltelli(p, K, n, ishigami_model, NULL);

    double S0[3], ST0[3];
    sobol_ishigami_analytic(7.0, 0.1, S0, ST0);
    sobol_index out[K];
    gsl_rng *r = rng_seeded(2024);
    cr_assert_eq(sobol_analyze(y, K, n, 500, r, out), 0);
    for (size_t i = 0; i < K; i++) {
        cr_expect_float_eq(out[i].S, S0[i], 0.02, "S%zu = %g, exact %g", i + 1, out[i].S, S0[i]);
        cr_expect_float_eq(out[i].ST, ST0[i], 0.02, "ST%zu = %g, exact %g", i + 1, out[i].ST,
                           ST0[i]);
        /* The bootstrap intervals hold the estimate and, being conservative for a
         * low-discrepancy design, the exact value too. */
        cr_expect(out[i].S_lo <= out[i].S && out[i].S <= out[i].S_hi, "S%zu [%g, %g]", i + 1,
                  out[i].S_lo, out[i].S_hi);
        cr_expect(out[i].ST_lo <= out[i].ST && out[i].ST <= out[i].ST_hi, "ST%zu [%g, %g]", i + 1,
                  out[i].ST_lo, out[i].ST_hi);
        cr_expect(out[i].S_lo <= S0[i] && S0[i] <= out[i].S_hi, "S%zu", i + 1);
        cr_expect(out[i].ST_lo <= ST0[i] && ST0[i] <= out[i].ST_hi, "ST%zu", i + 1);
        /* ...and are informative: narrower than 0.1 at this N. */
        cr_expect_lt(out[i].S_hi - out[i].S_lo, 0.1);
        cr_expect_lt(out[i].ST_hi - out[i].ST_lo, 0.1);
    }
    gsl_rng_free(r);
    free(y);
}

Test(sobol_estimate, linear_model_indices)
{
    /* f = x1 + 2 x2, x uniform on [0, 1]: Var = (1 + 4)/12, so S = ST = (0.2, 0.8, 0);
     * x3 has coefficient 0, so its AB rows reproduce f(A) exactly and its indices are 0. */
    enum { K = 3 };
    const double c[K] = {1, 2, 0};
    design_param p[K] = {{.lo = 0, .hi = 1}, {.lo = 0, .hi = 1}, {.lo = 0, .hi = 1}};
    const size_t n = 4096;
    double *y = run_saltelli(p, K, n, linear_model, c);
    double S[K], ST[K];
    cr_assert_eq(sobol_estimate(y, K, n, S, ST), 0);
    cr_expect_float_eq(S[0], 0.2, 0.01, "%g", S[0]);
    cr_expect_float_eq(S[1], 0.8, 0.01, "%g", S[1]);
    cr_expect_float_eq(ST[0], 0.2, 0.01, "%g", ST[0]);
    cr_expect_float_eq(ST[1], 0.8, 0.01, "%g", ST[1]);
    cr_expect_eq(S[2], 0.0);
    cr_expect_eq(ST[2], 0.0);
    free(y);
}

Test(sobol_estimate, single_influential_input)
{
    /* Only x1 matters, so S1 = ST1 = 1, and the others are exactly 0: this fails if the
     * AB_i rows or outputs are taken from the wrong place in the layout. */
    enum { K = 3 };
    design_param p[K] = {{.lo = 0, .hi = 2}, {.lo = 0, .hi = 1}, {.lo = 0, .hi = 1}};
    const size_t n = 2048;
    double *y = run_saltelli(p, K, n, first_input_only, NULL);
    double S[K], ST[K];
    sobol_estimate(y, K, n, S, ST);
    cr_expect_float_eq(S[0], 1.0, 0.01, "%g", S[0]);
    cr_expect_float_eq(ST[0], 1.0, 0.01, "%g", ST[0]);
    for (size_t i = 1; i < K; i++) {
        cr_expect_eq(S[i], 0.0);
        cr_expect_eq(ST[i], 0.0);
    }
    free(y);
}

Test(sobol_estimate, large_output_level_does_not_matter)
{
    /* Outputs like "migrants reaching the border" sit near 1e6 and vary by tens. Centring
     * makes the estimate invariant to that level; without it S_i would move by
     * 1e6 mean(f_ABi - f_A) / V, i.e. by orders of magnitude here. */
    enum { K = 3 };
    design_param p[K];
    for (int d = 0; d < K; d++)
        p[d] = (design_param){.lo = -M_PI, .hi = M_PI};
    const size_t n = 1024, rows = n * (K + 2);
    double *y = run_saltelli(p, K, n, ishigami_model, NULL);
    double *shifted = malloc(rows * sizeof *shifted);
    for (size_t r = 0; r < rows; r++)
        shifted[r] = y[r] + 1e6;
    double S[K], ST[K], S2[K], ST2[K];
    sobol_estimate(y, K, n, S, ST);
    sobol_estimate(shifted, K, n, S2, ST2);
    for (size_t i = 0; i < K; i++) {
        cr_expect_float_eq(S2[i], S[i], 1e-6, "S%zu %g vs %g", i + 1, S2[i], S[i]);
        cr_expect_float_eq(ST2[i], ST[i], 1e-6, "ST%zu %g vs %g", i + 1, ST2[i], ST[i]);
    }
    free(y);
    free(shifted);
}

Test(sobol_estimate, constant_output_gives_nan)
{
    enum { K = 2 };
    design_param p[K] = {{.lo = 0, .hi = 1}, {.lo = 0, .hi = 1}};
    double *y = run_saltelli(p, K, 64, constant_model, NULL);
    double S[K], ST[K];
    cr_expect_eq(sobol_estimate(y, K, 64, S, ST), 0);
    cr_expect(isnan(S[0]) && isnan(ST[0]) && isnan(S[1]) && isnan(ST[1]));
    sobol_index out[K];
    gsl_rng *r = rng_seeded(1);
    cr_expect_eq(sobol_analyze(y, K, 64, 50, r, out), 0);
    cr_expect(isnan(out[0].S) && isnan(out[0].S_lo) && isnan(out[0].ST_hi));
    gsl_rng_free(r);
    free(y);
}

Test(sobol_estimate, rejects_invalid)
{
    const double y[] = {1, 2, 3};
    double S, ST;
    cr_expect_eq(sobol_estimate(y, 0, 1, &S, &ST), -1);
    cr_expect_eq(sobol_estimate(y, 1, 0, &S, &ST), -1);
    cr_expect_eq(sobol_estimate(NULL, 1, 1, &S, &ST), -1);
    sobol_index out;
    cr_expect_eq(sobol_analyze(y, 1, 1, 10, NULL, &out), -1);
    cr_expect_eq(sobol_analyze(y, 0, 1, 0, NULL, &out), -1);
}

/* Ishigami on N base samples, bootstrap with `resamples` replicates from `seed`. */
static void ishigami_analyze(size_t n, size_t resamples, unsigned long seed, sobol_index *out)
{
    design_param p[3];
    for (int d = 0; d < 3; d++)
        p[d] = (design_param){.lo = -M_PI, .hi = M_PI};
    double *y = run_saltelli(p, 3, n, ishigami_model, NULL);
    gsl_rng *r = seed ? rng_seeded(seed) : NULL;
    cr_assert_eq(sobol_analyze(y, 3, n, resamples, r, out), 0);
    if (r) gsl_rng_free(r);
    free(y);
}

Test(sobol_analyze, point_estimates_equal_sobol_estimate)
{
    design_param p[3];
    for (int d = 0; d < 3; d++)
        p[d] = (design_param){.lo = -M_PI, .hi = M_PI};
    double *y = run_saltelli(p, 3, 256, ishigami_model, NULL);
    double S[3], ST[3];
    sobol_estimate(y, 3, 256, S, ST);
    sobol_index out[3];
    ishigami_analyze(256, 100, 3, out);
    for (size_t i = 0; i < 3; i++) {
        cr_expect_eq(out[i].S, S[i]);
        cr_expect_eq(out[i].ST, ST[i]);
    }
    free(y);
}

Test(sobol_analyze, bootstrap_is_deterministic_from_rng)
{
    sobol_index a[3], b[3], c[3];
    ishigami_analyze(512, 200, 11, a);
    ishigami_analyze(512, 200, 11, b);
    ishigami_analyze(512, 200, 12, c);
    cr_expect(memcmp(a, b, sizeof a) == 0);
    cr_expect_neq(a[0].S_lo, c[0].S_lo);
}

Test(sobol_analyze, no_resamples_means_no_interval)
{
    sobol_index out[3];
    ishigami_analyze(128, 0, 0, out);
    cr_expect(isfinite(out[0].S) && isfinite(out[0].ST));
    cr_expect(isnan(out[0].S_lo) && isnan(out[0].S_hi));
    cr_expect(isnan(out[2].ST_lo) && isnan(out[2].ST_hi));
}

Test(sobol_analyze, intervals_shrink_like_one_over_sqrt_n)
{
    /* Resampling whole base samples gives widths ~ 1/sqrt(N): quadrupling N should about
     * halve them (allowing 0.35 .. 0.7 for bootstrap noise). */
    sobol_index small[3], big[3];
    ishigami_analyze(1024, 400, 5, small);
    ishigami_analyze(4096, 400, 5, big);
    for (size_t i = 0; i < 3; i++) {
        double ratio = (big[i].ST_hi - big[i].ST_lo) / (small[i].ST_hi - small[i].ST_lo);
        cr_expect(ratio > 0.35 && ratio < 0.7, "ST%zu width ratio %g", i + 1, ratio);
        ratio = (big[i].S_hi - big[i].S_lo) / (small[i].S_hi - small[i].S_lo);
        cr_expect(ratio > 0.35 && ratio < 0.7, "S%zu width ratio %g", i + 1, ratio);
    }
}
