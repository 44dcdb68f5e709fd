#include "analysis/design.h"

#include <math.h>
#include <stdint.h>

#include <gsl/gsl_qrng.h>

/* GSL's Sobol generator keeps 30-bit numerators and fails after 2^30 - 1 points; keep one
 * in reserve for a leading zero point, should a GSL version return it. */
#define SALTELLI_MAX_N (((size_t)1 << 30) - 2)

/* lo + t (hi - lo), but exactly hi at t = 1 so grid end points are the user's numbers. */
static double lerp(double lo, double hi, double t)
{
    return t >= 1.0 ? hi : lo + t * (hi - lo);
}

static int param_valid(const design_param *p)
{
    if (p->values != NULL) {
        if (p->nvalues == 0) return 0;
        for (size_t i = 0; i < p->nvalues; i++)
            if (!isfinite(p->values[i])) return 0;
        return 1;
    }
    /* hi - lo must be finite too, or lerp would produce inf/NaN inside the range. */
    return isfinite(p->lo) && isfinite(p->hi) && p->lo <= p->hi && isfinite(p->hi - p->lo);
}

static int params_valid(const design_param *p, size_t k)
{
    if (k == 0 || p == NULL) return 0;
    for (size_t j = 0; j < k; j++)
        if (!param_valid(&p[j])) return 0;
    return 1;
}

/* rows * k doubles must be allocatable with a plain multiplication by the caller. */
static int size_fits(size_t rows, size_t k)
{
    return rows != 0 && rows <= SIZE_MAX / sizeof(double) / k;
}

double design_param_value(const design_param *p, double u)
{
    if (p->values == NULL) return lerp(p->lo, p->hi, u);
    double pos = floor(u * (double)p->nvalues);
    size_t i = pos <= 0.0 ? 0 : (size_t)pos;
    return p->values[i < p->nvalues ? i : p->nvalues - 1];
}

static size_t grid_levels(const design_param *p)
{
    return p->values != NULL ? p->nvalues : p->levels;
}

static double grid_value(const design_param *p, size_t i)
{
    if (p->values != NULL) return p->values[i];
    if (p->levels == 1) return lerp(p->lo, p->hi, 0.5);
    return lerp(p->lo, p->hi, (double)i / (double)(p->levels - 1));
}

size_t design_grid_rows(const design_param *p, size_t k)
{
    if (!params_valid(p, k)) return 0;
    size_t rows = 1;
    for (size_t j = 0; j < k; j++) {
        size_t l = grid_levels(&p[j]);
        if (l == 0 || rows > SIZE_MAX / l) return 0;
        rows *= l;
    }
    return size_fits(rows, k) ? rows : 0;
}

/* Decodes `index` as a mixed-radix number whose last digit is the last parameter. */
static void grid_fill(const design_param *p, size_t k, size_t index, double *row)
{
    for (size_t j = k; j-- > 0;) {
        size_t l = grid_levels(&p[j]);
        row[j] = grid_value(&p[j], index % l);
        index /= l;
    }
}

int design_grid_row(const design_param *p, size_t k, size_t index, double *row)
{
    size_t rows = design_grid_rows(p, k);
    if (rows == 0 || index >= rows) return -1;
    grid_fill(p, k, index, row);
    return 0;
}

int design_grid(const design_param *p, size_t k, double *out)
{
    size_t rows = design_grid_rows(p, k);
    if (rows == 0) return -1;
    for (size_t r = 0; r < rows; r++)
        grid_fill(p, k, r, out + r * k);
    return 0;
}

/* Fills column d of the n x k matrix with one jittered point per stratum of [0, 1), then
 * shuffles the column so strata pair up randomly with the other dimensions. Done in place on
 * the strided column to need no scratch memory. */
static void lhs_column(double *out, size_t n, size_t k, size_t d, gsl_rng *r)
{
    for (size_t j = 0; j < n; j++)
        out[j * k + d] = ((double)j + gsl_rng_uniform(r)) / (double)n;
    for (size_t j = n - 1; j > 0; j--) {
        size_t m = (size_t)gsl_rng_uniform_int(r, (unsigned long)(j + 1));
        double t = out[j * k + d];
        out[j * k + d] = out[m * k + d];
        out[m * k + d] = t;
    }
}

int design_lhs(const design_param *p, size_t k, size_t n, gsl_rng *r, double *out)
{
    if (r == NULL || !params_valid(p, k) || !size_fits(n, k)) return -1;
    /* gsl_rng_uniform_int(r, m) needs m <= max - min, or it calls the GSL error handler
     * (which aborts by default); shuffling n rows draws m up to n. */
    if (n > gsl_rng_max(r) - gsl_rng_min(r)) return -1;
    for (size_t d = 0; d < k; d++)
        lhs_column(out, n, k, d, r);
    /* Mapping after shuffling keeps the draw sequence independent of the parameter kinds. */
    for (size_t j = 0; j < n; j++)
        for (size_t d = 0; d < k; d++)
            out[j * k + d] = design_param_value(&p[d], out[j * k + d]);
    return 0;
}

size_t design_saltelli_rows(size_t k, size_t n)
{
    if (k == 0 || k > DESIGN_SALTELLI_MAX_K || n == 0 || n > SALTELLI_MAX_N) return 0;
    if (n > SIZE_MAX / (k + 2)) return 0;
    size_t rows = n * (k + 2);
    return size_fits(rows, k) ? rows : 0;
}

static int is_origin(const double *x, size_t dim)
{
    for (size_t d = 0; d < dim; d++)
        if (x[d] != 0.0) return 0;
    return 1;
}

/* Writes base sample block A, B, AB_0 .. AB_{k-1} from one 2k-dimensional point. */
static void saltelli_block(const design_param *p, size_t k, const double *pt, double *a)
{
    double *b = a + k;
    for (size_t d = 0; d < k; d++) {
        a[d] = design_param_value(&p[d], pt[d]);
        b[d] = design_param_value(&p[d], pt[k + d]);
    }
    for (size_t i = 0; i < k; i++) {
        double *ab = a + (2 + i) * k;
        for (size_t d = 0; d < k; d++)
            ab[d] = d == i ? b[d] : a[d];
    }
}

int design_saltelli(const design_param *p, size_t k, size_t n, double *out)
{
    if (design_saltelli_rows(k, n) == 0 || !params_valid(p, k)) return -1;
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned int)(2 * k));
    if (q == NULL) return -1;
    double pt[2 * DESIGN_SALTELLI_MAX_K];
    int rc = gsl_qrng_get(q, pt);
    if (rc == 0 && is_origin(pt, 2 * k)) rc = gsl_qrng_get(q, pt); /* see design.h */
    for (size_t j = 0; rc == 0 && j < n; j++) {
        saltelli_block(p, k, pt, out + j * (k + 2) * k);
        if (j + 1 < n) rc = gsl_qrng_get(q, pt);
    }
    gsl_qrng_free(q);
    return rc == 0 ? 0 : -1;
}
