#include "sim/h5util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static hid_t utf8_string_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    return t;
}

herr_t h5u_attr_string(hid_t obj, const char *name, const char *value)
{
    hid_t t = utf8_string_type(), sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = a < 0 ? -1 : H5Awrite(a, t, &value);
    if (a >= 0) H5Aclose(a);
    H5Sclose(sp);
    H5Tclose(t);
    return rc;
}

herr_t h5u_attr_i64(hid_t obj, const char *name, int64_t value)
{
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, H5T_STD_I64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = a < 0 ? -1 : H5Awrite(a, H5T_NATIVE_INT64, &value);
    if (a >= 0) H5Aclose(a);
    H5Sclose(sp);
    return rc;
}

char *h5u_read_attr_string(hid_t obj, const char *name)
{
    if (H5Aexists(obj, name) <= 0) return NULL;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0) return NULL;
    hid_t ft = H5Aget_type(a);
    char *out = NULL;
    if (H5Tget_class(ft) == H5T_STRING) {
        if (H5Tis_variable_str(ft) > 0) {
            hid_t t = utf8_string_type();
            char *v = NULL;
            if (H5Aread(a, t, &v) >= 0 && v) {
                out = strdup(v);
                H5free_memory(v);
            }
            H5Tclose(t);
        } else {
            size_t n = H5Tget_size(ft);
            out = calloc(n + 1, 1);
            if (out && H5Aread(a, ft, out) < 0) {
                free(out);
                out = NULL;
            }
        }
    }
    H5Tclose(ft);
    H5Aclose(a);
    return out;
}

herr_t h5u_read_attr_i64(hid_t obj, const char *name, int64_t *out)
{
    if (H5Aexists(obj, name) <= 0) return -1;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0) return -1;
    herr_t rc = H5Aread(a, H5T_NATIVE_INT64, out);
    H5Aclose(a);
    return rc;
}

herr_t h5u_write_1d(hid_t loc, const char *name, hid_t type, size_t n, const void *data)
{
    hsize_t dims[1] = {n};
    hid_t sp = H5Screate_simple(1, dims, NULL);
    hid_t ds = H5Dcreate2(loc, name, type, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = ds < 0 ? -1 : 0;
    if (rc == 0 && n > 0) rc = H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
    if (ds >= 0) H5Dclose(ds);
    H5Sclose(sp);
    return rc;
}

herr_t h5u_write_strings(hid_t loc, const char *name, size_t n, const char *const *strings)
{
    hid_t t = utf8_string_type();
    herr_t rc = h5u_write_1d(loc, name, t, n, strings);
    H5Tclose(t);
    return rc;
}

int64_t h5u_length(hid_t loc, const char *name)
{
    if (!h5u_exists(loc, name)) return -1;
    hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT);
    if (ds < 0) return -1;
    hid_t sp = H5Dget_space(ds);
    hsize_t dims[8];
    int rank = H5Sget_simple_extent_dims(sp, dims, NULL);
    H5Sclose(sp);
    H5Dclose(ds);
    return rank >= 1 ? (int64_t)dims[0] : -1;
}

int h5u_exists(hid_t loc, const char *name)
{
    return H5Lexists(loc, name, H5P_DEFAULT) > 0;
}

int h5u_commit_file(const char *tmp, const char *path, bool keep_on_failure, diag *d)
{
    FILE *f = fopen(tmp, "rb");
    int ok = f && fsync(fileno(f)) == 0;
    if (f) fclose(f);
    if (!ok) {
        diag_fail(d, EXIT_RUNTIME, "%s: flushing to disk failed: %s", path, strerror(errno));
        if (!keep_on_failure) unlink(tmp);
        return -1;
    }
    if (rename(tmp, path) != 0) {
        diag_fail(d, EXIT_RUNTIME, "%s: cannot move the finished file into place: %s", path,
                  strerror(errno));
        if (!keep_on_failure) unlink(tmp);
        return -1;
    }
    return 0;
}
