#include "analysis/sobol.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include <gsl/gsl_math.h>

#include "analysis/stats.h"

/* Running sums over a multiset of base samples. S and ST hold sums until sums_finish turns
 * them into indices; the variance uses Welford's update because bootstrap replicates are
 * accumulated in one pass, in random order, with repeats. */
typedef struct {
    size_t count;
    double mean, m2; /* Welford state over the f(A) and f(B) values */
} welford;

static void welford_add(welford *w, double x)
{
    w->count++;
    double d = x - w->mean;
    w->mean += d / (double)w->count;
    w->m2 += d * (x - w->mean);
}

/* Adds base sample j (outputs centred on c) to the running sums. */
static void sums_add(const double *y, size_t k, size_t j, double c, welford *w, double *S,
                     double *ST)
{
    const double *row = y + j * (k + 2);
    double fa = row[0] - c, fb = row[1] - c;
    welford_add(w, fa);
    welford_add(w, fb);
    for (size_t i = 0; i < k; i++) {
        double d = row[2 + i] - c - fa;
        S[i] += fb * d;
        ST[i] += d * d;
    }
}

static void sums_finish(size_t k, size_t n, const welford *w, double *S, double *ST)
{
    double v = w->m2 / (double)w->count;
    for (size_t i = 0; i < k; i++) {
        /* Zero variance: there is nothing to apportion, and 0/0 would hide that. */
        S[i] = v > 0.0 ? S[i] / (double)n / v : NAN;
        ST[i] = v > 0.0 ? ST[i] / (double)n / (2.0 * v) : NAN;
    }
}

static void sums_clear(size_t k, welford *w, double *S, double *ST)
{
    *w = (welford){0};
    for (size_t i = 0; i < k; i++)
        S[i] = ST[i] = 0.0;
}

/* Mean of the f(A) and f(B) outputs: the centring constant, fixed for all replicates so
 * that every replicate estimates the same quantity. */
static double center_of(const double *y, size_t k, size_t n)
{
    double sum = 0.0;
    for (size_t j = 0; j < n; j++)
        sum += y[j * (k + 2)] + y[j * (k + 2) + 1];
    return sum / (2.0 * (double)n);
}

int sobol_estimate(const double *y, size_t k, size_t n, double *S, double *ST)
{
    if (y == NULL || S == NULL || ST == NULL || k == 0 || n == 0) return -1;
    double c = center_of(y, k, n);
    welford w;
    sums_clear(k, &w, S, ST);
    for (size_t j = 0; j < n; j++)
        sums_add(y, k, j, c, &w, S, ST);
    sums_finish(k, n, &w, S, ST);
    return 0;
}

/* Percentile interval of the finite values among x[0..n-1] (reorders x). */
static void percentile_interval(double *x, size_t n, double *lo, double *hi)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i])) x[m++] = x[i];
    double tail = (1.0 - STATS_LEVEL) / 2.0;
    *lo = stats_quantile(x, m, tail);
    *hi = stats_quantile_sorted(x, m, 1.0 - tail);
}

/* Fills bs[i * R + b] and bst[i * R + b] with replicate b of index i. */
static void bootstrap(const double *y, size_t k, size_t n, size_t R, gsl_rng *r, double *bs,
                      double *bst, double *S, double *ST)
{
    double c = center_of(y, k, n);
    welford w;
    for (size_t b = 0; b < R; b++) {
        sums_clear(k, &w, S, ST);
        for (size_t t = 0; t < n; t++)
            sums_add(y, k, (size_t)gsl_rng_uniform_int(r, (unsigned long)n), c, &w, S, ST);
        sums_finish(k, n, &w, S, ST);
        for (size_t i = 0; i < k; i++) {
            bs[i * R + b] = S[i];
            bst[i * R + b] = ST[i];
        }
    }
}

int sobol_analyze(const double *y, size_t k, size_t n, size_t resamples, gsl_rng *r,
                  sobol_index *out)
{
    if (y == NULL || out == NULL || k == 0 || n == 0) return -1;
    if (resamples > 0 && (r == NULL || n > gsl_rng_max(r) - gsl_rng_min(r))) return -1;
    if (resamples > SIZE_MAX / sizeof(double) / 2 / k) return -1;

    double *S = malloc(2 * k * sizeof *S);
    double *boot = resamples > 0 ? malloc(2 * k * resamples * sizeof *boot) : NULL;
    if (S == NULL || (resamples > 0 && boot == NULL)) {
        free(S);
        free(boot);
        return -1;
    }
    double *ST = S + k;
    sobol_estimate(y, k, n, S, ST);
    for (size_t i = 0; i < k; i++)
        out[i] = (sobol_index){
            .S = S[i], .S_lo = NAN, .S_hi = NAN, .ST = ST[i], .ST_lo = NAN, .ST_hi = NAN};

    if (resamples > 0) {
        double *bs = boot, *bst = boot + k * resamples;
        bootstrap(y, k, n, resamples, r, bs, bst, S, ST);
        for (size_t i = 0; i < k; i++) {
            percentile_interval(bs + i * resamples, resamples, &out[i].S_lo, &out[i].S_hi);
            percentile_interval(bst + i * resamples, resamples, &out[i].ST_lo, &out[i].ST_hi);
        }
    }
    free(S);
    free(boot);
    return 0;
}

double sobol_ishigami(const double x[3], double a, double b)
{
    double s2 = sin(x[1]);
    double x3 = x[2] * x[2];
    return sin(x[0]) * (1.0 + b * x3 * x3) + a * s2 * s2;
}

void sobol_ishigami_analytic(double a, double b, double S[3], double ST[3])
{
    double pi4 = pow(M_PI, 4.0), pi8 = pi4 * pi4;
    double v1 = 0.5 * (1.0 + b * pi4 / 5.0) * (1.0 + b * pi4 / 5.0);
    double v2 = a * a / 8.0;
    double v13 = 8.0 * b * b * pi8 / 225.0;
    double v = v1 + v2 + v13;
    S[0] = v1 / v;
    S[1] = v2 / v;
    S[2] = 0.0;
    ST[0] = (v1 + v13) / v;
    ST[1] = v2 / v;
    ST[2] = v13 / v;
}
