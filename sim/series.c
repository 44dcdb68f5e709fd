#include "sim/series.h"

#include <stdlib.h>
#include <string.h>

void series_init(series_set *ss, size_t days)
{
    memset(ss, 0, sizeof *ss);
    ss->days_capacity = days;
}

void series_free(series_set *ss)
{
    for (int i = 0; i < ss->n_dims; i++) {
        for (size_t j = 0; j < ss->dims[i].size; j++)
            free(ss->dims[i].labels[j]);
        free(ss->dims[i].labels);
    }
    for (int i = 0; i < ss->n; i++) {
        series *sr = &ss->items[i];
        for (size_t b = 0; b < sr->n_blocks; b++) {
            free(sr->blocks[b].values);
            free(sr->blocks[b].packed);
        }
        free(sr->blocks);
    }
    for (int i = 0; i < ss->n_coords; i++) {
        coord *c = &ss->coords[i];
        if (c->type == COORD_STRING)
            for (size_t j = 0; j < ss->dims[c->dim].size; j++)
                free(((char **)c->data)[j]);
        free(c->data);
    }
    memset(ss, 0, sizeof *ss);
}

int series_find_dim(const series_set *ss, const char *name)
{
    for (int i = 0; i < ss->n_dims; i++)
        if (strcmp(ss->dims[i].name, name) == 0) return i;
    return -1;
}

int series_add_dim(series_set *ss, const char *name, const char *units, const char *description,
                   size_t size, const char *const *labels)
{
    if (ss->n_dims == DIM_MAX) abort(); /* a programming error, not an input error */
    dim *d = &ss->dims[ss->n_dims];
    strncpy(d->name, name, sizeof d->name - 1);
    d->units = units;
    d->description = description;
    d->size = size;
    d->labels = calloc(size ? size : 1, sizeof(char *));
    if (!d->labels) abort();
    for (size_t i = 0; i < size; i++) {
        d->labels[i] = strdup(labels[i]);
        if (!d->labels[i]) abort();
    }
    return ss->n_dims++;
}

series *series_add(series_set *ss, const char *name, series_type type, const char *units,
                   const char *description, const char *const *dim_names)
{
    if (ss->n == SERIES_MAX) abort();
    series *s = &ss->items[ss->n++];
    memset(s, 0, sizeof *s);
    strncpy(s->name, name, sizeof s->name - 1);
    s->type = type;
    s->units = units;
    s->description = description;
    s->record = 1;
    for (; dim_names[s->ndims]; s->ndims++) {
        int d = series_find_dim(ss, dim_names[s->ndims]);
        if (d < 0 || s->ndims == SERIES_MAX_DIMS) abort();
        s->dims[s->ndims] = d;
        s->record *= ss->dims[d].size;
    }
    s->days = ss->days_capacity;
    s->block_days = s->days < SERIES_BLOCK_DAYS ? s->days : SERIES_BLOCK_DAYS;
    s->n_blocks = s->block_days ? (s->days + s->block_days - 1) / s->block_days : 0;
    s->blocks = calloc(s->n_blocks + 1, sizeof *s->blocks);
    if (!s->blocks) abort();
    return s;
}

series *series_find(series_set *ss, const char *name)
{
    for (int i = 0; i < ss->n; i++)
        if (strcmp(ss->items[i].name, name) == 0) return &ss->items[i];
    return NULL;
}

static size_t block_values(const series *s)
{
    return s->block_days * s->record;
}

/* Makes block b open: zeroed, or unpacked if it was sealed. */
static void open_block(series *s, series_block *b)
{
    b->values = calloc(block_values(s) + 1, 8);
    if (!b->values) abort();
    if (!b->packed) return;
    if (chunk_decode(b->packed, b->packed_size, b->values, block_values(s))) abort();
    free(b->packed);
    b->packed = NULL;
    b->packed_size = 0;
}

static void *record(series *s, size_t day)
{
    if (day >= s->days) abort(); /* a programming error */
    series_block *b = &s->blocks[day / s->block_days];
    if (!b->values) open_block(s, b);
    return (char *)b->values + (day % s->block_days) * s->record * 8;
}

int64_t *series_i64(series *s, size_t day)
{
    return record(s, day);
}

double *series_f64(series *s, size_t day)
{
    return record(s, day);
}

static void seal_block(series *s, series_block *b, chunk_codec *c)
{
    b->packed = chunk_encode(c, b->values, block_values(s), block_values(s), &b->packed_size);
    free(b->values);
    b->values = NULL;
}

void series_seal(series_set *ss, size_t day, int threads)
{
    /* (series, block) pairs to seal, in a fixed order; which thread seals one does not
     * change its bytes. Most days there are none. */
    struct {
        int series;
        size_t block;
    } *jobs = NULL;
    size_t n_jobs = 0, cap = 0;
    for (int i = 0; i < ss->n; i++) {
        const series *s = &ss->items[i];
        for (size_t b = 0; s->block_days && b < s->n_blocks && (b + 1) * s->block_days <= day;
             b++) {
            if (!s->blocks[b].values) continue;
            if (n_jobs == cap) {
                cap = cap ? 2 * cap : 64;
                jobs = realloc(jobs, cap * sizeof *jobs);
                if (!jobs) abort();
            }
            jobs[n_jobs].series = i;
            jobs[n_jobs++].block = b;
        }
    }
    if (n_jobs == 0) return;
    long nj = (long)n_jobs;
#pragma omp parallel num_threads(threads) if (threads > 1 && n_jobs > 1)
    {
        chunk_codec c;
        chunk_codec_init(&c);
#pragma omp for schedule(dynamic, 1)
        for (long q = 0; q < nj; q++) {
            series *s = &ss->items[jobs[q].series];
            seal_block(s, &s->blocks[jobs[q].block], &c);
        }
        chunk_codec_free(&c);
    }
    free(jobs);
}

/* Where block b's days start in the run's values, and their bytes: a whole block, or
 * fewer for the last one. */
static size_t block_span(const series *s, size_t b, size_t *offset)
{
    size_t per_block = block_values(s) * 8, total = s->days * s->record * 8;
    *offset = b * per_block;
    return total - *offset < per_block ? total - *offset : per_block;
}

int series_read(const series *s, void *values)
{
    unsigned char *scratch = NULL;
    int rc = 0;
    for (size_t b = 0; b < s->n_blocks; b++) {
        const series_block *blk = &s->blocks[b];
        size_t offset, len = block_span(s, b, &offset);
        unsigned char *out = (unsigned char *)values + offset;
        if (blk->values) {
            memcpy(out, blk->values, len);
        } else if (!blk->packed) {
            memset(out, 0, len);
        } else {
            /* The last block may hold fewer days than a whole chunk. */
            if (!scratch && !(scratch = malloc(block_values(s) * 8 + 8))) abort();
            if (chunk_decode(blk->packed, blk->packed_size, scratch, block_values(s))) rc = -1;
            memcpy(out, scratch, len);
        }
    }
    free(scratch);
    return rc;
}

void series_write(series *s, const void *values)
{
    for (size_t b = 0; b < s->n_blocks; b++) {
        series_block *blk = &s->blocks[b];
        free(blk->packed);
        blk->packed = NULL;
        blk->packed_size = 0;
        free(blk->values);
        blk->values = NULL;
        size_t offset, len = block_span(s, b, &offset);
        const unsigned char *in = (const unsigned char *)values + offset;
        /* All-zero blocks (the days still to come) stay untouched, taking no memory. */
        size_t nonzero = 0;
        while (nonzero < len && in[nonzero] == 0)
            nonzero++;
        if (nonzero == len) continue;
        open_block(s, blk);
        memcpy(blk->values, in, len);
    }
}

const unsigned char *series_chunk(const series *s, size_t b, chunk_codec *c, size_t *size,
                                  unsigned char **owned)
{
    const series_block *blk = &s->blocks[b];
    *owned = NULL;
    *size = blk->packed_size;
    if (blk->packed) return blk->packed;
    /* A block never touched is stored all the same: a dataset without chunks reads as
     * zeros, but h5diff calls it empty and will not compare it. */
    size_t have = blk->values ? block_values(s) : 0;
    *owned = chunk_encode(c, blk->values, have, block_values(s), size);
    return *owned;
}

coord *series_add_coord(series_set *ss, const char *name, coord_type type, const char *units,
                        const char *description, const char *dim_name, const void *values)
{
    int d = series_find_dim(ss, dim_name);
    if (ss->n_coords == COORD_MAX || d < 0) abort(); /* programming errors */
    coord *c = &ss->coords[ss->n_coords++];
    memset(c, 0, sizeof *c);
    strncpy(c->name, name, sizeof c->name - 1);
    c->units = units;
    c->description = description;
    c->dim = d;
    c->type = type;
    size_t n = ss->dims[d].size;
    c->data = calloc(n ? n : 1, 8);
    if (!c->data) abort();
    if (type != COORD_STRING) {
        memcpy(c->data, values, n * 8);
        return c;
    }
    for (size_t i = 0; i < n; i++) {
        ((char **)c->data)[i] = strdup(((const char *const *)values)[i]);
        if (!((char **)c->data)[i]) abort();
    }
    return c;
}
