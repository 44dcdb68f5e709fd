#include "sim/capacity.h"

#include <omp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sim/clock.h"

uint32_t capacity_register(capacity_table *t, uint32_t count)
{
    uint32_t first = t->n;
    if (count >= CAPACITY_MAX_RESOURCES - t->n) abort(); /* a few per node and edge in practice */
    t->n += count;
    t->capacity = realloc(t->capacity, (t->n + 1) * sizeof(int64_t));
    t->granted = realloc(t->granted, (t->n + 1) * sizeof(int64_t));
    t->requested = realloc(t->requested, (t->n + 1) * sizeof(int64_t));
    if (!t->capacity || !t->granted || !t->requested) abort();
    free(t->offsets); /* sized by n: made again at the next resolution */
    free(t->fill);
    t->offsets = t->fill = NULL;
    for (uint32_t i = first; i < t->n; i++)
        t->capacity[i] = t->granted[i] = t->requested[i] = 0;
    return first;
}

void capacity_free(capacity_table *t)
{
    free(t->capacity);
    free(t->granted);
    free(t->requested);
    free(t->fill);
    free(t->offsets);
    free(t->seg_start);
    free(t->seg_end);
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

/* The requests for one resource: a segment of each list, seen as one array (the
 * resource's row of the table's seg_start and seg_end). */
typedef struct segments {
    cap_request *const *v;
    const size_t *end; /* prefix sums of the lengths */
    int n;
} segments;

static cap_request *at(const segments *s, size_t p)
{
    int lo = 0, hi = s->n - 1; /* the first segment whose end is past p */
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (s->end[mid] > p)
            hi = mid;
        else
            lo = mid + 1;
    }
    return s->v[lo] + (p - (lo ? s->end[lo - 1] : 0));
}

/* Moves the k first requests (in the order above) of s[0..n) to s[0..k), in any
 * order: quickselect, O(n) on average. The *set* selected is unique whatever the
 * pivots, so the result does not depend on the algorithm's path. */
static void select_first(const segments *s, size_t n, size_t k, const uint32_t *ids)
{
    size_t lo = 0, hi = n;
    uint32_t state = 0x9e3779b9u; /* pivot choice only affects speed, never the set */
    while (hi - lo > 1 && k > lo && k < hi) {
        state = state * 1664525u + 1013904223u;
        size_t p = lo + state % (hi - lo);
        cap_request *last = at(s, hi - 1);
        swap(at(s, p), last);
        size_t store = lo;
        for (size_t j = lo; j + 1 < hi; j++) {
            cap_request *x = at(s, j);
            if (before(x, last, ids)) swap(x, at(s, store++));
        }
        swap(at(s, store), last);
        if (store == k) return;
        if (store < k)
            lo = store + 1;
        else
            hi = store;
    }
}

void capacity_prepare(capacity_table *t, int n_lists)
{
    size_t need = ((size_t)t->n + 1) * (size_t)n_lists;
    if (t->offsets && t->offsets_cap >= need) return;
    free(t->offsets);
    free(t->fill);
    free(t->seg_start);
    free(t->seg_end);
    t->offsets_cap = need;
    t->offsets = malloc(need * sizeof(size_t));
    t->fill = malloc(need * sizeof(size_t));
    t->seg_start = malloc(need * sizeof(cap_request *));
    t->seg_end = malloc(need * sizeof(size_t));
    if (!t->offsets || !t->fill || !t->seg_start || !t->seg_end) abort();
}

/* List k's row of offsets or fill (R + 1 entries). */
static size_t *row(const capacity_table *t, size_t *base, int k)
{
    return base + (size_t)k * ((size_t)t->n + 1);
}

/* Each resource's segments, list by list (grant_resource), and its total, from the
 * grouped lists' offsets. */
static void make_segments(capacity_table *t, cap_requests *const *lists, int n_lists)
{
    uint32_t R = t->n;
    for (int k = 0; k < n_lists; k++)
        if (row(t, t->offsets, k)[R] != lists[k]->n) abort(); /* a list not grouped */
    for (uint32_t r = 0; r < R; r++) {
        cap_request **start = t->seg_start + (size_t)r * (size_t)n_lists;
        size_t *end = t->seg_end + (size_t)r * (size_t)n_lists, n = 0;
        for (int k = 0; k < n_lists; k++) {
            const size_t *off = row(t, t->offsets, k);
            /* A list never used has no storage (NULL + 0 is undefined; found by fuzzing). */
            start[k] = lists[k]->v ? lists[k]->v + off[r] : NULL;
            n += off[r + 1] - off[r];
            end[k] = n;
        }
        t->requested[r] = (int64_t)n;
        t->granted[r] = 0;
    }
}

/* In place, by American flag sort: each request is moved straight to its resource's
 * next free place. The list's row of offsets first holds its counts, then where each
 * resource begins (R + 1 entries: the last is the list's length). */
void capacity_group(capacity_table *t, cap_requests *list, int k)
{
    uint32_t R = t->n;
    size_t *off = row(t, t->offsets, k), at = 0;
    memset(off, 0, ((size_t)R + 1) * sizeof(size_t));
    for (size_t j = 0; j < list->n; j++)
        off[list->v[j].resource]++;
    for (uint32_t r = 0; r < R; r++) {
        size_t c = off[r];
        off[r] = at;
        at += c;
    }
    off[R] = list->n;
    size_t *fill = row(t, t->fill, k);
    memcpy(fill, off, ((size_t)R + 1) * sizeof(size_t));
    cap_request *v = list->v;
    for (uint32_t r = 0; r < R; r++)
        while (fill[r] < off[r + 1]) {
            cap_request x = v[fill[r]];
            while (x.resource != r)
                swap(&x, &v[fill[x.resource]++]);
            v[fill[r]++] = x;
        }
}

/* An agent may hold grants of several resources (a seat and a job): the bits of one
 * byte may be set by two threads, hence the atomic or. */
static void grant_resource(capacity_table *t, int n_lists, uint32_t r, const uint32_t *ids,
                           uint8_t *grants)
{
    segments s = {.v = t->seg_start + (size_t)r * (size_t)n_lists,
                  .end = t->seg_end + (size_t)r * (size_t)n_lists,
                  .n = n_lists};
    size_t n = n_lists > 0 ? s.end[n_lists - 1] : 0;
    size_t cap = t->capacity[r] < 0 ? 0 : (size_t)t->capacity[r];
    size_t take = n < cap ? n : cap;
    t->granted[r] = (int64_t)take;
    if (take < n) select_first(&s, n, take, ids);
    /* The first `take` in segment order, a segment at a time. */
    size_t j = 0;
    for (int k = 0; k < n_lists && j < take; k++)
        for (; j < take && j < s.end[k]; j++) {
            const cap_request *q = s.v[k] + (j - (k ? s.end[k - 1] : 0));
            __atomic_fetch_or(&grants[q->index], (uint8_t)(1u << q->slot), __ATOMIC_RELAXED);
        }
}

/* Below this many requests one thread resolves them: a barrier costs more than the
 * work (a 10,000-agent day asks for a few thousand things). */
enum { PARALLEL_MIN_REQUESTS = 50000 };

/* A spin-wait's pause: on x86 it lets the other hyperthread run and ends the spin
 * without a pipeline flush. */
static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* Threads asleep in wait_for_round_end, of any table: a resolver wakes them all, and
 * each looks at its own table's round again. */
static pthread_mutex_t sleep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t round_ended = PTHREAD_COND_INITIALIZER;
static int sleepers;

/* How long a waiter spins before it sleeps. */
enum { SPIN_MICROSECONDS = 100 };

/* Until the round `round` is no longer the table's: its resolution is done. Spinning
 * first, then asleep: a small resolution takes a few tens of microseconds, less than
 * a sleep and a wake-up cost here; but a thread that spins on while the resolver is
 * off its core, on a shared machine, takes the core the resolver needs (why rumbo's
 * threads wait passively: README, Performance). */
static void wait_for_round_end(const capacity_table *t, unsigned round)
{
    double spin_until = clock_seconds() + SPIN_MICROSECONDS * 1e-6;
    for (unsigned spins = 1; __atomic_load_n(&t->round, __ATOMIC_SEQ_CST) == round; spins++) {
        cpu_relax();
        if (spins % 64 == 0 && clock_seconds() > spin_until) {
            pthread_mutex_lock(&sleep_lock);
            __atomic_add_fetch(&sleepers, 1, __ATOMIC_SEQ_CST);
            while (__atomic_load_n(&t->round, __ATOMIC_SEQ_CST) == round)
                pthread_cond_wait(&round_ended, &sleep_lock);
            __atomic_sub_fetch(&sleepers, 1, __ATOMIC_SEQ_CST);
            pthread_mutex_unlock(&sleep_lock);
            return;
        }
    }
}

/* Ends round `round`: the waiters may go on (and see every grant: release). */
static void end_round(capacity_table *t, unsigned round)
{
    __atomic_store_n(&t->round, round + 1, __ATOMIC_SEQ_CST);
    /* A waiter counts itself asleep before it looks at the round a last time, and this
     * looks at the count after the round changed (both sequentially consistent): if it
     * sees no sleeper, the waiter will see the new round. */
    if (__atomic_load_n(&sleepers, __ATOMIC_SEQ_CST) > 0) {
        pthread_mutex_lock(&sleep_lock);
        pthread_cond_broadcast(&round_ended);
        pthread_mutex_unlock(&sleep_lock);
    }
}

void capacity_resolve(capacity_table *t, cap_requests *const *lists, int n_lists,
                      const uint32_t *ids, uint8_t *grants, void (*idle)(void *), void *idle_ctx)
{
    /* The last thread to arrive sees every list complete and grouped (its acquire meets
     * the others' releases). A small day it resolves alone and goes on at once: the
     * others wait for the round to end (its release), not it for them, so that one
     * still busy with idle work (tomorrow's route tables, which take longer than a
     * small resolution) holds nobody up: the resolver starts its act pass and takes
     * that thread's agents meanwhile. A large day the team shares the resolution (the
     * constructs are orphaned: outside a parallel region a team of one does it all). */
    unsigned round = __atomic_load_n(&t->round, __ATOMIC_ACQUIRE); /* before arriving */
    if (__atomic_add_fetch(&t->arrived, 1, __ATOMIC_ACQ_REL) != omp_get_num_threads()) {
        if (idle) idle(idle_ctx); /* others are still planning, or resolving */
        wait_for_round_end(t, round);
    } else {
        t->arrived = 0; /* everyone is here: nobody counts again before the next round */
        size_t total = 0;
        for (int k = 0; k < n_lists; k++)
            total += lists[k]->n;
        t->shared = total >= PARALLEL_MIN_REQUESTS;
        if (!t->shared) {
            make_segments(t, lists, n_lists);
            for (uint32_t r = 0; r < t->n; r++)
                grant_resource(t, n_lists, r, ids, grants);
        }
        end_round(t, round);
    }
    if (!t->shared) return;
#pragma omp single
    make_segments(t, lists, n_lists);
#pragma omp for schedule(dynamic, 1)
    for (uint32_t r = 0; r < t->n; r++)
        grant_resource(t, n_lists, r, ids, grants);
}
