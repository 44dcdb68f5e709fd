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
    free(t->offsets);
    t->start = t->offsets = NULL;
    for (uint32_t i = first; i < t->n; i++)
        t->capacity[i] = t->granted[i] = t->requested[i] = 0;
    return first;
}

void capacity_free(capacity_table *t)
{
    free(t->capacity);
    free(t->granted);
    free(t->requested);
    free(t->bucketed);
    free(t->start);
    free(t->offsets);
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
static int before(const cap_request *a, const cap_request *b, const uint32_t *ids)
{
    if (a->priority != b->priority) return a->priority < b->priority;
    if (ids[a->index] != ids[b->index]) return ids[a->index] < ids[b->index];
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
static void select_first(cap_request *v, size_t n, size_t k, const uint32_t *ids)
{
    size_t lo = 0, hi = n;
    uint32_t state = 0x9e3779b9u; /* pivot choice only affects speed, never the set */
    while (hi - lo > 1 && k > lo && k < hi) {
        state = state * 1664525u + 1013904223u;
        size_t p = lo + state % (hi - lo);
        swap(&v[p], &v[hi - 1]);
        size_t store = lo;
        for (size_t j = lo; j + 1 < hi; j++)
            if (before(&v[j], &v[hi - 1], ids)) swap(&v[j], &v[store++]);
        swap(&v[store], &v[hi - 1]);
        if (store == k) return;
        if (store < k)
            lo = store + 1;
        else
            hi = store;
    }
}

/* Scratch sized for n_lists lists and the table's resources. */
static void ensure_scratch(capacity_table *t, int n_lists)
{
    size_t need = ((size_t)t->n + 1) * (size_t)n_lists;
    if (t->start && t->offsets_cap >= need) return;
    free(t->start);
    free(t->offsets);
    t->offsets_cap = need;
    t->start = malloc(((size_t)t->n + 1) * sizeof(size_t));
    t->offsets = malloc(need * sizeof(size_t));
    if (!t->start || !t->offsets) abort();
}

/* The steps of capacity_resolve, each on one list or one resource. */
static void count_list(capacity_table *t, const cap_requests *list, int k)
{
    size_t *count = t->offsets + (size_t)k * t->n; /* counts, made offsets below */
    for (size_t j = 0; j < list->n; j++)
        count[list->v[j].resource]++;
}

/* Bucket r holds list 0's requests for r, then list 1's...: counts become offsets.
 * Order within a bucket never matters (select_first). */
static void make_offsets(capacity_table *t, int n_lists)
{
    uint32_t R = t->n;
    size_t at = 0;
    for (uint32_t r = 0; r < R; r++) {
        t->start[r] = at;
        for (int k = 0; k < n_lists; k++) {
            size_t c = t->offsets[(size_t)k * R + r];
            t->offsets[(size_t)k * R + r] = at;
            at += c;
        }
        t->requested[r] = (int64_t)(at - t->start[r]);
        t->granted[r] = 0;
    }
    t->start[R] = at;
    if (at > t->bucketed_cap) {
        t->bucketed_cap = at + at / 4;
        free(t->bucketed);
        t->bucketed = malloc(t->bucketed_cap * sizeof *t->bucketed);
        if (!t->bucketed) abort();
    }
}

static void scatter_list(capacity_table *t, cap_requests *list, int k)
{
    size_t *fill = t->offsets + (size_t)k * t->n;
    for (size_t j = 0; j < list->n; j++)
        t->bucketed[fill[list->v[j].resource]++] = list->v[j];
    list->n = 0;
}

/* An agent may hold grants of several resources (a seat and a job): the bits of one
 * byte may be set by two threads, hence the atomic or. */
static void grant_resource(capacity_table *t, uint32_t r, const uint32_t *ids, uint8_t *grants)
{
    size_t n = t->start[r + 1] - t->start[r];
    size_t cap = t->capacity[r] < 0 ? 0 : (size_t)t->capacity[r];
    size_t take = n < cap ? n : cap;
    t->granted[r] = (int64_t)take;
    /* No requests: the buckets may not exist yet (NULL + 0 is undefined; found by
     * fuzzing). */
    if (n == 0) return;
    cap_request *v = t->bucketed + t->start[r];
    if (take < n) select_first(v, n, take, ids);
    for (size_t j = 0; j < take; j++)
        __atomic_fetch_or(&grants[v[j].index], (uint8_t)(1u << v[j].slot), __ATOMIC_RELAXED);
}

/* Below this many requests one thread resolves them: five barriers cost more than
 * the work (a 10,000-agent day asks for a few thousand things). */
enum { PARALLEL_MIN_REQUESTS = 50000 };

void capacity_resolve(capacity_table *t, cap_requests *const *lists, int n_lists,
                      const uint32_t *ids, uint8_t *grants)
{
    /* Every construct here is orphaned: inside a parallel region the whole team
     * shares the work (lists, then resources); outside one a team of one does it.
     * Every thread counts the same lists here (planning has ended), so every thread
     * takes the same branch; the barrier keeps the lists unchanged until all have. */
    uint32_t R = t->n;
    size_t total = 0;
    for (int k = 0; k < n_lists; k++)
        total += lists[k]->n;
#pragma omp barrier
    if (total < PARALLEL_MIN_REQUESTS) {
#pragma omp single
        {
            ensure_scratch(t, n_lists);
            memset(t->offsets, 0, (size_t)R * (size_t)n_lists * sizeof(size_t));
            for (int k = 0; k < n_lists; k++)
                count_list(t, lists[k], k);
            make_offsets(t, n_lists);
            for (int k = 0; k < n_lists; k++)
                scatter_list(t, lists[k], k);
            for (uint32_t r = 0; r < R; r++)
                grant_resource(t, r, ids, grants);
        }
        return;
    }
#pragma omp single
    {
        ensure_scratch(t, n_lists);
        memset(t->offsets, 0, (size_t)R * (size_t)n_lists * sizeof(size_t));
    }
#pragma omp for schedule(static)
    for (int k = 0; k < n_lists; k++)
        count_list(t, lists[k], k);
#pragma omp single
    make_offsets(t, n_lists);
#pragma omp for schedule(static)
    for (int k = 0; k < n_lists; k++)
        scatter_list(t, lists[k], k);
#pragma omp for schedule(dynamic, 1)
    for (uint32_t r = 0; r < R; r++)
        grant_resource(t, r, ids, grants);
}
