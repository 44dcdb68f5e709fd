#include "analysis/sweep_file.h"

#include <errno.h>
#include <hdf5_hl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sim/h5util.h"
#include "sim/version.h"

static const char sweep_format[] = "rumbo sweep";

/* Rows per chunk of the per-sample datasets: small rows, so many to a chunk. */
enum { SAMPLE_CHUNK = 256, TIME_CHUNK = 64 };
/* Seconds between flushes: bounds what a crash (SIGKILL) can lose. */
#define FLUSH_SECONDS 2.0

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* An extendible dataset [0 x dims...], chunked along the sample axis. */
static hid_t create_rows(hid_t loc, const char *name, hid_t type, int rank, const hsize_t *dims,
                         const hsize_t *chunk, const void *fill, bool compress,
                         const char *description)
{
    hsize_t cur[SERIES_MAX_DIMS + 2], max[SERIES_MAX_DIMS + 2];
    for (int i = 0; i < rank; i++)
        cur[i] = max[i] = dims[i];
    cur[0] = 0;
    max[0] = H5S_UNLIMITED;
    hid_t sp = H5Screate_simple(rank, cur, max);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, rank, chunk);
    H5Pset_fill_value(dcpl, type, fill);
    if (compress) {
        H5Pset_shuffle(dcpl);
        H5Pset_deflate(dcpl, 4);
    }
    hid_t ds = H5Dcreate2(loc, name, type, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Pclose(dcpl);
    H5Sclose(sp);
    if (ds >= 0 && description && h5u_attr_string(ds, "long_name", description) < 0) {
        H5Dclose(ds);
        return -1;
    }
    return ds;
}

static hid_t create_1d(hid_t file, const char *name, hid_t type, const void *fill,
                       const char *description)
{
    hsize_t dims[1] = {0}, chunk[1] = {SAMPLE_CHUNK};
    return create_rows(file, name, type, 1, dims, chunk, fill, false, description);
}

static hid_t create_2d(hid_t file, const char *name, size_t cols, const char *description)
{
    hsize_t dims[2] = {0, cols}, chunk[2] = {SAMPLE_CHUNK, cols};
    double nan = NAN;
    return create_rows(file, name, H5T_NATIVE_DOUBLE, 2, dims, chunk, &nan, false, description);
}

static herr_t write_labels(hid_t file, const char *scale, const char *labels, size_t n,
                           const char *const *names, const char *description)
{
    int32_t *idx = calloc(n + 1, sizeof(int32_t));
    if (!idx) abort();
    for (size_t i = 0; i < n; i++)
        idx[i] = (int32_t)i;
    herr_t rc = h5u_write_1d(file, scale, H5T_NATIVE_INT32, n, idx);
    free(idx);
    if (rc >= 0) rc = h5u_write_strings(file, labels, n, names);
    if (rc < 0) return rc;
    hid_t s = H5Dopen2(file, scale, H5P_DEFAULT), l = H5Dopen2(file, labels, H5P_DEFAULT);
    rc = s < 0 || l < 0 ? -1 : H5DSset_scale(s, scale);
    if (rc >= 0) rc = H5DSattach_scale(l, s, 0);
    if (rc >= 0) rc = h5u_attr_string(s, "long_name", description);
    if (s >= 0) H5Dclose(s);
    if (l >= 0) H5Dclose(l);
    return rc;
}

static herr_t write_attrs(hid_t file, const sweep_spec *sp)
{
    herr_t rc = 0;
    rc |= h5u_attr_string(file, "format", sweep_format);
    rc |= h5u_attr_string(file, "sweep", sp->text);
    rc |= h5u_attr_string(file, "scenario", sp->scenario_yaml);
    rc |= h5u_attr_string(file, "design", sweep_design_names[sp->design]);
    rc |= h5u_attr_i64(file, "samples", (int64_t)sp->samples);
    rc |= h5u_attr_i64(file, "replicates", (int64_t)sp->replicates);
    rc |= h5u_attr_i64(file, "points", (int64_t)sp->points);
    rc |= h5u_attr_i64(file, "runs", (int64_t)sp->runs);
    rc |= h5u_attr_i64(file, "seed", (int64_t)sp->seed);
    rc |= h5u_attr_string(file, "version", RUMBO_VERSION);
    rc |= h5u_attr_string(file, "commit", RUMBO_COMMIT);
    return rc;
}

static herr_t create_series(sweep_file *f, const sweep_spec *sp)
{
    if (sp->n_series == 0) return 0;
    hid_t g = H5Gcreate2(f->file, "series", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return -1;
    herr_t rc = 0;
    for (size_t i = 0; rc >= 0 && i < sp->n_series; i++) {
        const sweep_series *s = &sp->series[i];
        hsize_t dims[SERIES_MAX_DIMS + 2], chunk[SERIES_MAX_DIMS + 2];
        int rank = 0;
        dims[rank] = 0, chunk[rank++] = 1;
        dims[rank] = (hsize_t)sp->days;
        chunk[rank++] = sp->days < TIME_CHUNK ? (hsize_t)sp->days : TIME_CHUNK;
        char dim_list[200] = "sample, time";
        for (int k = 0; k < s->ndims; k++) {
            dims[rank] = s->dims[k];
            chunk[rank++] = s->dims[k] ? s->dims[k] : 1;
            strncat(dim_list, ", ", sizeof dim_list - strlen(dim_list) - 1);
            strncat(dim_list, s->dim_names[k], sizeof dim_list - strlen(dim_list) - 1);
        }
        int64_t zero_i = 0;
        double nan = NAN;
        hid_t type = s->type == SERIES_INT64 ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE;
        f->ds_series[i] =
            create_rows(g, s->name, type, rank, dims, chunk,
                        s->type == SERIES_INT64 ? (void *)&zero_i : (void *)&nan, true, NULL);
        if (f->ds_series[i] < 0 || h5u_attr_string(f->ds_series[i], "dims", dim_list) < 0) rc = -1;
    }
    H5Gclose(g);
    return rc;
}

static int create_file(sweep_file *f, const sweep_spec *sp)
{
    f->file = H5Fcreate(f->partial, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f->file < 0) return -1;
    const char *const *pnames = NULL;
    const char **keys = calloc(sp->k, sizeof(char *));
    if (!keys) abort();
    for (size_t j = 0; j < sp->k; j++)
        keys[j] = sp->params[j].key;
    pnames = keys;
    herr_t rc = write_attrs(f->file, sp);
    if (rc >= 0)
        rc = write_labels(f->file, "parameter", "parameter_name", sp->k, pnames,
                          "varied scenario keys (dotted paths as --set takes them)");
    free(keys);
    if (rc >= 0)
        rc = write_labels(f->file, "indicator", "indicator_name", sp->m,
                          (const char *const *)sp->ind_names, "headline indicators of a run");
    if (rc < 0) return -1;
    int64_t minus1 = -1;
    uint8_t zero = 0;
    f->ds_sample = create_1d(f->file, "sample", H5T_NATIVE_INT64, &minus1,
                             "run number: point x replicates + replicate");
    f->ds_point = create_1d(f->file, "point", H5T_NATIVE_INT64, &minus1, "row of the design");
    f->ds_rep = create_1d(f->file, "replicate", H5T_NATIVE_INT64, &minus1,
                          "replicate (ensemble member) of the run");
    f->ds_done = create_1d(f->file, "done", H5T_NATIVE_UINT8, &zero, "1 once the run is stored");
    f->ds_params = create_2d(f->file, "parameters", sp->k, "parameter values of the run");
    f->ds_ind = create_2d(f->file, "indicators", sp->m, "headline indicators of the run");
    if (f->ds_sample < 0 || f->ds_point < 0 || f->ds_rep < 0 || f->ds_done < 0 ||
        f->ds_params < 0 || f->ds_ind < 0)
        return -1;
    if (H5DSset_scale(f->ds_sample, "sample") < 0) return -1;
    hid_t pscale = H5Dopen2(f->file, "parameter", H5P_DEFAULT);
    hid_t iscale = H5Dopen2(f->file, "indicator", H5P_DEFAULT);
    rc = 0;
    hid_t per_sample[] = {f->ds_point, f->ds_rep, f->ds_done, f->ds_params, f->ds_ind};
    for (size_t i = 0; rc >= 0 && i < sizeof per_sample / sizeof *per_sample; i++)
        rc = H5DSattach_scale(per_sample[i], f->ds_sample, 0);
    if (rc >= 0) rc = H5DSattach_scale(f->ds_params, pscale, 1);
    if (rc >= 0) rc = H5DSattach_scale(f->ds_ind, iscale, 1);
    H5Dclose(pscale);
    H5Dclose(iscale);
    if (rc >= 0) rc = create_series(f, sp);
    return rc < 0 ? -1 : 0;
}

/* ---- resuming -------------------------------------------------------------------------- */

static int same_attr(hid_t file, const char *name, const char *expected)
{
    char *v = h5u_read_attr_string(file, name);
    int same = v && strcmp(v, expected) == 0;
    free(v);
    return same;
}

/* 1: reopened; 0: not ours (another sweep); -1: unreadable; -2: locked by another
 * process (HDF5 locks files it has open for writing). */
static int reopen_file(sweep_file *f, const sweep_spec *sp, uint8_t *done, size_t *n_done)
{
    errno = 0;
    f->file = H5Fopen(f->partial, H5F_ACC_RDWR, H5P_DEFAULT);
    if (f->file < 0) return errno == EWOULDBLOCK || errno == EAGAIN ? -2 : -1;
    if (!same_attr(f->file, "format", sweep_format)) return -1;
    if (!same_attr(f->file, "sweep", sp->text) ||
        !same_attr(f->file, "scenario", sp->scenario_yaml))
        return 0;
    f->ds_sample = H5Dopen2(f->file, "sample", H5P_DEFAULT);
    f->ds_point = H5Dopen2(f->file, "point", H5P_DEFAULT);
    f->ds_rep = H5Dopen2(f->file, "replicate", H5P_DEFAULT);
    f->ds_done = H5Dopen2(f->file, "done", H5P_DEFAULT);
    f->ds_params = H5Dopen2(f->file, "parameters", H5P_DEFAULT);
    f->ds_ind = H5Dopen2(f->file, "indicators", H5P_DEFAULT);
    if (f->ds_sample < 0 || f->ds_point < 0 || f->ds_rep < 0 || f->ds_done < 0 ||
        f->ds_params < 0 || f->ds_ind < 0)
        return -1;
    for (size_t i = 0; i < sp->n_series; i++) {
        char name[64];
        snprintf(name, sizeof name, "series/%s", sp->series[i].name);
        f->ds_series[i] = H5Dopen2(f->file, name, H5P_DEFAULT);
        if (f->ds_series[i] < 0) return -1;
    }
    int64_t len = h5u_length(f->file, "done");
    if (len < 0 || (size_t)len > sp->runs) return -1;
    f->extent = (size_t)len;
    if (len > 0 && H5Dread(f->ds_done, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, done) < 0)
        return -1;
    *n_done = 0;
    for (size_t i = 0; i < sp->runs; i++) {
        if (i >= (size_t)len) done[i] = 0;
        *n_done += done[i] != 0;
    }
    return 1;
}

static void close_handles(sweep_file *f)
{
    hid_t *all[] = {&f->ds_sample, &f->ds_point,  &f->ds_rep,
                    &f->ds_done,   &f->ds_params, &f->ds_ind};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) {
        if (*all[i] >= 0) H5Dclose(*all[i]);
        *all[i] = -1;
    }
    for (size_t i = 0; i < f->n_series; i++) {
        if (f->ds_series[i] >= 0) H5Dclose(f->ds_series[i]);
        f->ds_series[i] = -1;
    }
    if (f->file >= 0) H5Fclose(f->file);
    f->file = -1;
}

static void reset(sweep_file *f, size_t n_series)
{
    f->file = f->ds_sample = f->ds_params = f->ds_ind = f->ds_point = f->ds_rep = f->ds_done = -1;
    for (size_t i = 0; i < n_series; i++)
        f->ds_series[i] = -1;
    f->extent = 0;
}

static void release(sweep_file *f)
{
    free(f->ds_series);
    free(f->path);
    free(f->partial);
    memset(f, 0, sizeof *f);
}

int sweep_file_open(sweep_file *f, const char *path, const sweep_spec *sp, bool fresh,
                    uint8_t *done, size_t *n_done, char *warning, diag *d)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    memset(f, 0, sizeof *f);
    f->path = strdup(path);
    f->partial = malloc(strlen(path) + 16);
    f->n_series = sp->n_series;
    f->ds_series = calloc(sp->n_series + 1, sizeof(hid_t));
    if (!f->path || !f->partial || !f->ds_series) abort();
    sprintf(f->partial, "%s.partial", path);
    reset(f, f->n_series);
    warning[0] = '\0';
    memset(done, 0, sp->runs);
    *n_done = 0;
    if (!fresh && access(f->partial, F_OK) == 0) {
        int r = reopen_file(f, sp, done, n_done);
        if (r == 1) {
            f->last_flush = now();
            return 0;
        }
        close_handles(f);
        reset(f, f->n_series);
        memset(done, 0, sp->runs);
        *n_done = 0;
        if (r == -2) {
            diag_fail(d, EXIT_RUNTIME,
                      "%s is open in another process (is this sweep running "
                      "already?)",
                      f->partial);
            release(f);
            return -1;
        }
        if (r == 0) {
            diag_fail(d, EXIT_BAD_INPUT,
                      "%s belongs to a different sweep (other spec or base scenario): remove it, "
                      "or pass --fresh to start this sweep over it",
                      f->partial);
            release(f);
            return -1;
        }
        snprintf(warning, 256, "%s was damaged (killed while writing?); starting over", f->partial);
    }
    if (create_file(f, sp) < 0) {
        diag_fail(d, EXIT_RUNTIME, "%s: cannot create the sweep file: %s", f->partial,
                  strerror(errno));
        close_handles(f);
        unlink(f->partial);
        release(f);
        return -1;
    }
    f->last_flush = now();
    return 0;
}

/* ---- writing rows ---------------------------------------------------------------------- */

static herr_t grow(hid_t ds, size_t rows)
{
    hid_t sp = H5Dget_space(ds);
    hsize_t dims[SERIES_MAX_DIMS + 2];
    int rank = H5Sget_simple_extent_dims(sp, dims, NULL);
    H5Sclose(sp);
    if (rank < 1) return -1;
    dims[0] = rows;
    return H5Dset_extent(ds, dims);
}

static herr_t write_row(hid_t ds, size_t row, hid_t type, const void *data)
{
    hid_t fsp = H5Dget_space(ds);
    hsize_t dims[SERIES_MAX_DIMS + 2], start[SERIES_MAX_DIMS + 2] = {0};
    int rank = H5Sget_simple_extent_dims(fsp, dims, NULL);
    start[0] = row;
    dims[0] = 1;
    H5Sselect_hyperslab(fsp, H5S_SELECT_SET, start, NULL, dims, NULL);
    hid_t msp = H5Screate_simple(rank, dims, NULL);
    herr_t rc = H5Dwrite(ds, type, msp, fsp, H5P_DEFAULT, data);
    H5Sclose(msp);
    H5Sclose(fsp);
    return rc;
}

static herr_t extend_all(sweep_file *f, size_t rows)
{
    hid_t all[] = {f->ds_sample, f->ds_point, f->ds_rep, f->ds_done, f->ds_params, f->ds_ind};
    herr_t rc = 0;
    for (size_t i = 0; rc >= 0 && i < sizeof all / sizeof *all; i++)
        rc = grow(all[i], rows);
    for (size_t i = 0; rc >= 0 && i < f->n_series; i++)
        rc = grow(f->ds_series[i], rows);
    if (rc >= 0) f->extent = rows;
    return rc;
}

int sweep_file_put(sweep_file *f, const sweep_spec *sp, size_t sample, const void *result, diag *d)
{
    herr_t rc = 0;
    if (sample >= f->extent) rc = extend_all(f, sample + 1);
    int64_t s = (int64_t)sample, point = (int64_t)(sample / sp->replicates),
            rep = (int64_t)(sample % sp->replicates);
    uint8_t one = 1;
    if (rc >= 0) rc = write_row(f->ds_sample, sample, H5T_NATIVE_INT64, &s);
    if (rc >= 0) rc = write_row(f->ds_point, sample, H5T_NATIVE_INT64, &point);
    if (rc >= 0) rc = write_row(f->ds_rep, sample, H5T_NATIVE_INT64, &rep);
    if (rc >= 0)
        rc = write_row(f->ds_params, sample, H5T_NATIVE_DOUBLE, sweep_sample_params(sp, sample));
    if (rc >= 0) rc = write_row(f->ds_ind, sample, H5T_NATIVE_DOUBLE, result);
    const unsigned char *bytes = (const unsigned char *)result + sp->m * sizeof(double);
    for (size_t i = 0; rc >= 0 && i < sp->n_series; i++) {
        hid_t type = sp->series[i].type == SERIES_INT64 ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE;
        rc = write_row(f->ds_series[i], sample, type, bytes);
        bytes += (size_t)sp->days * sp->series[i].record * 8;
    }
    /* `done` last: a row marked done is complete even if a crash follows. */
    if (rc >= 0) rc = write_row(f->ds_done, sample, H5T_NATIVE_UINT8, &one);
    /* The first run of a session is flushed at once: a glance at the file (or a test)
     * then shows the sweep under way. */
    if (rc >= 0 && (f->stored++ == 0 || now() - f->last_flush > FLUSH_SECONDS)) {
        rc = H5Fflush(f->file, H5F_SCOPE_GLOBAL);
        f->last_flush = now();
    }
    if (rc < 0) {
        diag_fail(d, EXIT_RUNTIME, "%s: writing run %zu failed (disk full or I/O error?)",
                  f->partial, sample);
        return -1;
    }
    return 0;
}

int sweep_file_read_indicators(sweep_file *f, const sweep_spec *sp, double *out)
{
    if (f->extent != sp->runs) return -1;
    return H5Dread(f->ds_ind, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0 ? -1 : 0;
}

int sweep_file_finish(sweep_file *f, diag *d)
{
    herr_t rc = H5Fflush(f->file, H5F_SCOPE_GLOBAL);
    close_handles(f);
    int out = -1;
    if (rc < 0)
        diag_fail(d, EXIT_RUNTIME, "%s: writing the sweep file failed", f->partial);
    else
        out = h5u_commit_file(f->partial, f->path, true, d);
    release(f);
    return out;
}

int sweep_file_suspend(sweep_file *f, diag *d)
{
    herr_t rc = H5Fflush(f->file, H5F_SCOPE_GLOBAL);
    close_handles(f);
    if (rc < 0) diag_fail(d, EXIT_RUNTIME, "%s: writing the sweep file failed", f->partial);
    release(f);
    return rc < 0 ? -1 : 0;
}
