/* Tests for analysis/stats: expected values are computed independently of GSL with the
 * textbook formulas (R equivalents in comments), t quantiles from the regularized incomplete
 * beta function in mpmath at 30 digits. */
#include <criterion/criterion.h>

#include <math.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "analysis/stats.h"

#define TOL 1e-9

Test(stats_summarize, known_sample)
{
    /* mean = 40/8 = 5; sum of squared deviations = 32, sd = sqrt(32/7);
     * qt(0.975, 7) = 2.3646242515927853; half width = t * sd / sqrt(8).
     * R: t.test(c(2,4,4,4,5,5,7,9))$conf.int = 3.212512 6.787488 */
    const double x[] = {2, 4, 4, 4, 5, 5, 7, 9};
    stats_summary s = stats_summarize(x, 8);
    cr_expect_eq(s.n, 8);
    cr_expect_float_eq(s.mean, 5.0, TOL);
    cr_expect_float_eq(s.sd, 2.1380899352993951, TOL);
    cr_expect_float_eq(s.lo, 3.2125120817637891, TOL);
    cr_expect_float_eq(s.hi, 6.7874879182362109, TOL);
}

Test(stats_summarize, interval_uses_t_not_normal)
{
    /* Two values 0 and 2: mean 1, sd sqrt(2), qt(0.975, 1) = 12.706204736174707, so the
     * half width is 12.7062 * sqrt(2)/sqrt(2) = 12.7062; a normal 1.96 would give 1.96. */
    const double x[] = {0, 2};
    stats_summary s = stats_summarize(x, 2);
    cr_expect_float_eq(s.hi - s.mean, 12.706204736174707, 1e-8);
    cr_expect_float_eq(s.mean - s.lo, 12.706204736174707, 1e-8);
}

Test(stats_summarize, constant_sample_has_zero_width)
{
    const double x[] = {3.5, 3.5, 3.5, 3.5};
    stats_summary s = stats_summarize(x, 4);
    cr_expect_eq(s.sd, 0.0);
    cr_expect_eq(s.lo, 3.5);
    cr_expect_eq(s.hi, 3.5);
}

Test(stats_summarize, single_member_is_a_point)
{
    const double x[] = {42.0};
    stats_summary s = stats_summarize(x, 1);
    cr_expect_eq(s.n, 1);
    cr_expect_eq(s.mean, 42.0);
    cr_expect_eq(s.sd, 0.0);
    cr_expect_eq(s.lo, 42.0);
    cr_expect_eq(s.hi, 42.0);
}

Test(stats_summarize, empty_is_nan)
{
    stats_summary s = stats_summarize(NULL, 0);
    cr_expect_eq(s.n, 0);
    cr_expect(isnan(s.mean) && isnan(s.sd) && isnan(s.lo) && isnan(s.hi));
}

Test(stats_summarize, nan_propagates)
{
    const double x[] = {1.0, NAN, 3.0};
    stats_summary s = stats_summarize(x, 3);
    cr_expect(isnan(s.mean) && isnan(s.lo) && isnan(s.hi));
}

Test(stats_difference, welch_known_example)
{
    /* a: mean 3, var 2.5, n 5; b: mean 7, var 14, n 6.
     * se^2 = 2.5/5 + 14/6 = 2.8333; df = se^4 / (0.5^2/4 + (7/3)^2/5) = 6.9722557297949337;
     * qt(0.975, df) = 2.3665330449008315; diff = 4 +- 2.3665 * sqrt(2.8333).
     * R: t.test(b, a)$conf.int = 0.01653130 7.98346870 (just excludes 0). */
    const double a[] = {1, 2, 3, 4, 5};
    const double b[] = {2, 4, 6, 8, 10, 12};
    stats_diff d = stats_difference(a, 5, b, 6);
    cr_expect_float_eq(d.diff, 4.0, TOL);
    cr_expect_float_eq(d.df, 6.9722557297949337, TOL);
    cr_expect_float_eq(d.lo, 0.016531304371167857, TOL);
    cr_expect_float_eq(d.hi, 7.9834686956288321, TOL);
    cr_expect(d.significant);
}

Test(stats_difference, direction_is_b_minus_a)
{
    const double a[] = {1, 2, 3, 4, 5};
    const double b[] = {2, 4, 6, 8, 10, 12};
    stats_diff d = stats_difference(b, 6, a, 5);
    cr_expect_float_eq(d.diff, -4.0, TOL);
    cr_expect_float_eq(d.lo, -7.9834686956288321, TOL);
    cr_expect_float_eq(d.hi, -0.016531304371167857, TOL);
    cr_expect(d.significant);
}

Test(stats_difference, one_group_constant)
{
    /* a has no spread, so Welch reduces to a one-sample interval for b: df = nb - 1 = 4,
     * qt(0.975, 4) = 2.7764451051977944, se = sqrt(2.5/5); diff = 3 - 5 = -2.
     * Expected [-3.9632431614775577, -0.036756838522442302]. */
    const double a[] = {5, 5, 5, 5};
    const double b[] = {1, 2, 3, 4, 5};
    stats_diff d = stats_difference(a, 4, b, 5);
    cr_expect_float_eq(d.diff, -2.0, TOL);
    cr_expect_float_eq(d.df, 4.0, TOL);
    cr_expect_float_eq(d.lo, -3.9632431614775577, TOL);
    cr_expect_float_eq(d.hi, -0.036756838522442302, TOL);
    cr_expect(d.significant);
}

Test(stats_difference, two_copies_show_no_difference)
{
    const double a[] = {12.1, 9.7, 11.3, 10.4, 8.9, 10.8, 11.9, 9.2};
    stats_diff d = stats_difference(a, 8, a, 8);
    cr_expect_eq(d.diff, 0.0);
    cr_expect(d.lo < 0.0 && d.hi > 0.0);
    cr_expect_float_eq(d.lo, -d.hi, TOL);
    cr_expect_not(d.significant);
}

/* Two ensembles of 30 members, N(100, 4^2) noise; b shifted by `shift`. */
static stats_diff planted(double shift, unsigned long seed)
{
    double a[30], b[30];
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    for (int i = 0; i < 30; i++) {
        a[i] = 100.0 + gsl_ran_gaussian(r, 4.0);
        b[i] = 100.0 + shift + gsl_ran_gaussian(r, 4.0);
    }
    gsl_rng_free(r);
    return stats_difference(a, 30, b, 30);
}

Test(stats_difference, planted_shift_is_found)
{
    /* The standard error of the difference is 4 sqrt(2/30) = 1.03, so a shift of 5 is about
     * five standard errors: found for any seed short of a 1-in-10^5 draw. */
    for (unsigned long seed = 1; seed <= 20; seed++) {
        stats_diff d = planted(5.0, seed);
        cr_expect(d.significant, "seed %lu: [%g, %g]", seed, d.lo, d.hi);
        cr_expect(d.lo > 0.0, "seed %lu", seed);
    }
    /* And the interval covers the truth at a fixed seed. */
    stats_diff d = planted(5.0, 7);
    cr_expect(d.lo < 5.0 && 5.0 < d.hi, "[%g, %g]", d.lo, d.hi);
}

Test(stats_difference, null_shift_coverage_is_about_95_percent)
{
    /* Under no shift, a 95% interval should exclude 0 in about 5% of 400 experiments
     * (binomial sd ~ 4.4 experiments, so 20 +- 13 is over 3 sd either side). */
    int rejected = 0;
    for (unsigned long seed = 1; seed <= 400; seed++)
        rejected += planted(0.0, seed).significant;
    cr_expect(rejected >= 7 && rejected <= 33, "rejected %d of 400", rejected);
}

Test(stats_difference, both_constant_collapses_to_point)
{
    const double a[] = {2, 2, 2};
    const double b[] = {3, 3, 3, 3};
    stats_diff d = stats_difference(a, 3, b, 4);
    cr_expect_eq(d.diff, 1.0);
    cr_expect_eq(d.lo, 1.0);
    cr_expect_eq(d.hi, 1.0);
    cr_expect_eq(d.df, 5.0);
    cr_expect(d.significant);

    d = stats_difference(a, 3, a, 3);
    cr_expect_eq(d.diff, 0.0);
    cr_expect_eq(d.lo, 0.0);
    cr_expect_eq(d.hi, 0.0);
    cr_expect_not(d.significant);
}

Test(stats_difference, single_member_has_no_interval)
{
    const double a[] = {1.0};
    const double b[] = {1, 2, 3};
    stats_diff d = stats_difference(a, 1, b, 3);
    cr_expect_eq(d.diff, 1.0);
    cr_expect(isnan(d.lo) && isnan(d.hi) && isnan(d.df));
    cr_expect_not(d.significant);
    d = stats_difference(b, 3, a, 1);
    cr_expect_eq(d.diff, -1.0);
    cr_expect(isnan(d.lo));
}

Test(stats_difference, empty_group_is_nan)
{
    const double b[] = {1, 2, 3};
    stats_diff d = stats_difference(NULL, 0, b, 3);
    cr_expect(isnan(d.diff) && isnan(d.lo) && isnan(d.hi));
    cr_expect_not(d.significant);
}

Test(stats_median, odd_even_and_sorts_in_place)
{
    double odd[] = {3, 1, 2};
    cr_expect_eq(stats_median(odd, 3), 2.0);
    cr_expect(odd[0] == 1 && odd[1] == 2 && odd[2] == 3);
    double even[] = {4, 1, 3, 2};
    cr_expect_eq(stats_median(even, 4), 2.5);
    double one[] = {-7};
    cr_expect_eq(stats_median(one, 1), -7.0);
    cr_expect(isnan(stats_median(NULL, 0)));
}

Test(stats_quantile, type7_interpolation)
{
    /* R: quantile(1:10, c(0, .1, .25, .9, 1), type = 7) = 1, 1.9, 3.25, 9.1, 10;
     * position h = (n - 1) p, e.g. p = .25 -> h = 2.25 -> 3 + .25 (4 - 3). */
    double x[] = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
    cr_expect_float_eq(stats_quantile(x, 10, 0.0), 1.0, TOL);
    cr_expect_float_eq(stats_quantile(x, 10, 0.1), 1.9, TOL);
    cr_expect_float_eq(stats_quantile(x, 10, 0.25), 3.25, TOL);
    cr_expect_float_eq(stats_quantile_sorted(x, 10, 0.9), 9.1, TOL);
    cr_expect_float_eq(stats_quantile_sorted(x, 10, 1.0), 10.0, TOL);
}

Test(stats_quantile, invalid_p_or_empty_is_nan)
{
    double x[] = {1, 2, 3};
    cr_expect(isnan(stats_quantile(x, 3, -0.1)));
    cr_expect(isnan(stats_quantile(x, 3, 1.1)));
    cr_expect(isnan(stats_quantile(x, 3, NAN)));
    cr_expect(isnan(stats_quantile(x, 0, 0.5)));
}
