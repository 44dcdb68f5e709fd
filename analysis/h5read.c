#include "analysis/h5read.h"

#include <hdf5.h>
#include <stdlib.h>
#include <string.h>

#include "sim/config.h"

static char *attr_text(hid_t obj, const char *name)
{
    if (H5Aexists(obj, name) <= 0) return NULL;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t ft = H5Aget_type(a);
    char *out = NULL;
    if (H5Tget_class(ft) == H5T_STRING) {
        if (H5Tis_variable_str(ft) > 0) {
            hid_t mt = H5Tcopy(H5T_C_S1);
            H5Tset_size(mt, H5T_VARIABLE);
            H5Tset_cset(mt, H5Tget_cset(ft));
            char *v = NULL;
            if (H5Aread(a, mt, &v) >= 0 && v) out = strdup(v);
            H5free_memory(v);
            H5Tclose(mt);
        } else {
            size_t len = H5Tget_size(ft);
            out = calloc(len + 1, 1);
            if (out && H5Aread(a, ft, out) < 0) out[0] = '\0';
        }
    }
    H5Tclose(ft);
    H5Aclose(a);
    return out;
}

static int64_t dataset_length(hid_t file, const char *name)
{
    if (H5Lexists(file, name, H5P_DEFAULT) <= 0) return -1;
    hid_t ds = H5Dopen2(file, name, H5P_DEFAULT);
    if (ds < 0) return -1;
    hid_t sp = H5Dget_space(ds);
    hsize_t dims[1] = {0};
    int rank = H5Sget_simple_extent_ndims(sp);
    if (rank == 1) H5Sget_simple_extent_dims(sp, dims, NULL);
    H5Sclose(sp);
    H5Dclose(ds);
    return rank == 1 ? (int64_t)dims[0] : -1;
}

int h5run_open(h5run *r, const char *path, diag *d)
{
    memset(r, 0, sizeof *r);
    r->file = -1;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (H5Fis_hdf5(path) <= 0) {
        diag_input(d, path, 0, "", "not an HDF5 file (or cannot be read)");
        return -1;
    }
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) {
        diag_input(d, path, 0, "", "cannot open");
        return -1;
    }
    r->file = f;
    r->path = strdup(path);
    char *start = attr_text(f, "start_date");
    int64_t days = dataset_length(f, "time");
    if (!start || date_parse(start, &r->start) || days < 0) {
        diag_input(d, path, 0, "", "not a rumbo output (no start_date or time)");
        free(start);
        h5run_close(r);
        return -1;
    }
    free(start);
    r->days = (int)days;
    int64_t members = dataset_length(f, "member");
    r->n_members = members > 0 ? (int)members : 1;
    r->member_dim = members > 0;
    double *ids = members > 0 ? h5run_numbers(r, "member", NULL) : NULL;
    r->first_member = ids ? (int)ids[0] : 0;
    free(ids);
    r->scenario_name = attr_text(f, "scenario_name");
    if (!r->scenario_name) r->scenario_name = strdup("?");
    return 0;
}

void h5run_close(h5run *r)
{
    if (r->file >= 0) H5Fclose(r->file);
    free(r->path);
    free(r->scenario_name);
    memset(r, 0, sizeof *r);
    r->file = -1;
}

bool h5run_has(const h5run *r, const char *name)
{
    return H5Lexists(r->file, name, H5P_DEFAULT) > 0;
}

/* Opens series `name` and checks it has [member,] time as leading axes. */
static hid_t open_series(const h5run *r, const char *name, int *rank, hsize_t *dims)
{
    if (!h5run_has(r, name)) return -1;
    hid_t ds = H5Dopen2(r->file, name, H5P_DEFAULT);
    if (ds < 0) return -1;
    hid_t sp = H5Dget_space(ds);
    *rank = H5Sget_simple_extent_ndims(sp);
    int lead = r->member_dim ? 2 : 1;
    bool ok = *rank >= lead && *rank <= lead + H5RUN_MAX_DIMS;
    if (ok) H5Sget_simple_extent_dims(sp, dims, NULL);
    if (ok && lead == 2) ok = dims[0] == (hsize_t)r->n_members && dims[1] == (hsize_t)r->days;
    if (ok && lead == 1) ok = dims[0] == (hsize_t)r->days;
    H5Sclose(sp);
    if (!ok) {
        H5Dclose(ds);
        return -1;
    }
    return ds;
}

int h5run_record_shape(const h5run *r, const char *name, size_t dims[H5RUN_MAX_DIMS])
{
    int rank;
    hsize_t all[H5RUN_MAX_DIMS + 2];
    hid_t ds = open_series(r, name, &rank, all);
    if (ds < 0) return -1;
    H5Dclose(ds);
    int lead = r->member_dim ? 2 : 1;
    for (int k = 0; k < rank - lead; k++)
        dims[k] = (size_t)all[lead + k];
    return rank - lead;
}

double *h5run_read(const h5run *r, const char *name, int member, size_t *record, diag *d)
{
    int rank;
    hsize_t dims[H5RUN_MAX_DIMS + 2];
    hid_t ds = open_series(r, name, &rank, dims);
    if (ds < 0) return NULL;
    bool has_member = r->member_dim;
    hsize_t start[H5RUN_MAX_DIMS + 2] = {0}, count[H5RUN_MAX_DIMS + 2];
    memcpy(count, dims, sizeof(hsize_t) * (size_t)rank);
    if (has_member) start[0] = (hsize_t)member, count[0] = 1;
    size_t n = 1;
    for (int k = has_member ? 2 : 1; k < rank; k++)
        n *= (size_t)dims[k];
    *record = n;
    double *out = malloc(((size_t)r->days * n + 1) * sizeof(double));
    if (!out) abort();
    hid_t fsp = H5Dget_space(ds);
    hid_t msp = H5Screate_simple(rank, count, NULL);
    herr_t rc = H5Sselect_hyperslab(fsp, H5S_SELECT_SET, start, NULL, count, NULL);
    if (rc >= 0 && r->days > 0 && n > 0)
        rc = H5Dread(ds, H5T_NATIVE_DOUBLE, msp, fsp, H5P_DEFAULT, out);
    H5Sclose(msp);
    H5Sclose(fsp);
    H5Dclose(ds);
    if (rc < 0) {
        diag_fail(d, EXIT_RUNTIME, "%s: cannot read dataset %s", r->path, name);
        free(out);
        return NULL;
    }
    return out;
}

char **h5run_strings(const h5run *r, const char *name, size_t *n)
{
    int64_t len = dataset_length(r->file, name);
    if (len < 0) return NULL;
    hid_t ds = H5Dopen2(r->file, name, H5P_DEFAULT);
    hid_t ft = H5Dget_type(ds);
    char **out = calloc((size_t)len + 1, sizeof(char *));
    if (!out) abort();
    bool ok = H5Tget_class(ft) == H5T_STRING && H5Tis_variable_str(ft) > 0;
    if (ok && len > 0) {
        hid_t mt = H5Tcopy(H5T_C_S1);
        H5Tset_size(mt, H5T_VARIABLE);
        H5Tset_cset(mt, H5Tget_cset(ft));
        char **raw = calloc((size_t)len, sizeof(char *));
        if (!raw) abort();
        ok = H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) >= 0;
        for (int64_t i = 0; i < len; i++) {
            out[i] = strdup(ok && raw[i] ? raw[i] : "");
            if (!out[i]) abort();
        }
        hid_t sp = H5Dget_space(ds);
        if (ok) H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, raw);
        H5Sclose(sp);
        free(raw);
        H5Tclose(mt);
    }
    H5Tclose(ft);
    H5Dclose(ds);
    if (!ok) {
        h5run_free_strings(out, (size_t)len);
        return NULL;
    }
    if (n) *n = (size_t)len;
    return out;
}

void h5run_free_strings(char **s, size_t n)
{
    if (!s) return;
    for (size_t i = 0; i < n; i++)
        free(s[i]);
    free(s);
}

double *h5run_numbers(const h5run *r, const char *name, size_t *n)
{
    int64_t len = dataset_length(r->file, name);
    if (len < 0) return NULL;
    hid_t ds = H5Dopen2(r->file, name, H5P_DEFAULT);
    hid_t ft = H5Dget_type(ds);
    H5T_class_t cls = H5Tget_class(ft);
    H5Tclose(ft);
    double *out = malloc(((size_t)len + 1) * sizeof(double));
    if (!out) abort();
    bool ok = cls == H5T_INTEGER || cls == H5T_FLOAT;
    if (ok && len > 0) ok = H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) >= 0;
    H5Dclose(ds);
    if (!ok) {
        free(out);
        return NULL;
    }
    if (n) *n = (size_t)len;
    return out;
}

int h5run_find_label(char *const *labels, size_t n, const char *names)
{
    if (!labels) return -1;
    const char *p = names;
    while (*p) {
        size_t len = strcspn(p, "|");
        for (size_t i = 0; i < n; i++)
            if (strlen(labels[i]) == len && strncmp(labels[i], p, len) == 0) return (int)i;
        p += len;
        if (*p == '|') p++;
    }
    return -1;
}
