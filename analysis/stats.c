#include "analysis/stats.h"

#include <math.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

/* Upper quantile of t for a two-sided interval at STATS_LEVEL. */
static double t_crit(double df)
{
    return gsl_cdf_tdist_Pinv(0.5 + STATS_LEVEL / 2.0, df);
}

stats_summary stats_summarize(const double *x, size_t n)
{
    stats_summary s = {.n = n, .mean = NAN, .sd = NAN, .lo = NAN, .hi = NAN};
    if (n == 0) return s;
    s.mean = gsl_stats_mean(x, 1, n);
    if (n == 1) {
        s.sd = 0.0;
        s.lo = s.hi = s.mean;
        return s;
    }
    /* Passing the mean we already have keeps the two-pass (stable) variance without a
     * third pass over the data. */
    s.sd = gsl_stats_sd_m(x, 1, n, s.mean);
    double half = t_crit((double)(n - 1)) * s.sd / sqrt((double)n);
    s.lo = s.mean - half;
    s.hi = s.mean + half;
    return s;
}

stats_diff stats_difference(const double *a, size_t na, const double *b, size_t nb)
{
    stats_diff d = {.diff = NAN, .lo = NAN, .hi = NAN, .df = NAN, .significant = false};
    if (na == 0 || nb == 0) return d;
    double ma = gsl_stats_mean(a, 1, na);
    double mb = gsl_stats_mean(b, 1, nb);
    d.diff = mb - ma;
    if (na < 2 || nb < 2) return d;

    double va = gsl_stats_variance_m(a, 1, na, ma) / (double)na; /* squared standard errors */
    double vb = gsl_stats_variance_m(b, 1, nb, mb) / (double)nb;
    double se2 = va + vb;
    if (se2 == 0.0) {
        /* Welch-Satterthwaite is 0/0 here; the pooled df is the natural stand-in and is only
         * reported, since a zero-width interval needs no t quantile. */
        d.df = (double)(na + nb - 2);
        d.lo = d.hi = d.diff;
    } else {
        d.df = se2 * se2 / (va * va / (double)(na - 1) + vb * vb / (double)(nb - 1));
        double half = t_crit(d.df) * sqrt(se2);
        d.lo = d.diff - half;
        d.hi = d.diff + half;
    }
    d.significant = d.lo > 0.0 || d.hi < 0.0;
    return d;
}

double stats_quantile_sorted(const double *sorted, size_t n, double p)
{
    if (n == 0 || !(p >= 0.0 && p <= 1.0)) return NAN;
    /* GSL's rule is h = (n-1)p with linear interpolation, i.e. R's type 7. */
    return gsl_stats_quantile_from_sorted_data(sorted, 1, n, p);
}

double stats_quantile(double *x, size_t n, double p)
{
    if (n == 0 || !(p >= 0.0 && p <= 1.0)) return NAN;
    gsl_sort(x, 1, n);
    return stats_quantile_sorted(x, n, p);
}

double stats_median(double *x, size_t n)
{
    return stats_quantile(x, n, 0.5);
}
