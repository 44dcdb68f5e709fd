/* State that checkpoints save: a registry of named arrays.
 *
 * A checkpoint must capture everything that influences the days still to come. The
 * agents (every AGENT_FIELDS field) and the output series are saved by the engine
 * itself; everything else a day carries over to the next (counters, yesterday's
 * incidents, a module's learned risks or criminal strengths) is registered here, once,
 * when it is allocated (typically in the module's init hook):
 *
 *     sim_persist(s, "crime.strength", st->strength, sizeof *st->strength, n_orgs);
 *
 * and checkpoint_write / checkpoint_restore (sim/checkpoint.h) then save and restore
 * it byte for byte without any per-module code. Arrays whose length changes during a
 * run register the pointer and the length instead (sim_persist_dynamic).
 *
 * What need not be registered: tables derived from parameters (route tables: the
 * engine sets `epoch_changed` on the first day after a restart so they are rebuilt),
 * per-day scratch cleared in day_start, and random streams (counter-based, so they
 * carry no state). Registering too much is harmless; missing an array makes a
 * restarted run differ from a straight one, which tests/cli/test_checkpoint.py checks
 * for the modules in the table. */
#ifndef RUMBO_PERSIST_H
#define RUMBO_PERSIST_H

#include <stddef.h>

typedef struct sim sim;

typedef struct persist_item {
    char name[64];
    void *data;      /* fixed array: count x elem_size bytes */
    void **indirect; /* or: where the (fixed-size) array's current address lives */
    void **dynamic;  /* or: where the array pointer lives (realloc'ed on restore) */
    size_t *dyn_n;   /* ... its element count */
    size_t *dyn_cap; /* ... its capacity in elements (NULL if none is kept) */
    size_t elem_size;
    size_t count;
} persist_item;

typedef struct persist_table {
    persist_item *v;
    size_t n, cap;
} persist_table;

/* Registers `count` elements of `elem_size` bytes at `data` under `name` (unique;
 * "module.what"). The array must stay at that address for the whole run. */
void sim_persist(sim *s, const char *name, void *data, size_t elem_size, size_t count);

/* Registers a fixed-size array reached through a pointer that may change during the run
 * (double buffers swapped each day): *data is read at save and restore time. */
void sim_persist_ptr(sim *s, const char *name, void **data, size_t elem_size, size_t count);

/* Registers a growable array: *data holds *n elements of elem_size bytes (and, when
 * cap != NULL, room for *cap). Restoring reallocates *data to the saved length and sets
 * *n (and *cap). */
void sim_persist_dynamic(sim *s, const char *name, void **data, size_t *n, size_t *cap,
                         size_t elem_size);

/* Bytes an item holds now, and its address. */
size_t persist_bytes(const persist_item *it);
void *persist_data(const persist_item *it);

void persist_free(persist_table *t);

#endif
