#include "sim/output.h"

#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/chunk_codec.h"
#include "sim/config.h"
#include "sim/scales.h"
#include "sim/version.h"

/* Under the 256 kB mapping threshold (sim/memory.h): the layout's largest write, the
 * transit labels, converts a few kilobytes. */
enum { SMALL_XFER_BUFFER = 64 << 10 };

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

/* The operating system's reason for the first failed read or write, from HDF5's
 * error stack (its file driver records errno in the message text), so the user
 * reads "No space left on device" rather than a generic failure. */
typedef struct os_reason {
    char text[160];
} os_reason;

static herr_t find_os_reason(unsigned n, const H5E_error2_t *err, void *data)
{
    (void)n;
    os_reason *r = data;
    const char *m = err->desc ? strstr(err->desc, "error message = '") : NULL;
    if (r->text[0] || !m) return 0;
    m += strlen("error message = '");
    const char *end = strchr(m, '\'');
    size_t len = end ? (size_t)(end - m) : strlen(m);
    if (len >= sizeof r->text) len = sizeof r->text - 1;
    memcpy(r->text, m, len);
    r->text[len] = '\0';
    return 0;
}

static const char *hdf5_reason(os_reason *r)
{
    r->text[0] = '\0';
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, find_os_reason, r);
    if (!r->text[0]) snprintf(r->text, sizeof r->text, "HDF5 error (disk full or I/O error?)");
    return r->text;
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
static hid_t write_scale(hid_t file, hid_t xfer, const char *name, size_t n, const int32_t *values,
                         const char *units, const char *description)
{
    hsize_t dims[1] = {n};
    hid_t sp = H5Screate_simple(1, dims, NULL);
    hid_t ds = H5Dcreate2(file, name, H5T_STD_I32LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Sclose(sp);
    if (ds < 0) return -1;
    if ((n && H5Dwrite(ds, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, xfer, values) < 0) ||
        H5DSset_scale(ds, name) < 0 || attr_string(ds, "units", units) < 0 ||
        attr_string(ds, "long_name", description) < 0) {
        H5Dclose(ds);
        return -1;
    }
    return ds;
}

/* Attaches scale k of `scales` to the one axis of 1-D dataset ds, called name. */
static herr_t attach_1d(scale_set *scales, hid_t file, hid_t ds, const char *name, int k)
{
    return scale_set_attach(scales, file, ds, name, 1, &k);
}

static herr_t write_labels(hid_t file, hid_t xfer, scale_set *scales, int scale, const dim *dm)
{
    char name[48];
    snprintf(name, sizeof name, "%s_name", dm->name);
    hsize_t dims[1] = {dm->size};
    hid_t t = utf8_string_type(), sp = H5Screate_simple(1, dims, NULL);
    hid_t ds = H5Dcreate2(file, name, t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = ds < 0 ? -1 : 0;
    if (rc == 0 && dm->size) rc = H5Dwrite(ds, t, H5S_ALL, H5S_ALL, xfer, dm->labels);
    if (rc == 0) rc = attach_1d(scales, file, ds, name, scale);
    if (rc == 0) rc = attr_string(ds, "long_name", dm->description);
    if (ds >= 0) H5Dclose(ds);
    H5Sclose(sp);
    H5Tclose(t);
    return rc;
}

/* Attribute `coordinates`: the constant per-index variables along this series' dims
 * (labels and coords), so that xarray shows them as coordinates of the data. */
static herr_t attr_coordinates(hid_t ds, const series_set *ss, const series *s)
{
    char text[1024] = "";
    size_t used = 0;
    for (int k = 0; k < s->ndims; k++) {
        const dim *dm = &ss->dims[s->dims[k]];
        used += (size_t)snprintf(text + used, sizeof text - used, "%s%s_name", used ? " " : "",
                                 dm->name);
        for (int c = 0; c < ss->n_coords && used < sizeof text; c++)
            if (ss->coords[c].dim == s->dims[k])
                used +=
                    (size_t)snprintf(text + used, sizeof text - used, " %s", ss->coords[c].name);
        if (used >= sizeof text) return -1;
    }
    return used ? attr_string(ds, "coordinates", text) : 0;
}

/* Creates dataset `idx` with its full shape ([member,] time, dims...), scales and
 * attributes; members' values are written later by output_write_member. */
static hid_t create_series(hid_t file, const series_set *ss, int idx, int n_members,
                           scale_set *scales, int member_scale, int time_scale,
                           const int *dim_scales)
{
    const series *s0 = &ss->items[idx];
    hsize_t dims[SERIES_MAX_DIMS + 2], chunk[SERIES_MAX_DIMS + 2];
    int rank = 0;
    if (n_members > 1) dims[rank] = (hsize_t)n_members, chunk[rank++] = 1;
    int time_axis = rank;
    dims[rank] = s0->days;
    chunk[rank++] = s0->block_days ? s0->block_days : 1; /* a chunk per block */
    for (int k = 0; k < s0->ndims; k++) {
        const dim *dm = &ss->dims[s0->dims[k]];
        dims[rank] = dm->size;
        chunk[rank++] = dm->size ? dm->size : 1;
    }
    hid_t sp = H5Screate_simple(rank, dims, NULL);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, rank, chunk);
    H5Pset_shuffle(dcpl);
    H5Pset_deflate(dcpl, CHUNK_DEFLATE_LEVEL);
    hid_t ftype = s0->type == SERIES_INT64 ? H5T_STD_I64LE : H5T_IEEE_F64LE;
    hid_t ds = H5Dcreate2(file, s0->name, ftype, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    herr_t rc = ds < 0 ? -1 : 0;
    int scale_of_axis[SERIES_MAX_DIMS + 2];
    if (n_members > 1) scale_of_axis[0] = member_scale;
    scale_of_axis[time_axis] = time_scale;
    for (int k = 0; k < s0->ndims; k++)
        scale_of_axis[time_axis + 1 + k] = dim_scales[s0->dims[k]];
    if (rc == 0) rc = scale_set_attach(scales, file, ds, s0->name, rank, scale_of_axis);
    if (rc == 0) rc = attr_string(ds, "units", s0->units);
    if (rc == 0) rc = attr_string(ds, "long_name", s0->description);
    if (rc == 0) rc = attr_coordinates(ds, ss, s0);
    H5Pclose(dcpl);
    H5Sclose(sp);
    if (rc < 0 && ds >= 0) H5Dclose(ds);
    return rc < 0 ? -1 : ds;
}

static herr_t write_coord(hid_t file, hid_t xfer, const coord *c, const dim *dm, scale_set *scales,
                          int scale)
{
    hsize_t dims[1] = {dm->size};
    hid_t sp = H5Screate_simple(1, dims, NULL);
    hid_t ftype, mtype, str = -1;
    if (c->type == COORD_STRING)
        ftype = mtype = str = utf8_string_type();
    else if (c->type == COORD_INT64)
        ftype = H5T_STD_I64LE, mtype = H5T_NATIVE_INT64;
    else
        ftype = H5T_IEEE_F64LE, mtype = H5T_NATIVE_DOUBLE;
    hid_t ds = H5Dcreate2(file, c->name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = ds < 0 ? -1 : 0;
    if (rc == 0 && dm->size) rc = H5Dwrite(ds, mtype, H5S_ALL, H5S_ALL, xfer, c->data);
    if (rc == 0) rc = attach_1d(scales, file, ds, c->name, scale);
    if (rc == 0 && c->units[0]) rc = attr_string(ds, "units", c->units);
    if (rc == 0) rc = attr_string(ds, "long_name", c->description);
    if (ds >= 0) H5Dclose(ds);
    if (str >= 0) H5Tclose(str);
    H5Sclose(sp);
    return rc;
}

struct output_file {
    char *path, *tmp;
    hid_t file;
    int n_members, first_member;
    int n_series;
    hid_t series[SERIES_MAX];
    bool failed;
    bool direct; /* writing straight to a device or FIFO: no temporary, no rename */
    int threads; /* compressing chunks (output_set_threads) */
    /* For the layout's small writes: HDF5's default 1 MB conversion buffer is a fresh
     * mapping per write (memory_map_large_blocks), page-faulted in each time, which
     * made the labels and coordinates cost 1 ms each. */
    hid_t small_xfer;
};

static herr_t write_root(hid_t file, const run_info *info, int n_members, const char *start,
                         const char *units)
{
    herr_t rc = 0;
    rc |= attr_string(file, "scenario", info->scenario_yaml);
    rc |= attr_string(file, "scenario_name", info->scenario_name);
    rc |= attr_u64(file, "seed", info->seed);
    rc |= attr_u64(file, "members", (unsigned long long)n_members);
    rc |= attr_u64(file, n_members > 1 ? "first_member" : "member",
                   (unsigned long long)info->first_member);
    rc |= attr_string(file, "version", RUMBO_VERSION);
    rc |= attr_string(file, "commit", RUMBO_COMMIT);
    rc |= attr_string(file, "start_date", start);
    rc |= attr_string(file, "time_units", units);
    rc |= attr_string(file, "Conventions", "CF-1.8");
    return rc < 0 ? -1 : 0;
}

/* Everything but the members' values: root attributes, scales, labels, coordinates,
 * and every series created at its full size. */
static herr_t write_layout(output_file *o, const series_set *ss, const run_info *info)
{
    hid_t file = o->file;
    int n_members = o->n_members;
    char start[11], units[40];
    date_format(info->start_date, start);
    snprintf(units, sizeof units, "days since %s", start);
    herr_t rc = write_root(file, info, n_members, start, units);
    if (rc < 0) return -1;

    size_t longest = (size_t)info->days + (size_t)n_members + (size_t)o->first_member;
    for (int k = 0; k < ss->n_dims; k++)
        if (ss->dims[k].size > longest) longest = ss->dims[k].size;
    int32_t *idx = malloc((longest + 1) * sizeof(int32_t));
    if (!idx) abort();
    for (size_t k = 0; k <= longest; k++)
        idx[k] = (int32_t)k;

    /* Scales: time, member (ensembles), then one per dimension. */
    hid_t scales[DIM_MAX];
    int n_scales = 0, dim_scale[DIM_MAX], time_ix = -1, member_ix = -1;
    scale_set links;
    scale_set_init(&links);
    hid_t time_scale =
        write_scale(file, o->small_xfer, "time", (size_t)info->days, idx, units, "simulation day");
    hid_t member_scale = -1;
    if (time_scale >= 0 && attr_string(time_scale, "calendar", "proleptic_gregorian") < 0) rc = -1;
    if (time_scale < 0 ||
        (rc == 0 && (time_ix = scale_set_add(&links, file, "time", time_scale)) < 0))
        rc = -1;
    if (rc == 0 && n_members > 1) {
        member_scale =
            write_scale(file, o->small_xfer, "member", (size_t)n_members, idx + o->first_member, "",
                        "ensemble member (run with --member k to repeat one)");
        if (member_scale < 0 ||
            (member_ix = scale_set_add(&links, file, "member", member_scale)) < 0)
            rc = -1;
    }
    for (int k = 0; rc == 0 && k < ss->n_dims; k++) {
        const dim *dm = &ss->dims[k];
        scales[k] =
            write_scale(file, o->small_xfer, dm->name, dm->size, idx, dm->units, dm->description);
        if (scales[k] < 0) {
            rc = -1;
            break;
        }
        n_scales++;
        dim_scale[k] = scale_set_add(&links, file, dm->name, scales[k]);
        rc = dim_scale[k] < 0 ? -1 : write_labels(file, o->small_xfer, &links, dim_scale[k], dm);
    }
    for (int c = 0; rc == 0 && c < ss->n_coords; c++)
        rc = write_coord(file, o->small_xfer, &ss->coords[c], &ss->dims[ss->coords[c].dim], &links,
                         dim_scale[ss->coords[c].dim]);
    for (int k = 0; rc == 0 && k < ss->n; k++) {
        o->series[k] = create_series(file, ss, k, n_members, &links, member_ix, time_ix, dim_scale);
        if (o->series[k] < 0)
            rc = -1;
        else
            o->n_series++;
    }
    if (rc == 0) rc = scale_set_finish(&links);
    scale_set_free(&links);
    for (int k = 0; k < n_scales; k++)
        H5Dclose(scales[k]);
    if (member_scale >= 0) H5Dclose(member_scale);
    if (time_scale >= 0) H5Dclose(time_scale);
    free(idx);
    return rc;
}

static void output_free(output_file *o)
{
    if (o->small_xfer >= 0) H5Pclose(o->small_xfer);
    free(o->tmp);
    free(o->path);
    free(o);
}

/* Between writes the file is closed ("parked"): an open HDF5 file holds its metadata
 * cache and free lists, 2-3 MB for the whole run, more than a 64-bytes-per-agent
 * budget allows at a million agents. Not a device or a FIFO: those cannot be opened
 * again. */
static herr_t park(output_file *o)
{
    if (o->direct || o->file < 0) return 0;
    /* At the first failure, stop: every HDF5 call clears the error stack that
     * hdf5_reason reads. What is still open is closed by output_discard. */
    for (int k = 0; k < o->n_series; k++) {
        if (o->series[k] >= 0 && H5Dclose(o->series[k]) < 0) return -1;
        o->series[k] = -1;
    }
    herr_t rc = H5Fclose(o->file);
    o->file = -1; /* even after a failure: closing a half-closed file again crashes */
    if (rc < 0) return -1;
    H5garbage_collect(); /* HDF5 keeps freed blocks on lists of its own */
    return 0;
}

static herr_t unpark(output_file *o, const series_set *ss)
{
    if (o->file >= 0) return 0;
    o->file = H5Fopen(o->tmp, H5F_ACC_RDWR, H5P_DEFAULT);
    if (o->file < 0) return -1;
    for (int k = 0; k < o->n_series; k++)
        if ((o->series[k] = H5Dopen2(o->file, ss->items[k].name, H5P_DEFAULT)) < 0) return -1;
    return 0;
}

static void output_discard(output_file *o)
{
    for (int k = 0; k < o->n_series; k++)
        if (o->series[k] >= 0) H5Dclose(o->series[k]);
    if (o->file >= 0) H5Fclose(o->file);
    if (!o->direct) unlink(o->tmp); /* never the device itself */
    output_free(o);
}

output_file *output_open(const char *path, const series_set *layout, int n_members,
                         const run_info *info, diag *d)
{
    /* HDF5 1.10 crashes in its atexit handler after an H5Fclose that failed to
     * flush (a full disk, a file size limit): it keeps the half-closed file. Not
     * registering that handler leaves its memory to the end of the process. Only
     * effective before HDF5's first use, which is here for `rumbo run`. */
    H5dont_atexit();
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* we report errors ourselves */
    output_file *o = calloc(1, sizeof *o);
    if (!o) abort();
    o->threads = 1;
    o->small_xfer = H5Pcreate(H5P_DATASET_XFER);
    if (o->small_xfer >= 0) H5Pset_buffer(o->small_xfer, SMALL_XFER_BUFFER, NULL, NULL);
    o->n_members = n_members;
    o->first_member = info->first_member;
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        /* A device or a FIFO (/dev/null, /dev/full): there is no file to replace
         * atomically, and renaming over a device node would destroy it. Write
         * straight to it and report whatever it refuses. */
        o->direct = true;
        o->path = strdup(path);
    } else {
        /* Through a symlink, replace the file it points to, not the link. */
        o->path = realpath(path, NULL);
        if (!o->path) o->path = strdup(path);
    }
    size_t len = strlen(o->path) + 32;
    o->tmp = malloc(len);
    if (!o->path || !o->tmp) abort();
    if (o->direct)
        snprintf(o->tmp, len, "%s", o->path);
    else
        snprintf(o->tmp, len, "%s.tmp.%ld", o->path, (long)getpid());
    os_reason why;
    o->file = H5Fcreate(o->tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (o->file < 0) {
        diag_fail(d, EXIT_RUNTIME, "%s: cannot create the output file: %s", path,
                  hdf5_reason(&why));
        output_discard(o);
        return NULL;
    }
    if (write_layout(o, layout, info) < 0 || park(o) < 0) {
        diag_fail(d, EXIT_RUNTIME, "%s: writing the output failed: %s", path, hdf5_reason(&why));
        output_discard(o);
        return NULL;
    }
    return o;
}

void output_set_threads(output_file *o, int threads)
{
    o->threads = threads > 0 ? threads : 1;
}

/* One chunk of one series: time block `block` of the member, as it is stored
 * (sim/series.h: sealed during the run, or encoded here). */
typedef struct chunk_job {
    int idx; /* series */
    size_t block;
    const unsigned char *bytes;
    unsigned char *owned;
    size_t size;
} chunk_job;

/* The chunks are stored as the file's little-endian types without conversion. */
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "output.c writes raw chunks: little-endian hosts only"
#endif

/* Open blocks are encoded by the threads (deflate is most of the cost of writing) and
 * every chunk is stored in order by this one (the HDF5 library is not thread-safe). */
int output_write_member(output_file *o, int k, const series_set *ss, diag *d)
{
    herr_t rc = ss->n == o->n_series && k >= 0 && k < o->n_members ? 0 : -1;
    if (rc == 0) rc = unpark(o, ss);
    size_t n_jobs = 0;
    for (int idx = 0; rc == 0 && idx < ss->n; idx++)
        if (ss->items[idx].record > 0) n_jobs += ss->items[idx].n_blocks;
    chunk_job *jobs = calloc(n_jobs + 1, sizeof *jobs);
    if (!jobs) abort();
    size_t j = 0;
    for (int idx = 0; rc == 0 && idx < ss->n; idx++) {
        const series *s = &ss->items[idx];
        for (size_t b = 0; s->record > 0 && b < s->n_blocks; b++)
            jobs[j++] = (chunk_job){.idx = idx, .block = b};
    }
    long nj = (long)j;
#pragma omp parallel num_threads(o->threads) if (o->threads > 1)
    {
        chunk_codec c;
        chunk_codec_init(&c);
#pragma omp for schedule(dynamic, 1)
        for (long q = 0; q < nj; q++)
            jobs[q].bytes = series_chunk(&ss->items[jobs[q].idx], jobs[q].block, &c, &jobs[q].size,
                                         &jobs[q].owned);
        chunk_codec_free(&c);
    }
    for (size_t q = 0; rc == 0 && q < j; q++) {
        const series *s = &ss->items[jobs[q].idx];
        hsize_t offset[SERIES_MAX_DIMS + 2] = {0};
        int r = 0;
        if (o->n_members > 1) offset[r++] = (hsize_t)k;
        offset[r] = (hsize_t)(jobs[q].block * s->block_days);
        if (H5Dwrite_chunk(o->series[jobs[q].idx], H5P_DEFAULT, 0, offset, jobs[q].size,
                           jobs[q].bytes) < 0)
            rc = -1;
    }
    for (size_t q = 0; q < j; q++)
        free(jobs[q].owned);
    free(jobs);
    if (rc == 0) rc = park(o);
    if (rc < 0) {
        os_reason why;
        o->failed = true;
        diag_fail(d, EXIT_RUNTIME, "%s: writing member %d failed: %s", o->path, o->first_member + k,
                  hdf5_reason(&why));
        return -1;
    }
    return 0;
}

int output_close(output_file *o, bool keep, diag *d)
{
    if (!keep || o->failed) {
        output_discard(o);
        return keep ? -1 : 0;
    }
    herr_t rc = 0;
    os_reason why = {""};
    for (int k = 0; k < o->n_series; k++)
        if (o->series[k] >= 0 && H5Dclose(o->series[k]) < 0) rc = -1;
    o->n_series = 0;
    if (o->file >= 0 && H5Fclose(o->file) < 0) rc = -1;
    o->file = -1;
    if (rc < 0) hdf5_reason(&why);
    if (rc >= 0 && !o->direct) {
        /* Make sure the bytes are on disk before the name says the file is complete. */
        int fd = open(o->tmp, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fsync(fd) != 0) {
            rc = -1;
            snprintf(why.text, sizeof why.text, "%s", strerror(errno));
        }
        if (fd >= 0) close(fd);
    }
    if (rc < 0) {
        diag_fail(d, EXIT_RUNTIME, "%s: writing the output failed: %s", o->path, why.text);
        output_discard(o);
        return -1;
    }
    if (o->direct) {
        output_free(o);
        return 0;
    }
    if (rename(o->tmp, o->path) != 0) {
        diag_fail(d, EXIT_RUNTIME, "%s: cannot move the finished output into place: %s", o->path,
                  strerror(errno));
        output_discard(o);
        return -1;
    }
    o->file = -1;
    output_free(o);
    return 0;
}

int output_write(const char *path, const series_set *const *members, int n_members,
                 const run_info *info, diag *d)
{
    output_file *o = output_open(path, members[0], n_members, info, d);
    if (!o) return -1;
    for (int k = 0; k < n_members; k++)
        if (output_write_member(o, k, members[k], d)) {
            output_close(o, false, d);
            return -1;
        }
    return output_close(o, true, d);
}
