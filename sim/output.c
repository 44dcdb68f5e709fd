#include "sim/output.h"

#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/config.h"
#include "sim/version.h"

enum { TIME_CHUNK = 64 };

static char *dir_of(const char *path)
{
    char *copy = strdup(path);
    if (!copy) abort();
    char *dir = strdup(dirname(copy));
    free(copy);
    if (!dir) abort();
    return dir;
}

int output_check_path(const char *path, diag *d)
{
    struct stat st;
    if (path[0] == '\0') {
        diag_input(d, "-o", 0, "", "empty output path");
        return -1;
    }
    char *dir = dir_of(path);
    int rc = 0;
    /* A mistyped directory is bad input (2); a directory the user may not write
     * to is an environment failure (1). Both are found before simulating. */
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        diag_input(d, path, 0, "", "output directory %s does not exist", dir);
        rc = -1;
    } else if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        diag_input(d, path, 0, "", "output path is a directory");
        rc = -1;
    } else if (access(dir, W_OK) != 0) {
        diag_fail(d, EXIT_RUNTIME, "%s: cannot write the output: directory %s is not writable: %s",
                  path, dir, strerror(errno));
        rc = -1;
    }
    free(dir);
    return rc;
}

/* ---- small HDF5 helpers; each returns <0 on failure ------------------------- */

static hid_t utf8_string_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    return t;
}

static herr_t attr_string(hid_t obj, const char *name, const char *value)
{
    hid_t t = utf8_string_type(), sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = a < 0 ? -1 : H5Awrite(a, t, &value);
    if (a >= 0) H5Aclose(a);
    H5Sclose(sp);
    H5Tclose(t);
    return rc;
}

static herr_t attr_u64(hid_t obj, const char *name, unsigned long long value)
{
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, H5T_STD_U64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = a < 0 ? -1 : H5Awrite(a, H5T_NATIVE_ULLONG, &value);
    if (a >= 0) H5Aclose(a);
    H5Sclose(sp);
    return rc;
}

/* A 1-D int32 coordinate 0..n-1 made a dimension scale called `name`. */
static hid_t write_scale(hid_t file, const char *name, size_t n, const int32_t *values,
                         const char *units, const char *description)
{
    hsize_t dims[1] = {n};
    hid_t sp = H5Screate_simple(1, dims, NULL);
    hid_t ds = H5Dcreate2(file, name, H5T_STD_I32LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Sclose(sp);
    if (ds < 0) return -1;
    if ((n && H5Dwrite(ds, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, values) < 0) ||
        H5DSset_scale(ds, name) < 0 || attr_string(ds, "units", units) < 0 ||
        attr_string(ds, "long_name", description) < 0) {
        H5Dclose(ds);
        return -1;
    }
    return ds;
}

static herr_t write_labels(hid_t file, hid_t scale, const dim *dm)
{
    char name[48];
    snprintf(name, sizeof name, "%s_name", dm->name);
    hsize_t dims[1] = {dm->size};
    hid_t t = utf8_string_type(), sp = H5Screate_simple(1, dims, NULL);
    hid_t ds = H5Dcreate2(file, name, t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = ds < 0 ? -1 : 0;
    if (rc == 0 && dm->size) rc = H5Dwrite(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, dm->labels);
    if (rc == 0) rc = H5DSattach_scale(ds, scale, 0);
    if (rc == 0) rc = attr_string(ds, "long_name", dm->description);
    if (ds >= 0) H5Dclose(ds);
    H5Sclose(sp);
    H5Tclose(t);
    return rc;
}

static herr_t write_series(hid_t file, const series_set *const *members, int n_members, int idx,
                           hid_t member_scale, hid_t time_scale, const hid_t *dim_scales)
{
    const series *s0 = &members[0]->items[idx];
    hsize_t dims[SERIES_MAX_DIMS + 2], chunk[SERIES_MAX_DIMS + 2];
    int rank = 0;
    if (n_members > 1) dims[rank] = (hsize_t)n_members, chunk[rank++] = 1;
    int time_axis = rank;
    dims[rank] = s0->days;
    chunk[rank++] = s0->days < TIME_CHUNK ? (s0->days ? s0->days : 1) : TIME_CHUNK;
    for (int k = 0; k < s0->ndims; k++) {
        const dim *dm = &members[0]->dims[s0->dims[k]];
        dims[rank] = dm->size;
        chunk[rank++] = dm->size ? dm->size : 1;
    }
    hid_t sp = H5Screate_simple(rank, dims, NULL);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, rank, chunk);
    H5Pset_shuffle(dcpl);
    H5Pset_deflate(dcpl, 4);
    hid_t ftype = s0->type == SERIES_INT64 ? H5T_STD_I64LE : H5T_IEEE_F64LE;
    hid_t mtype = s0->type == SERIES_INT64 ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE;
    hid_t ds = H5Dcreate2(file, s0->name, ftype, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    herr_t rc = ds < 0 ? -1 : 0;
    for (int m = 0; rc == 0 && m < n_members; m++) {
        const series *s = &members[m]->items[idx];
        hid_t fsp = H5Dget_space(ds);
        hsize_t start[SERIES_MAX_DIMS + 2] = {0}, count[SERIES_MAX_DIMS + 2];
        memcpy(count, dims, sizeof count);
        if (n_members > 1) start[0] = (hsize_t)m, count[0] = 1;
        H5Sselect_hyperslab(fsp, H5S_SELECT_SET, start, NULL, count, NULL);
        hid_t msp = H5Screate_simple(rank, count, NULL);
        if (s->days > 0 && s->record > 0) rc = H5Dwrite(ds, mtype, msp, fsp, H5P_DEFAULT, s->data);
        H5Sclose(msp);
        H5Sclose(fsp);
    }
    if (rc == 0 && n_members > 1) rc = H5DSattach_scale(ds, member_scale, 0);
    if (rc == 0) rc = H5DSattach_scale(ds, time_scale, (unsigned)time_axis);
    for (int k = 0; rc == 0 && k < s0->ndims; k++)
        rc = H5DSattach_scale(ds, dim_scales[s0->dims[k]], (unsigned)(time_axis + 1 + k));
    if (rc == 0) rc = attr_string(ds, "units", s0->units);
    if (rc == 0) rc = attr_string(ds, "long_name", s0->description);
    if (ds >= 0) H5Dclose(ds);
    H5Pclose(dcpl);
    H5Sclose(sp);
    return rc;
}

static herr_t write_all(hid_t file, const series_set *const *members, int n_members,
                        const run_info *info)
{
    const series_set *ss = members[0];
    char start[11], units[40];
    date_format(info->start_date, start);
    snprintf(units, sizeof units, "days since %s", start);
    herr_t rc = 0;
    rc |= attr_string(file, "scenario", info->scenario_yaml);
    rc |= attr_string(file, "scenario_name", info->scenario_name);
    rc |= attr_u64(file, "seed", info->seed);
    rc |= attr_u64(file, "members", (unsigned long long)n_members);
    rc |= attr_string(file, "version", RUMBO_VERSION);
    rc |= attr_string(file, "commit", RUMBO_COMMIT);
    rc |= attr_string(file, "start_date", start);
    rc |= attr_string(file, "time_units", units);
    if (rc < 0) return -1;

    size_t longest = (size_t)info->days + (size_t)n_members;
    for (int k = 0; k < ss->n_dims; k++)
        if (ss->dims[k].size > longest) longest = ss->dims[k].size;
    int32_t *idx = malloc((longest + 1) * sizeof(int32_t));
    if (!idx) abort();
    for (size_t k = 0; k <= longest; k++)
        idx[k] = (int32_t)k;

    hid_t scales[DIM_MAX];
    int n_scales = 0;
    hid_t time_scale = write_scale(file, "time", (size_t)info->days, idx, units, "simulation day");
    hid_t member_scale = -1;
    if (time_scale >= 0 && attr_string(time_scale, "calendar", "proleptic_gregorian") < 0) rc = -1;
    if (time_scale < 0) rc = -1;
    if (rc == 0 && n_members > 1) {
        member_scale = write_scale(file, "member", (size_t)n_members, idx, "",
                                   "ensemble member (run with --member k to repeat one)");
        if (member_scale < 0) rc = -1;
    }
    for (int k = 0; rc == 0 && k < ss->n_dims; k++) {
        const dim *dm = &ss->dims[k];
        scales[k] = write_scale(file, dm->name, dm->size, idx, dm->units, dm->description);
        if (scales[k] < 0)
            rc = -1;
        else {
            n_scales++;
            rc = write_labels(file, scales[k], dm);
        }
    }
    for (int k = 0; rc == 0 && k < ss->n; k++)
        rc = write_series(file, members, n_members, k, member_scale, time_scale, scales);
    for (int k = 0; k < n_scales; k++)
        H5Dclose(scales[k]);
    if (member_scale >= 0) H5Dclose(member_scale);
    if (time_scale >= 0) H5Dclose(time_scale);
    free(idx);
    return rc;
}

/* The file is built in memory (HDF5's core driver, no backing store) and then
 * written with plain write(2) calls. Two reasons: every I/O error then comes with
 * its errno ("No space left on device"), and HDF5 1.10 crashes at exit after an
 * H5Fclose that failed to flush (a full disk, a file size limit), which a file in
 * memory can never do. The cost is one copy of the compressed output in memory. */
static int build_image(const series_set *const *members, int n_members, const run_info *info,
                       void **image, size_t *size)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0 || H5Pset_fapl_core(fapl, (size_t)1 << 20, 0) < 0) return -1;
    hid_t file = H5Fcreate("rumbo-output", H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    H5Pclose(fapl);
    if (file < 0) return -1;
    herr_t rc = write_all(file, members, n_members, info);
    if (rc >= 0) rc = H5Fflush(file, H5F_SCOPE_GLOBAL);
    ssize_t n = rc >= 0 ? H5Fget_file_image(file, NULL, 0) : -1;
    if (n > 0) {
        *image = malloc((size_t)n);
        if (!*image) abort();
        if (H5Fget_file_image(file, *image, (size_t)n) != n) n = -1;
        *size = (size_t)n;
    }
    if (H5Fclose(file) < 0) n = -1;
    if (n <= 0) {
        free(*image);
        *image = NULL;
        return -1;
    }
    return 0;
}

/* Writes the whole image to fd and, for regular files, syncs it; 0 or errno. */
static int write_image(int fd, const void *image, size_t size, bool sync)
{
    const char *p = image;
    while (size > 0) {
        ssize_t n = write(fd, p, size);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno;
        if (n == 0) return EIO;
        p += n;
        size -= (size_t)n;
    }
    if (sync && fsync(fd) != 0) return errno;
    return 0;
}

/* A path that exists and is not a regular file (/dev/null, /dev/full, a FIFO):
 * there is no file to replace atomically, and renaming over a device node would
 * destroy it. Write straight to it and report whatever it refuses. */
static int write_special(const char *path, const void *image, size_t size, diag *d)
{
    /* O_NONBLOCK: a FIFO nobody reads from fails (ENXIO) instead of hanging. */
    int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        diag_fail(d, EXIT_RUNTIME, "%s: cannot open the output: %s%s", path, strerror(errno),
                  errno == ENXIO ? " (a pipe that nobody reads)" : "");
        return -1;
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0) fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    int err = write_image(fd, image, size, false);
    if (close(fd) != 0 && !err) err = errno;
    if (err) {
        diag_fail(d, EXIT_RUNTIME, "%s: writing the output failed: %s", path, strerror(err));
        return -1;
    }
    return 0;
}

/* A regular file (or a new one): write a temporary next to it, sync, rename. */
static int write_replacing(const char *path, const void *image, size_t size, diag *d)
{
    /* Through a symlink, replace the file it points to, not the link itself. */
    char *final = realpath(path, NULL);
    if (!final) final = strdup(path);
    if (!final) abort();
    size_t len = strlen(final) + 32;
    char *tmp = malloc(len);
    if (!tmp) abort();
    snprintf(tmp, len, "%s.tmp.%ld", final, (long)getpid());
    int rc = 0;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        diag_fail(d, EXIT_RUNTIME, "%s: cannot create the output file: %s", path, strerror(errno));
        rc = -1;
    } else {
        int err = write_image(fd, image, size, true);
        if (close(fd) != 0 && !err) err = errno;
        if (err) {
            diag_fail(d, EXIT_RUNTIME, "%s: writing the output failed: %s", path, strerror(err));
            rc = -1;
        } else if (rename(tmp, final) != 0) {
            diag_fail(d, EXIT_RUNTIME, "%s: cannot move the finished output into place: %s", path,
                      strerror(errno));
            rc = -1;
        }
        if (rc != 0) unlink(tmp);
    }
    free(tmp);
    free(final);
    return rc;
}

int output_write(const char *path, const series_set *const *members, int n_members,
                 const run_info *info, diag *d)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* we report errors ourselves */
    void *image = NULL;
    size_t size = 0;
    if (build_image(members, n_members, info, &image, &size) != 0) {
        diag_fail(d, EXIT_RUNTIME, "%s: building the output in memory failed (HDF5 error)", path);
        return -1;
    }
    struct stat st;
    int rc = stat(path, &st) == 0 && !S_ISREG(st.st_mode) ? write_special(path, image, size, d)
                                                          : write_replacing(path, image, size, d);
    free(image);
    return rc;
}
