/* Output time series: every dataset a run writes is registered here with its
 * dimensions and units, and filled one day at a time. The HDF5 writer knows
 * nothing about the model; it writes whatever is registered. */
#ifndef RUMBO_SERIES_H
#define RUMBO_SERIES_H

#include <stddef.h>
#include <stdint.h>

enum { SERIES_MAX_DIMS = 3, SERIES_MAX = 48, DIM_MAX = 24, COORD_MAX = 32 };

/* A named dimension (besides `time`), with a label per index. */
typedef struct dim {
    char name[32];
    const char *units;
    const char *description;
    size_t size;
    char **labels; /* size strings, owned */
} dim;

typedef enum { SERIES_INT64, SERIES_FLOAT64 } series_type;

typedef struct series {
    char name[48];
    const char *units;
    const char *description;
    series_type type;
    int ndims;              /* dimensions after time */
    int dims[SERIES_MAX_DIMS]; /* indices into series_set.dims */
    size_t record;          /* values per day */
    size_t days;            /* days stored */
    void *data;             /* days x record values */
} series;

/* A constant value per index of one dimension (no time axis): a node's latitude, an
 * edge's mode. Written once per file (the same for every member) and listed in the
 * `coordinates` attribute of each series along that dimension, so xarray shows it
 * next to the data. */
typedef enum { COORD_INT64, COORD_FLOAT64, COORD_STRING } coord_type;

typedef struct coord {
    char name[48];
    const char *units;
    const char *description;
    int dim;
    coord_type type;
    void *data; /* dims[dim].size values (int64, double or owned char *) */
} coord;

typedef struct series_set {
    dim dims[DIM_MAX];
    int n_dims;
    series items[SERIES_MAX];
    int n;
    size_t days_capacity;
    coord coords[COORD_MAX];
    int n_coords;
} series_set;

void series_init(series_set *ss, size_t days);
void series_free(series_set *ss);

/* Registers a dimension; labels are copied. Returns its index. */
int series_add_dim(series_set *ss, const char *name, const char *units, const char *description,
                   size_t size, const char *const *labels);
int series_find_dim(const series_set *ss, const char *name);

/* Registers a dataset over time and the named dimensions (NULL-terminated). */
series *series_add(series_set *ss, const char *name, series_type type, const char *units,
                   const char *description, const char *const *dim_names);
series *series_find(series_set *ss, const char *name);

/* Registers a constant per-index value of dimension `dim_name`; values are copied
 * (int64_t, double or const char * for COORD_STRING, one per index). */
coord *series_add_coord(series_set *ss, const char *name, coord_type type, const char *units,
                        const char *description, const char *dim_name, const void *values);

/* The record for `day` (zeroed on first access), as int64 or double. */
int64_t *series_i64(series *s, size_t day);
double *series_f64(series *s, size_t day);

#endif
