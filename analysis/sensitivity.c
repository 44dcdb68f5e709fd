#include "analysis/sensitivity.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "sim/h5util.h"

int sensitivity_compute(const sweep_spec *sp, const double *ind, sensitivity *out)
{
    memset(out, 0, sizeof *out);
    if (sp->design != SWEEP_SALTELLI) return -1;
    out->m = sp->m;
    out->k = sp->k;
    out->idx = calloc(sp->m * sp->k, sizeof *out->idx);
    double *y = malloc(sp->points * sizeof(double));
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!out->idx || !y || !r) abort();
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sp->m; i++) {
        for (size_t p = 0; p < sp->points; p++) {
            double sum = 0;
            for (size_t rep = 0; rep < sp->replicates; rep++)
                sum += ind[(p * sp->replicates + rep) * sp->m + i];
            y[p] = sum / (double)sp->replicates;
        }
        gsl_rng_set(r, (unsigned long)sp->seed);
        rc = sobol_analyze(y, sp->k, sp->samples, sp->bootstrap, sp->bootstrap ? r : NULL,
                           out->idx + i * sp->k);
    }
    gsl_rng_free(r);
    free(y);
    return rc;
}

void sensitivity_free(sensitivity *s)
{
    free(s->idx);
    memset(s, 0, sizeof *s);
}

static void print_index(FILE *f, double v, double lo, double hi)
{
    if (isnan(v)) {
        fprintf(f, "  %-22s", "n/a (no variance)");
        return;
    }
    char buf[64];
    if (isnan(lo))
        snprintf(buf, sizeof buf, "%6.3f", v);
    else
        snprintf(buf, sizeof buf, "%6.3f [%6.3f,%6.3f]", v, lo, hi);
    fprintf(f, "  %-22s", buf);
}

void sensitivity_print(FILE *f, const sweep_spec *sp, const sensitivity *s)
{
    int wi = 9, wp = 9; /* column widths: the longest names */
    for (size_t i = 0; i < s->m; i++)
        if ((int)strlen(sp->ind_names[i]) > wi) wi = (int)strlen(sp->ind_names[i]);
    for (size_t j = 0; j < s->k; j++)
        if ((int)strlen(sp->params[j].key) > wp) wp = (int)strlen(sp->params[j].key);
    fprintf(f, "Sobol indices: N = %zu base samples, %zu runs", sp->samples, sp->runs);
    if (sp->replicates > 1) fprintf(f, " (means of %zu replicates)", sp->replicates);
    if (sp->bootstrap) fprintf(f, ", 95%% bootstrap intervals (%zu resamples)", sp->bootstrap);
    fprintf(f, "\n  %-*s  %-*s  %-22s  %-22s\n", wi, "indicator", wp, "parameter", "first order S",
            "total ST");
    for (size_t i = 0; i < s->m; i++) {
        for (size_t j = 0; j < s->k; j++) {
            const sobol_index *x = &s->idx[i * s->k + j];
            fprintf(f, "  %-*s  %-*s", wi, j == 0 ? sp->ind_names[i] : "", wp, sp->params[j].key);
            print_index(f, x->S, x->S_lo, x->S_hi);
            print_index(f, x->ST, x->ST_lo, x->ST_hi);
            fputc('\n', f);
        }
    }
}

static herr_t write_matrix(hid_t g, const char *name, const sensitivity *s, size_t offset,
                           const char *description)
{
    double *v = malloc(s->m * s->k * sizeof(double) + 1);
    if (!v) abort();
    for (size_t i = 0; i < s->m * s->k; i++)
        v[i] = *(const double *)((const char *)&s->idx[i] + offset);
    hsize_t dims[2] = {s->m, s->k};
    hid_t sp = H5Screate_simple(2, dims, NULL);
    hid_t ds = H5Dcreate2(g, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = ds < 0 ? -1 : H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
    if (rc >= 0) rc = h5u_attr_string(ds, "long_name", description);
    if (rc >= 0) rc = h5u_attr_string(ds, "dims", "indicator, parameter");
    if (ds >= 0) H5Dclose(ds);
    H5Sclose(sp);
    free(v);
    return rc;
}

int sensitivity_write(hid_t file, const sweep_spec *sp, const sensitivity *s)
{
    hid_t g = H5Gcreate2(file, "sensitivity", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return -1;
    herr_t rc = 0;
    rc |= write_matrix(g, "S", s, offsetof(sobol_index, S), "first-order Sobol index");
    rc |= write_matrix(g, "S_lo", s, offsetof(sobol_index, S_lo), "S: bootstrap 95% low");
    rc |= write_matrix(g, "S_hi", s, offsetof(sobol_index, S_hi), "S: bootstrap 95% high");
    rc |= write_matrix(g, "ST", s, offsetof(sobol_index, ST), "total-order Sobol index");
    rc |= write_matrix(g, "ST_lo", s, offsetof(sobol_index, ST_lo), "ST: bootstrap 95% low");
    rc |= write_matrix(g, "ST_hi", s, offsetof(sobol_index, ST_hi), "ST: bootstrap 95% high");
    rc |= h5u_attr_i64(g, "base_samples", (int64_t)sp->samples);
    rc |= h5u_attr_i64(g, "bootstrap", (int64_t)sp->bootstrap);
    H5Gclose(g);
    return rc < 0 ? -1 : 0;
}
