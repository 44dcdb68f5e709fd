#include "sim/capacity.h"

#include <stdlib.h>
#include <string.h>

uint32_t capacity_register(capacity_table *t, uint32_t count)
{
    uint32_t first = t->n;
    t->n += count;
    t->capacity = realloc(t->capacity, (t->n + 1) * sizeof(int64_t));
    t->granted = realloc(t->granted, (t->n + 1) * sizeof(int64_t));
    t->requested = realloc(t->requested, (t->n + 1) * sizeof(int64_t));
    if (!t->capacity || !t->granted || !t->requested) abort();
    for (uint32_t i = first; i < t->n; i++) t->capacity[i] = t->granted[i] = t->requested[i] = 0;
    return first;
}

void capacity_free(capacity_table *t)
{
    free(t->capacity);
    free(t->granted);
    free(t->requested);
    memset(t, 0, sizeof *t);
}

void cap_requests_push(cap_requests *q, cap_request r)
{
    if (q->n == q->cap) {
        q->cap = q->cap ? q->cap * 2 : 256;
        q->v = realloc(q->v, q->cap * sizeof *q->v);
        if (!q->v) abort();
    }
    q->v[q->n++] = r;
}

static int by_resource_priority_id(const void *pa, const void *pb)
{
    const cap_request *a = pa, *b = pb;
    if (a->resource != b->resource) return a->resource < b->resource ? -1 : 1;
    if (a->priority != b->priority) return a->priority < b->priority ? -1 : 1;
    if (a->agent_id != b->agent_id) return a->agent_id < b->agent_id ? -1 : 1;
    return (a->slot > b->slot) - (a->slot < b->slot);
}

void capacity_resolve(capacity_table *t, cap_requests *per_thread, int n_threads, uint8_t *grants)
{
    for (uint32_t r = 0; r < t->n; r++) t->granted[r] = t->requested[r] = 0;
    size_t total = 0;
    for (int k = 0; k < n_threads; k++) total += per_thread[k].n;
    if (total == 0) return;
    /* Gather into thread 0's buffer: its order does not matter, the sort decides. */
    cap_requests *all = &per_thread[0];
    for (int k = 1; k < n_threads; k++) {
        for (size_t j = 0; j < per_thread[k].n; j++) cap_requests_push(all, per_thread[k].v[j]);
        per_thread[k].n = 0;
    }
    qsort(all->v, all->n, sizeof *all->v, by_resource_priority_id);
    for (size_t j = 0; j < all->n; j++) {
        const cap_request *q = &all->v[j];
        t->requested[q->resource]++;
        if (t->granted[q->resource] < t->capacity[q->resource]) {
            t->granted[q->resource]++;
            grants[q->index] |= (uint8_t)(1u << q->slot);
        }
    }
    all->n = 0;
}
