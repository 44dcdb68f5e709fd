/* Tests for analysis/design: grid order and completeness, Latin hypercube stratification,
 * and the Saltelli row layout that sweeps and sobol.c rely on. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_qrng.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>

#include "analysis/design.h"

/* ---- full grid ---- */

static const double list1[] = {10, 20, 30};

/* p0: range [0, 1] at 2 levels {0, 1}; p1: list {10, 20, 30}; p2: [-1, 1] at 3 levels. */
static void grid_params(design_param p[3])
{
    p[0] = (design_param){.lo = 0, .hi = 1, .levels = 2};
    p[1] = (design_param){.values = list1, .nvalues = 3, .levels = 99 /* ignored */};
    p[2] = (design_param){.lo = -1, .hi = 1, .levels = 3};
}

Test(design_grid, enumerates_every_combination_last_fastest)
{
    design_param p[3];
    grid_params(p);
    cr_assert_eq(design_grid_rows(p, 3), 2 * 3 * 3);
    double out[18 * 3];
    cr_assert_eq(design_grid(p, 3, out), 0);

    /* Nested loops, first parameter outermost, are the documented order. */
    const double v0[] = {0, 1}, v2[] = {-1, 0, 1};
    size_t r = 0;
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++)
            for (int m = 0; m < 3; m++, r++) {
                cr_expect_eq(out[3 * r + 0], v0[i], "row %zu", r);
                cr_expect_eq(out[3 * r + 1], list1[j], "row %zu", r);
                cr_expect_eq(out[3 * r + 2], v2[m], "row %zu", r);
            }
    /* Spot check against hand-written rows. */
    cr_expect(out[0] == 0 && out[1] == 10 && out[2] == -1);
    cr_expect(out[3] == 0 && out[4] == 10 && out[5] == 0);
    cr_expect(out[51] == 1 && out[52] == 30 && out[53] == 1);
}

Test(design_grid, rows_are_distinct)
{
    design_param p[3];
    grid_params(p);
    double out[18 * 3];
    design_grid(p, 3, out);
    for (size_t a = 0; a < 18; a++)
        for (size_t b = a + 1; b < 18; b++)
            cr_expect(memcmp(out + 3 * a, out + 3 * b, 3 * sizeof(double)) != 0,
                      "rows %zu and %zu equal", a, b);
}

Test(design_grid, single_row_matches_whole_grid)
{
    design_param p[3];
    grid_params(p);
    double out[18 * 3], row[3];
    design_grid(p, 3, out);
    for (size_t r = 0; r < 18; r++) {
        cr_assert_eq(design_grid_row(p, 3, r, row), 0);
        cr_expect(memcmp(row, out + 3 * r, sizeof row) == 0, "row %zu", r);
    }
    cr_expect_eq(design_grid_row(p, 3, 18, row), -1);
}

Test(design_grid, levels_hit_end_points_exactly)
{
    design_param p = {.lo = 0.1, .hi = 0.7, .levels = 4};
    double out[4];
    cr_assert_eq(design_grid(&p, 1, out), 0);
    cr_expect_eq(out[0], 0.1);
    cr_expect_float_eq(out[1], 0.3, 1e-15);
    cr_expect_float_eq(out[2], 0.5, 1e-15);
    cr_expect_eq(out[3], 0.7);
}

Test(design_grid, one_level_is_midpoint)
{
    design_param p[2] = {{.lo = 2, .hi = 4, .levels = 1}, {.lo = 5, .hi = 5, .levels = 1}};
    double out[2];
    cr_assert_eq(design_grid_rows(p, 2), 1);
    cr_assert_eq(design_grid(p, 2, out), 0);
    cr_expect_eq(out[0], 3.0);
    cr_expect_eq(out[1], 5.0);
}

Test(design_grid, rejects_invalid)
{
    double out[8];
    design_param zero_levels = {.lo = 0, .hi = 1, .levels = 0};
    design_param reversed = {.lo = 1, .hi = 0, .levels = 2};
    design_param nan_bound = {.lo = NAN, .hi = 1, .levels = 2};
    design_param huge = {.lo = -1e308, .hi = 1e308, .levels = 2}; /* hi - lo overflows */
    design_param empty_list = {.values = list1, .nvalues = 0};
    const design_param *bad[] = {&zero_levels, &reversed, &nan_bound, &huge, &empty_list};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cr_expect_eq(design_grid_rows(bad[i], 1), 0, "case %zu", i);
        cr_expect_eq(design_grid(bad[i], 1, out), -1, "case %zu", i);
    }
    design_param ok = {.lo = 0, .hi = 1, .levels = 2};
    cr_expect_eq(design_grid_rows(&ok, 0), 0);
}

Test(design_grid, size_overflow_is_rejected)
{
    /* 2^64 combinations cannot be counted in size_t. */
    design_param p[64];
    for (int i = 0; i < 64; i++)
        p[i] = (design_param){.lo = 0, .hi = 1, .levels = 2};
    cr_expect_eq(design_grid_rows(p, 64), 0);
    cr_expect_neq(design_grid_rows(p, 20), 0);
}

/* ---- Latin hypercube ---- */

static double *lhs_run(const design_param *p, size_t k, size_t n, unsigned long seed)
{
    double *out = malloc(n * k * sizeof *out);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    cr_assert_eq(design_lhs(p, k, n, r, out), 0);
    gsl_rng_free(r);
    return out;
}

Test(design_lhs, one_point_per_stratum_and_in_range)
{
    enum { N = 97, K = 4 };
    design_param p[K] = {
        {.lo = 0, .hi = 1}, {.lo = -3, .hi = 5}, {.lo = 100, .hi = 1000}, {.lo = 1e-3, .hi = 2e-3}};
    double *out = lhs_run(p, K, N, 1234);
    for (size_t d = 0; d < K; d++) {
        double col[N], w = (p[d].hi - p[d].lo) / N;
        for (size_t j = 0; j < N; j++) {
            col[j] = out[j * K + d];
            cr_expect(col[j] >= p[d].lo && col[j] <= p[d].hi, "dim %zu: %g", d, col[j]);
        }
        /* One point per stratum <=> the j-th smallest lies in stratum j. */
        gsl_sort(col, 1, N);
        double slack = 1e-12 * (p[d].hi - p[d].lo);
        for (size_t j = 0; j < N; j++) {
            cr_expect(col[j] >= p[d].lo + j * w - slack, "dim %zu stratum %zu", d, j);
            cr_expect(col[j] <= p[d].lo + (j + 1) * w + slack, "dim %zu stratum %zu", d, j);
        }
    }
    /* On [0, 1] the stratum is floor(n x), exactly. */
    int seen[N] = {0};
    for (size_t j = 0; j < N; j++)
        seen[(size_t)floor(out[j * K] * N)]++;
    for (size_t j = 0; j < N; j++)
        cr_expect_eq(seen[j], 1, "stratum %zu", j);
    free(out);
}

Test(design_lhs, dimensions_are_shuffled_independently)
{
    /* Without shuffling (or with one shared permutation) every row would hold the same
     * stratum in both dimensions; the expected number of matches is 1. */
    enum { N = 200 };
    design_param p[2] = {{.lo = 0, .hi = 1}, {.lo = 0, .hi = 1}};
    double *out = lhs_run(p, 2, N, 99);
    int same = 0, sorted = 1;
    for (size_t j = 0; j < N; j++) {
        same += floor(out[2 * j] * N) == floor(out[2 * j + 1] * N);
        if (j > 0 && out[2 * j] < out[2 * (j - 1)]) sorted = 0;
    }
    cr_expect_lt(same, 10);
    cr_expect_not(sorted);
    free(out);
}

Test(design_lhs, deterministic_from_seed)
{
    design_param p[3] = {{.lo = 0, .hi = 1}, {.lo = 0, .hi = 1}, {.lo = 0, .hi = 1}};
    double *a = lhs_run(p, 3, 50, 7), *b = lhs_run(p, 3, 50, 7), *c = lhs_run(p, 3, 50, 8);
    cr_expect(memcmp(a, b, 150 * sizeof *a) == 0);
    cr_expect(memcmp(a, c, 150 * sizeof *a) != 0);
    free(a);
    free(b);
    free(c);
}

Test(design_lhs, list_parameter_is_stratified_over_values)
{
    /* 30 strata over 3 values: each value owns 10 consecutive strata. */
    design_param p = {.values = list1, .nvalues = 3};
    double *out = lhs_run(&p, 1, 30, 5);
    int count[3] = {0};
    for (size_t j = 0; j < 30; j++)
        count[(size_t)(out[j] / 10) - 1]++;
    cr_expect(count[0] == 10 && count[1] == 10 && count[2] == 10, "%d %d %d", count[0], count[1],
              count[2]);
    free(out);
}

Test(design_lhs, rejects_invalid)
{
    design_param p = {.lo = 0, .hi = 1};
    design_param bad = {.lo = 1, .hi = 0};
    double out[4];
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    cr_expect_eq(design_lhs(&p, 1, 0, r, out), -1);
    cr_expect_eq(design_lhs(&p, 0, 4, r, out), -1);
    cr_expect_eq(design_lhs(&p, 1, 4, NULL, out), -1);
    cr_expect_eq(design_lhs(&bad, 1, 4, r, out), -1);
    cr_expect_eq(design_lhs(&p, 1, 1, r, out), 0); /* one stratum: no shuffle */
    cr_expect(out[0] >= 0 && out[0] < 1);
    gsl_rng_free(r);
}

/* ---- Saltelli ---- */

Test(design_saltelli, rows_have_a_b_ab_structure)
{
    enum { K = 3, N = 64 };
    design_param p[K] = {{.lo = -1, .hi = 1}, {.lo = 0, .hi = 10}, {.lo = 5, .hi = 6}};
    size_t rows = design_saltelli_rows(K, N);
    cr_assert_eq(rows, N * (K + 2));
    double *x = malloc(rows * K * sizeof *x);
    cr_assert_eq(design_saltelli(p, K, N, x), 0);
    for (size_t j = 0; j < N; j++) {
        const double *a = x + j * (K + 2) * K, *b = a + K;
        for (size_t i = 0; i < K; i++) {
            const double *ab = a + (2 + i) * K;
            for (size_t d = 0; d < K; d++)
                cr_expect_eq(ab[d], d == i ? b[d] : a[d], "base %zu AB_%zu col %zu", j, i, d);
        }
        for (size_t d = 0; d < K; d++) {
            cr_expect(a[d] >= p[d].lo && a[d] < p[d].hi);
            cr_expect(b[d] >= p[d].lo && b[d] < p[d].hi);
        }
    }
    free(x);
}

Test(design_saltelli, gsl_sobol_starts_after_the_zero_point)
{
    /* design.h relies on this: GSL's first point is (1/2, ...), the sequence's point 1. If a
     * GSL upgrade starts returning point 0, design_saltelli drops it, and this test says why
     * the next one changed. */
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, 4);
    double pt[4], next[4];
    gsl_qrng_get(q, pt);
    gsl_qrng_get(q, next);
    gsl_qrng_free(q);
    cr_expect(pt[0] == 0.5 && pt[1] == 0.5 && pt[2] == 0.5 && pt[3] == 0.5);
    cr_expect(next[0] == 0.75 && next[1] == 0.25);
}

Test(design_saltelli, a_and_b_come_from_one_sobol_sequence_without_the_zero_point)
{
    enum { K = 2, N = 32 };
    design_param p[K] = {{.lo = 0, .hi = 1}, {.lo = 0, .hi = 1}};
    double x[N * (K + 2) * K];
    cr_assert_eq(design_saltelli(p, K, N, x), 0);
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, 2 * K);
    double pt[2 * K];
    for (size_t j = 0; j < N; j++) {
        gsl_qrng_get(q, pt);
        if (j == 0 && pt[0] == 0 && pt[1] == 0 && pt[2] == 0 && pt[3] == 0) gsl_qrng_get(q, pt);
        const double *a = x + j * (K + 2) * K;
        cr_expect(a[0] == pt[0] && a[1] == pt[1], "A_%zu", j);
        cr_expect(a[2] == pt[2] && a[3] == pt[3], "B_%zu", j);
    }
    gsl_qrng_free(q);
    /* Base sample 0 is the centre, and no row sits at the all-lo corner. */
    cr_expect(x[0] == 0.5 && x[1] == 0.5 && x[2] == 0.5 && x[3] == 0.5);
    for (size_t r = 0; r < N * (K + 2); r++)
        cr_expect_not(x[r * K] == 0 && x[r * K + 1] == 0, "row %zu", r);
}

Test(design_saltelli, columns_are_balanced)
{
    /* Points 1..1024 of a Sobol sequence: each coordinate's mean is 1/2 to within ~1/N. */
    enum { K = 5, N = 1024 };
    design_param p[K];
    for (int d = 0; d < K; d++)
        p[d] = (design_param){.lo = 0, .hi = 1};
    double *x = malloc(design_saltelli_rows(K, N) * K * sizeof *x);
    design_saltelli(p, K, N, x);
    for (size_t d = 0; d < K; d++) {
        double ma = 0, mb = 0;
        for (size_t j = 0; j < N; j++) {
            ma += x[j * (K + 2) * K + d] / N;
            mb += x[(j * (K + 2) + 1) * K + d] / N;
        }
        cr_expect_float_eq(ma, 0.5, 2.0 / N, "A col %zu mean %g", d, ma);
        cr_expect_float_eq(mb, 0.5, 2.0 / N, "B col %zu mean %g", d, mb);
    }
    free(x);
}

Test(design_saltelli, deterministic_and_maps_lists)
{
    enum { K = 2, N = 16 };
    design_param p[K] = {{.values = list1, .nvalues = 3}, {.lo = 2, .hi = 3}};
    double x[N * (K + 2) * K], y[N * (K + 2) * K];
    design_saltelli(p, K, N, x);
    design_saltelli(p, K, N, y);
    cr_expect(memcmp(x, y, sizeof x) == 0);
    for (size_t r = 0; r < N * (K + 2); r++)
        cr_expect(x[r * K] == 10 || x[r * K] == 20 || x[r * K] == 30, "row %zu", r);
}

Test(design_saltelli, limits)
{
    design_param p[DESIGN_SALTELLI_MAX_K + 1];
    for (int d = 0; d <= DESIGN_SALTELLI_MAX_K; d++)
        p[d] = (design_param){.lo = 0, .hi = 1};
    cr_expect_eq(design_saltelli_rows(DESIGN_SALTELLI_MAX_K + 1, 4), 0);
    cr_expect_eq(design_saltelli_rows(0, 4), 0);
    cr_expect_eq(design_saltelli_rows(3, 0), 0);
    cr_expect_eq(design_saltelli_rows(3, (size_t)1 << 31), 0);

    double *x =
        malloc(design_saltelli_rows(DESIGN_SALTELLI_MAX_K, 4) * DESIGN_SALTELLI_MAX_K * sizeof *x);
    cr_expect_eq(design_saltelli(p, DESIGN_SALTELLI_MAX_K, 4, x), 0);
    cr_expect_eq(design_saltelli(p, DESIGN_SALTELLI_MAX_K + 1, 4, x), -1);
    design_param bad = {.lo = 1, .hi = 0};
    cr_expect_eq(design_saltelli(&bad, 1, 4, x), -1);
    free(x);
}
