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
        for (size_t j = 0; j < ss->dims[i].size; j++) free(ss->dims[i].labels[j]);
        free(ss->dims[i].labels);
    }
    for (int i = 0; i < ss->n; i++) free(ss->items[i].data);
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
    s->data = calloc(s->days * s->record + 1, 8);
    if (!s->data) abort();
    return s;
}

series *series_find(series_set *ss, const char *name)
{
    for (int i = 0; i < ss->n; i++)
        if (strcmp(ss->items[i].name, name) == 0) return &ss->items[i];
    return NULL;
}

int64_t *series_i64(series *s, size_t day)
{
    return (int64_t *)s->data + day * s->record;
}

double *series_f64(series *s, size_t day)
{
    return (double *)s->data + day * s->record;
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
