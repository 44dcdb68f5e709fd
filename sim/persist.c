#include "sim/persist.h"

#include <stdlib.h>
#include <string.h>

#include "sim/sim.h"

static persist_item *add(persist_table *t, const char *name)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->v[i].name, name) == 0) abort(); /* two modules, one name: a bug */
    if (strlen(name) >= sizeof t->v[0].name) abort();
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 32;
        t->v = realloc(t->v, t->cap * sizeof *t->v);
        if (!t->v) abort();
    }
    persist_item *it = &t->v[t->n++];
    memset(it, 0, sizeof *it);
    strcpy(it->name, name);
    return it;
}

void sim_persist(sim *s, const char *name, void *data, size_t elem_size, size_t count)
{
    persist_item *it = add(&s->persist, name);
    it->data = data;
    it->elem_size = elem_size;
    it->count = count;
}

void sim_persist_ptr(sim *s, const char *name, void **data, size_t elem_size, size_t count)
{
    persist_item *it = add(&s->persist, name);
    it->indirect = data;
    it->elem_size = elem_size;
    it->count = count;
}

void sim_persist_dynamic(sim *s, const char *name, void **data, size_t *n, size_t *cap,
                         size_t elem_size)
{
    persist_item *it = add(&s->persist, name);
    it->dynamic = data;
    it->dyn_n = n;
    it->dyn_cap = cap;
    it->elem_size = elem_size;
}

size_t persist_bytes(const persist_item *it)
{
    return (it->dynamic ? *it->dyn_n : it->count) * it->elem_size;
}

void *persist_data(const persist_item *it)
{
    return it->dynamic ? *it->dynamic : it->indirect ? *it->indirect : it->data;
}

void persist_free(persist_table *t)
{
    free(t->v);
    memset(t, 0, sizeof *t);
}
