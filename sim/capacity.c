#include "sim/capacity.h"

#include <stdlib.h>
#include <string.h>

uint32_t capacity_register(capacity_table *t, uint32_t count)
{
    uint32_t first = t->n;
    if (count >= CAPACITY_MAX_RESOURCES - t->n) abort(); /* a few per node and edge in practice */
    t->n += count;
    t->capacity = realloc(t->capacity, (t->n + 1) * sizeof(int64_t));
    t->granted = realloc(t->granted, (t->n + 1) * sizeof(int64_t));
    t->requested = realloc(t->requested, (t->n + 1) * sizeof(int64_t));
    if (!t->capacity || !t->granted || !t->requested) abort();
    free(t->start); /* sized by n: made again at the next resolution */
    free(t->fill);
    t->start = t->fill = NULL;
    for (uint32_t i = first; i < t->n; i++) t->capacity[i] = t->granted[i] = t->requested[i] = 0;
    return first;
}

void capacity_free(capacity_table *t)
{
    free(t->capacity);
    free(t->granted);
    free(t->requested);
    free(t->bucketed);
    free(t->start);
    free(t->fill);
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

/* Total order within a resource: priority, then agent id, then slot. */
static int before(const cap_request *a, const cap_request *b)
{
    if (a->priority != b->priority) return a->priority < b->priority;
    if (a->agent_id != b->agent_id) return a->agent_id < b->agent_id;
    return a->slot < b->slot;
}

static void swap(cap_request *a, cap_request *b)
{
    cap_request t = *a;
    *a = *b;
    *b = t;
}

/* Moves the k first requests (in the order above) of v[0..n) to v[0..k), in any
 * order: quickselect, O(n) on average. The *set* selected is unique whatever the
 * pivots, so the result does not depend on the algorithm's path. */
static void select_first(cap_request *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n;
    uint32_t state = 0x9e3779b9u; /* pivot choice only affects speed, never the set */
    while (hi - lo > 1 && k > lo && k < hi) {
        state = state * 1664525u + 1013904223u;
        size_t p = lo + state % (hi - lo);
        swap(&v[p], &v[hi - 1]);
        size_t store = lo;
        for (size_t j = lo; j + 1 < hi; j++)
            if (before(&v[j], &v[hi - 1])) swap(&v[j], &v[store++]);
        swap(&v[store], &v[hi - 1]);
        if (store == k) return;
        if (store < k) lo = store + 1;
        else hi = store;
    }
}

void capacity_resolve(capacity_table *t, cap_requests *per_thread, int n_threads, uint8_t *grants)
{
    for (uint32_t r = 0; r < t->n; r++) t->granted[r] = t->requested[r] = 0;
    size_t total = 0;
    for (int k = 0; k < n_threads; k++) {
        total += per_thread[k].n;
        for (size_t j = 0; j < per_thread[k].n; j++) t->requested[per_thread[k].v[j].resource]++;
    }
    if (total == 0) return;
    /* Bucket the requests by resource (counting sort), then grant within each. */
    if (total > t->bucketed_cap) {
        t->bucketed_cap = total + total / 4;
        free(t->bucketed);
        t->bucketed = malloc(t->bucketed_cap * sizeof *t->bucketed);
        if (!t->bucketed) abort();
    }
    if (!t->start) {
        t->start = malloc(((size_t)t->n + 1) * sizeof(size_t));
        t->fill = malloc(((size_t)t->n + 1) * sizeof(size_t));
        if (!t->start || !t->fill) abort();
    }
    cap_request *all = t->bucketed;
    size_t *start = t->start, *fill = t->fill;
    start[0] = 0;
    for (uint32_t r = 0; r < t->n; r++) start[r + 1] = start[r] + (size_t)t->requested[r];
    memcpy(fill, start, ((size_t)t->n + 1) * sizeof(size_t));
    for (int k = 0; k < n_threads; k++) {
        for (size_t j = 0; j < per_thread[k].n; j++) all[fill[per_thread[k].v[j].resource]++] = per_thread[k].v[j];
        per_thread[k].n = 0;
    }
    for (uint32_t r = 0; r < t->n; r++) {
        size_t n = start[r + 1] - start[r];
        size_t cap = t->capacity[r] < 0 ? 0 : (size_t)t->capacity[r];
        size_t take = n < cap ? n : cap;
        if (take < n) select_first(all + start[r], n, take);
        for (size_t j = 0; j < take; j++) {
            const cap_request *q = &all[start[r] + j];
            grants[q->index] |= (uint8_t)(1u << q->slot);
        }
        t->granted[r] = (int64_t)take;
    }
}
