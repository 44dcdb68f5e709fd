/* Output time series: every dataset a run writes is registered here with its
 * dimensions and units, and filled one day at a time. The HDF5 writer knows
 * nothing about the model; it writes whatever is registered.
 *
 * Days are kept in blocks of SERIES_BLOCK_DAYS, the output's chunks along time. A
 * block is open (plain values, zeroed when first touched) until the run is past it;
 * then series_seal compresses it into the chunk the output stores (the last block of
 * a run whose length is not a whole number of blocks is never past: it is compressed
 * when the file is written). A run holds one
 * open block per series and small sealed ones, not every day in full: 16 MB less
 * for the default model's 395 days, a sixth of a million-agent run's memory. */
#ifndef RUMBO_SERIES_H
#define RUMBO_SERIES_H

#include <stddef.h>
#include <stdint.h>

#include "sim/chunk_codec.h"

enum { SERIES_MAX_DIMS = 3, SERIES_MAX = 48, DIM_MAX = 24, COORD_MAX = 32 };
enum { SERIES_BLOCK_DAYS = 64 };

/* A named dimension (besides `time`), with a label per index. */
typedef struct dim {
    char name[32];
    const char *units;
    const char *description;
    size_t size;
    char **labels; /* size strings, owned */
} dim;

typedef enum { SERIES_INT64, SERIES_FLOAT64 } series_type;

/* block_days x record values: open (`values`), sealed (`packed`, the chunk as
 * chunk_encode makes it) or never touched (neither: all zero). */
typedef struct series_block {
    void *values;
    unsigned char *packed;
    size_t packed_size;
} series_block;

typedef struct series {
    char name[48];
    const char *units;
    const char *description;
    series_type type;
    int ndims;                 /* dimensions after time */
    int dims[SERIES_MAX_DIMS]; /* indices into series_set.dims */
    size_t record;             /* values per day */
    size_t days;               /* days stored */
    size_t block_days;         /* days per block: SERIES_BLOCK_DAYS, or `days` if fewer */
    size_t n_blocks;
    series_block *blocks;
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

/* The record for `day` (zeroed on first access), as int64 or double. A sealed block
 * written again is opened again (unpacked): correct, but not for every day. Not from
 * several threads at once: the first touch of a block allocates it (the day_start
 * and day_end hooks that fill the series are serial). */
int64_t *series_i64(series *s, size_t day);
double *series_f64(series *s, size_t day);

/* Seals every open block that ends on or before `day` (all its days are past),
 * sharing the blocks among `threads` threads. */
void series_seal(series_set *ss, size_t day, int threads);

/* Copies all days (days x record values) out of the blocks, or into them (every
 * block opened). 0 ok; -1 if a sealed block does not decode (memory corruption). */
int series_read(const series *s, void *values);
void series_write(series *s, const void *values);

/* Block b as the output stores it, in *size bytes: the sealed chunk, or the open
 * (or never touched) block encoded now into *owned (free it). */
const unsigned char *series_chunk(const series *s, size_t b, chunk_codec *c, size_t *size,
                                  unsigned char **owned);

#endif
