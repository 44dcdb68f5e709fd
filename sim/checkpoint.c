#include "sim/checkpoint.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/h5util.h"
#include "sim/interrupt.h"
#include "sim/module.h"
#include "sim/version.h"

static const char checkpoint_format[] = "rumbo checkpoint";

/* ---- writing ------------------------------------------------------------------------ */

static herr_t write_bytes(hid_t loc, const char *name, const void *data, size_t elem_size,
                          size_t count)
{
    herr_t rc = h5u_write_1d(loc, name, H5T_NATIVE_UCHAR, elem_size * count, data);
    if (rc < 0) return rc;
    hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT);
    if (ds < 0) return -1;
    rc = h5u_attr_i64(ds, "element_size", (int64_t)elem_size);
    if (rc >= 0) rc = h5u_attr_i64(ds, "count", (int64_t)count);
    H5Dclose(ds);
    return rc;
}

/* One agent field: typed when HDF5 has the type, raw bytes otherwise; c_type records
 * the C type so a restart notices a field whose type changed. */
static herr_t write_field(hid_t g, const char *name, const char *c_type, hid_t type,
                          const void *data, size_t elem_size, size_t n)
{
    herr_t rc =
        type >= 0 ? h5u_write_1d(g, name, type, n, data) : write_bytes(g, name, data, elem_size, n);
    if (rc < 0) return rc;
    hid_t ds = H5Dopen2(g, name, H5P_DEFAULT);
    if (ds < 0) return -1;
    rc = h5u_attr_string(ds, "c_type", c_type);
    H5Dclose(ds);
    return rc;
}

static herr_t write_agents(hid_t file, const agents *ag)
{
    hid_t g = H5Gcreate2(file, "agents", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return -1;
    herr_t rc = 0;
#define AGENT_FIELD_SAVE(type, name)                                                               \
    if (rc >= 0)                                                                                   \
        rc = write_field(g, #name, #type, H5U_NATIVE_TYPE(*ag->name), ag->name, sizeof(type),      \
                         ag->n);
    AGENT_FIELDS(AGENT_FIELD_SAVE)
#undef AGENT_FIELD_SAVE
    H5Gclose(g);
    return rc;
}

/* Every row of every series, not only the days simulated so far: a module may fill a
 * row ahead (hazards records tomorrow's edge status in the morning). The rows still to
 * come are mostly zeros, which compression makes nearly free. */
static herr_t write_series(hid_t file, const series_set *ss)
{
    hid_t g = H5Gcreate2(file, "series", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return -1;
    herr_t rc = 0;
    for (int k = 0; rc >= 0 && k < ss->n; k++) {
        const series *s = &ss->items[k];
        hsize_t dims[2] = {s->days, s->record};
        hsize_t chunk[2] = {s->days < 64 ? (s->days ? s->days : 1) : 64, s->record ? s->record : 1};
        hid_t type = s->type == SERIES_INT64 ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE;
        hid_t sp = H5Screate_simple(2, dims, NULL);
        hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
        if (s->days * s->record > 0) {
            H5Pset_chunk(dcpl, 2, chunk);
            H5Pset_deflate(dcpl, 1);
        }
        hid_t ds = H5Dcreate2(g, s->name, type, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
        rc = ds < 0 ? -1 : 0;
        if (rc >= 0 && s->days * s->record > 0) {
            void *values = malloc(s->days * s->record * 8);
            if (!values) abort();
            rc = series_read(s, values);
            if (rc >= 0) rc = H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values);
            free(values);
        }
        if (ds >= 0) H5Dclose(ds);
        H5Pclose(dcpl);
        H5Sclose(sp);
    }
    H5Gclose(g);
    return rc;
}

static herr_t write_state(hid_t file, const persist_table *t)
{
    hid_t g = H5Gcreate2(file, "state", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return -1;
    herr_t rc = 0;
    for (size_t i = 0; rc >= 0 && i < t->n; i++) {
        const persist_item *it = &t->v[i];
        rc = write_bytes(g, it->name, persist_data(it), it->elem_size,
                         persist_bytes(it) / (it->elem_size ? it->elem_size : 1));
    }
    H5Gclose(g);
    return rc;
}

static herr_t write_all(hid_t file, const sim *s)
{
    herr_t rc = 0;
    rc |= h5u_attr_string(file, "format", checkpoint_format);
    rc |= h5u_attr_i64(file, "checkpoint_version", CHECKPOINT_VERSION);
    rc |= h5u_attr_string(file, "version", RUMBO_VERSION);
    rc |= h5u_attr_string(file, "commit", RUMBO_COMMIT);
    rc |= h5u_attr_string(file, "scenario", s->sc->yaml);
    rc |= h5u_attr_i64(file, "member", s->key.member);
    rc |= h5u_attr_i64(file, "day", s->day);
    if (rc < 0) return -1;
    if (write_agents(file, &s->ag) < 0) return -1;
    if (write_series(file, &s->out) < 0) return -1;
    return write_state(file, &s->persist);
}

int checkpoint_write(const sim *s, const char *path, diag *d)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    size_t len = strlen(path) + 32;
    char *tmp = malloc(len);
    if (!tmp) abort();
    snprintf(tmp, len, "%s.tmp.%ld", path, (long)getpid());
    hid_t file = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (file < 0) {
        diag_fail(d, EXIT_RUNTIME, "%s: cannot create checkpoint: %s", path, strerror(errno));
        free(tmp);
        return -1;
    }
    herr_t rc = write_all(file, s);
    if (H5Fclose(file) < 0) rc = -1;
    int out = -1;
    if (rc < 0) {
        diag_fail(d, EXIT_RUNTIME, "%s: writing the checkpoint failed (disk full or I/O error?)",
                  path);
        unlink(tmp);
    } else {
        out = h5u_commit_file(tmp, path, false, d);
    }
    free(tmp);
    return out;
}

/* ---- restoring ---------------------------------------------------------------------- */

/* Everything wrong with a checkpoint is bad input: the user chose the file. */
static int refuse(diag *d, const char *path, const char *what)
{
    diag_fail(d, EXIT_BAD_INPUT, "%s: cannot restart from this checkpoint: %s", path, what);
    return -1;
}

static int read_exact(hid_t ds, hid_t type, size_t n, void *data)
{
    if (n == 0) return 0;
    return H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0 ? -1 : 0;
}

static int check_header(hid_t file, const sim *s, const char *path, char *commit, size_t commit_len,
                        int64_t *day, diag *d)
{
    char msg[256];
    char *format = h5u_read_attr_string(file, "format");
    int is_checkpoint = format && strcmp(format, checkpoint_format) == 0;
    free(format);
    if (!is_checkpoint) return refuse(d, path, "not a rumbo checkpoint");
    int64_t version = -1, member = -1;
    h5u_read_attr_i64(file, "checkpoint_version", &version);
    if (version != CHECKPOINT_VERSION) {
        snprintf(msg, sizeof msg, "format version %lld, this build reads version %d",
                 (long long)version, CHECKPOINT_VERSION);
        return refuse(d, path, msg);
    }
    char *yaml = h5u_read_attr_string(file, "scenario");
    int same = yaml && strcmp(yaml, s->sc->yaml) == 0;
    free(yaml);
    if (!same)
        return refuse(d, path,
                      "it was written for a different scenario (the resolved scenario, with "
                      "--set, --seed and --days, must be the same as in the interrupted run)");
    if (h5u_read_attr_i64(file, "member", &member) < 0 || member != (int64_t)s->key.member)
        return refuse(d, path, "it was written for another ensemble member");
    if (h5u_read_attr_i64(file, "day", day) < 0 || *day < 1 || *day > s->sc->days)
        return refuse(d, path, "its day is outside the run");
    if (commit && commit_len) {
        char *c = h5u_read_attr_string(file, "commit");
        snprintf(commit, commit_len, "%s", c ? c : "unknown");
        free(c);
    }
    return 0;
}

/* Checks that dataset `name` in g holds n elements stored for C type c_type. */
static hid_t open_field(hid_t g, const char *name, const char *c_type, size_t n, const char *path,
                        diag *d)
{
    char msg[256];
    snprintf(msg, sizeof msg, "agent field '%s' is missing or differs (written by another build?)",
             name);
    if (!h5u_exists(g, name)) return refuse(d, path, msg);
    hid_t ds = H5Dopen2(g, name, H5P_DEFAULT);
    char *stored = h5u_read_attr_string(ds, "c_type");
    int ok = stored && strcmp(stored, c_type) == 0 && h5u_length(g, name) >= 0;
    free(stored);
    if (ok) {
        int64_t len = h5u_length(g, name);
        int64_t es = 0;
        /* Raw-byte fields hold n x element_size bytes. */
        if (H5Aexists(ds, "element_size") > 0 && h5u_read_attr_i64(ds, "element_size", &es) >= 0)
            len /= es > 0 ? es : 1;
        ok = len == (int64_t)n;
    }
    if (!ok) {
        H5Dclose(ds);
        return refuse(d, path, msg);
    }
    return ds;
}

/* Every restored agent's fields are values the engine and the modules index with: a
 * damaged or edited file is refused here rather than read out of bounds later. */
static int check_agents(const sim *s, const char *path, diag *d)
{
    for (size_t i = 0; i < s->ag.n; i++) {
        const char *why = agents_field_problem(&s->ag, i, s->net->n_nodes, s->net->n_edges);
        for (int m = 0; !why && m < model_count; m++)
            if (model_table[m]->agent_check) why = model_table[m]->agent_check(s, s->state[m], i);
        if (why) {
            char msg[256];
            snprintf(msg, sizeof msg, "agent %zu (id %u): %s", i, (unsigned)s->ag.id[i], why);
            return refuse(d, path, msg);
        }
    }
    return 0;
}

static int restore_agents(hid_t file, sim *s, const char *path, diag *d)
{
    hid_t g = H5Gopen2(file, "agents", H5P_DEFAULT);
    if (g < 0) return refuse(d, path, "no agents group");
    int64_t n = h5u_length(g, "id");
    if (n < 0) {
        H5Gclose(g);
        return refuse(d, path, "agent field 'id' is missing");
    }
    agents *ag = &s->ag;
    ag->n = 0;
    agents_spawn(ag, (size_t)n);
    int rc = 0;
#define AGENT_FIELD_LOAD(type, name)                                                               \
    if (rc == 0) {                                                                                 \
        hid_t ds = open_field(g, #name, #type, (size_t)n, path, d);                                \
        if (ds < 0)                                                                                \
            rc = -1;                                                                               \
        else {                                                                                     \
            hid_t t = H5U_NATIVE_TYPE(*ag->name);                                                  \
            rc = read_exact(ds, t >= 0 ? t : H5T_NATIVE_UCHAR, (size_t)n, ag->name);               \
            H5Dclose(ds);                                                                          \
            if (rc) refuse(d, path, "reading agent field '" #name "' failed");                     \
        }                                                                                          \
    }
    AGENT_FIELDS(AGENT_FIELD_LOAD)
#undef AGENT_FIELD_LOAD
    H5Gclose(g);
    return rc == 0 ? check_agents(s, path, d) : rc;
}

static int restore_series(hid_t file, sim *s, const char *path, diag *d)
{
    hid_t g = H5Gopen2(file, "series", H5P_DEFAULT);
    if (g < 0) return refuse(d, path, "no series group");
    int rc = 0;
    char msg[256];
    for (int k = 0; rc == 0 && k < s->out.n; k++) {
        series *sr = &s->out.items[k];
        snprintf(msg, sizeof msg, "output series '%s' is missing or has another shape", sr->name);
        if (!h5u_exists(g, sr->name)) {
            rc = refuse(d, path, msg);
            break;
        }
        hid_t ds = H5Dopen2(g, sr->name, H5P_DEFAULT);
        hid_t sp = H5Dget_space(ds);
        hsize_t dims[2] = {0, 0};
        int rank = H5Sget_simple_extent_dims(sp, dims, NULL);
        H5Sclose(sp);
        if (rank != 2 || dims[0] != sr->days || dims[1] != sr->record) {
            rc = refuse(d, path, msg);
        } else {
            hid_t t = sr->type == SERIES_INT64 ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE;
            void *values = malloc(sr->days * sr->record * 8 + 8);
            if (!values) abort();
            rc = read_exact(ds, t, sr->days * sr->record, values);
            if (rc)
                refuse(d, path, msg);
            else
                series_write(sr, values);
            free(values);
        }
        H5Dclose(ds);
    }
    hsize_t n_objs = 0;
    if (rc == 0 && (H5Gget_num_objs(g, &n_objs) < 0 || n_objs != (hsize_t)s->out.n))
        rc = refuse(d, path, "it holds other output series than this build writes");
    H5Gclose(g);
    return rc;
}

static int restore_item(hid_t g, persist_item *it, const char *path, diag *d)
{
    char msg[256];
    snprintf(msg, sizeof msg,
             "state '%s' is missing or has another size (written by another build?)", it->name);
    if (!h5u_exists(g, it->name)) return refuse(d, path, msg);
    hid_t ds = H5Dopen2(g, it->name, H5P_DEFAULT);
    int64_t es = -1, count = -1;
    h5u_read_attr_i64(ds, "element_size", &es);
    h5u_read_attr_i64(ds, "count", &count);
    int ok = es == (int64_t)it->elem_size && count >= 0 && h5u_length(g, it->name) == es * count;
    if (ok && !it->dynamic) ok = count == (int64_t)it->count;
    if (ok && it->dynamic) {
        void *p = realloc(*it->dynamic, (size_t)(count ? count : 1) * it->elem_size);
        if (!p) abort();
        *it->dynamic = p;
        *it->dyn_n = (size_t)count;
        if (it->dyn_cap) *it->dyn_cap = (size_t)(count ? count : 1);
    }
    if (ok) ok = read_exact(ds, H5T_NATIVE_UCHAR, (size_t)(es * count), persist_data(it)) == 0;
    H5Dclose(ds);
    return ok ? 0 : refuse(d, path, msg);
}

static int restore_state(hid_t file, sim *s, const char *path, diag *d)
{
    hid_t g = H5Gopen2(file, "state", H5P_DEFAULT);
    if (g < 0) return refuse(d, path, "no state group");
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < s->persist.n; i++)
        rc = restore_item(g, &s->persist.v[i], path, d);
    hsize_t n_objs = 0;
    if (rc == 0 && (H5Gget_num_objs(g, &n_objs) < 0 || n_objs != (hsize_t)s->persist.n))
        rc = refuse(d, path, "it holds module state this build does not have");
    H5Gclose(g);
    return rc;
}

int checkpoint_restore(sim *s, const char *path, char *commit, size_t commit_len, diag *d)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (access(path, R_OK) != 0) {
        diag_fail(d, EXIT_BAD_INPUT, "%s: cannot read checkpoint: %s", path, strerror(errno));
        return -1;
    }
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0) return refuse(d, path, "not an HDF5 file (or a damaged one)");
    int64_t day = 0;
    int rc = check_header(file, s, path, commit, commit_len, &day, d);
    if (rc == 0) rc = restore_agents(file, s, path, d);
    if (rc == 0) rc = restore_series(file, s, path, d);
    if (rc == 0) rc = restore_state(file, s, path, d);
    H5Fclose(file);
    if (rc == 0) {
        s->day = (int)day;
        s->restored = true;
    }
    return rc;
}

/* ---- ensembles --------------------------------------------------------------------- */

int checkpoint_member_of(const char *path, int64_t *member, diag *d)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (access(path, R_OK) != 0) {
        diag_fail(d, EXIT_BAD_INPUT, "%s: cannot read checkpoint: %s", path, strerror(errno));
        return -1;
    }
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0) return refuse(d, path, "not an HDF5 file (or a damaged one)");
    char *format = h5u_read_attr_string(file, "format");
    int ok = format && strcmp(format, checkpoint_format) == 0 &&
             h5u_read_attr_i64(file, "member", member) >= 0;
    free(format);
    H5Fclose(file);
    return ok ? 0 : refuse(d, path, "not a rumbo checkpoint");
}

static char *members_path(const char *path)
{
    char *p = malloc(strlen(path) + 16);
    if (!p) abort();
    sprintf(p, "%s.members", path);
    return p;
}

/* Opens the members file for writing, starting it afresh when it belongs to another
 * scenario (a stale file of an earlier run). */
static hid_t open_members(const char *file_path, const sim *s)
{
    hid_t f = access(file_path, F_OK) == 0 ? H5Fopen(file_path, H5F_ACC_RDWR, H5P_DEFAULT) : -1;
    if (f >= 0) {
        char *yaml = h5u_read_attr_string(f, "scenario");
        int same = yaml && strcmp(yaml, s->sc->yaml) == 0;
        free(yaml);
        if (same) return f;
        H5Fclose(f);
    }
    f = H5Fcreate(file_path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f >= 0 && (h5u_attr_string(f, "format", "rumbo checkpoint members") < 0 ||
                   h5u_attr_string(f, "scenario", s->sc->yaml) < 0)) {
        H5Fclose(f);
        return -1;
    }
    return f;
}

int checkpoint_save_member(const char *path, const sim *s, diag *d)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    char *mp = members_path(path);
    char group[32];
    snprintf(group, sizeof group, "member_%u", (unsigned)s->key.member);
    hid_t f = open_members(mp, s);
    herr_t rc = f < 0 ? -1 : 0;
    if (rc >= 0 && h5u_exists(f, group)) rc = H5Ldelete(f, group, H5P_DEFAULT);
    hid_t g = rc >= 0 ? H5Gcreate2(f, group, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT) : -1;
    if (g < 0) rc = -1;
    if (rc >= 0) {
        H5Gclose(g);
        /* write_series makes "series" under a location: use the member's group. */
        hid_t mg = H5Gopen2(f, group, H5P_DEFAULT);
        rc = mg < 0 ? -1 : write_series(mg, &s->out);
        if (mg >= 0) H5Gclose(mg);
    }
    if (f >= 0 && H5Fclose(f) < 0) rc = -1;
    if (rc < 0) diag_fail(d, EXIT_RUNTIME, "%s: saving a finished member failed (disk full?)", mp);
    free(mp);
    return rc < 0 ? -1 : 0;
}

int checkpoint_load_member(const char *path, sim *s, diag *d)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    char *mp = members_path(path);
    char group[32];
    snprintf(group, sizeof group, "member_%u", (unsigned)s->key.member);
    hid_t f = access(mp, R_OK) == 0 ? H5Fopen(mp, H5F_ACC_RDONLY, H5P_DEFAULT) : -1;
    int rc = -1;
    char *yaml = f >= 0 ? h5u_read_attr_string(f, "scenario") : NULL;
    if (f < 0 || !yaml || strcmp(yaml, s->sc->yaml) != 0 || !h5u_exists(f, group)) {
        char msg[128];
        snprintf(msg, sizeof msg, "the finished member %u is missing from %s",
                 (unsigned)s->key.member, mp);
        refuse(d, path, msg);
    } else {
        hid_t g = H5Gopen2(f, group, H5P_DEFAULT);
        rc = restore_series(g, s, mp, d);
        H5Gclose(g);
    }
    free(yaml);
    if (f >= 0) H5Fclose(f);
    free(mp);
    return rc;
}

void checkpoint_remove(const char *path)
{
    char *mp = members_path(path);
    unlink(path);
    unlink(mp);
    free(mp);
}

/* ---- policy ------------------------------------------------------------------------- */

int checkpoint_after_day(const checkpoint_policy *p, const sim *s, diag *d)
{
    bool finished = s->day >= s->sc->days;
    bool stop = !finished && (interrupt_requested() || (p->stop_at > 0 && s->day == p->stop_at));
    bool due = !finished && p->every > 0 && s->day % p->every == 0;
    if (!p->path || (!stop && !due)) return 0;
    if (checkpoint_write(s, p->path, d)) return -1;
    return stop ? EXIT_INTERRUPTED : 0;
}
