#include "sim/partition.h"

#include <stdlib.h>
#include <string.h>

#include "sim/clock.h"

static void *alloc0(size_t n, size_t size)
{
    void *v = calloc(n ? n : 1, size);
    if (!v) abort();
    return v;
}

void partition_init(partition *p, int n_threads)
{
    memset(p, 0, sizeof *p);
    p->n = n_threads > 0 ? n_threads : 1;
    size_t n = (size_t)p->n;
    p->bound = alloc0(n + 1, sizeof *p->bound);
    p->next_bound = alloc0(n + 1, sizeof *p->next_bound);
    p->cost = alloc0(n, sizeof *p->cost);
    p->own_time = alloc0(PASS_COUNT * n, sizeof *p->own_time);
    p->own_agents = alloc0(PASS_COUNT * n, sizeof *p->own_agents);
    p->cursor = aligned_alloc(64, PASS_COUNT * n * sizeof *p->cursor);
    if (!p->cursor) abort();
    memset(p->cursor, 0, PASS_COUNT * n * sizeof *p->cursor);
}

void partition_free(partition *p)
{
    free(p->bound);
    free(p->next_bound);
    free(p->cost);
    free(p->own_time);
    free(p->own_agents);
    free(p->cursor);
    memset(p, 0, sizeof *p);
}

/* Yesterday's cost per agent in each range, from the passes' own-range times; a range
 * without a measure in some pass (empty, or all stolen) keeps its older cost. */
static void measure_costs(partition *p)
{
    for (int r = 0; r < p->n; r++) {
        double cost = 0;
        bool known = true;
        for (int pass = 0; pass < PASS_COUNT; pass++) {
            size_t k = (size_t)pass * (size_t)p->n + (size_t)r;
            if (p->own_agents[k] == 0)
                known = false;
            else
                cost += p->own_time[k] / (double)p->own_agents[k];
            p->own_time[k] = 0;
            p->own_agents[k] = 0;
        }
        if (known && cost > 0) p->cost[r] = cost;
    }
}

/* Where yesterday's range r began, for a store of n agents today: ranges past n are
 * empty, and the last one reaches to n. */
static size_t clamped_bound(const partition *p, int r, size_t n)
{
    if (r == p->n) return n;
    return p->bound[r] < n ? p->bound[r] : n;
}

/* The position where the agents before it cost `target`, at yesterday's cost per
 * agent in each of yesterday's ranges (the last range reaching to n: agents new
 * since yesterday cost as the store's end did). */
static double position_of_cost(const partition *p, size_t n, double target)
{
    double below = 0;
    for (int r = 0; r < p->n; r++) {
        size_t lo = clamped_bound(p, r, n), hi = clamped_bound(p, r + 1, n);
        double in_range = p->cost[r] * (double)(hi - lo);
        if (target <= below + in_range && in_range > 0)
            return (double)lo + (target - below) / p->cost[r];
        below += in_range;
    }
    return (double)n;
}

/* Bounds on multiples of 64 agents (a cache line of a 1-byte field; sim/partition.h). */
static size_t round_to_line(double x)
{
    return (size_t)(x / 64 + 0.5) * 64;
}

void partition_begin_day(partition *p, size_t n)
{
    measure_costs(p);
    bool known = true;
    double total = 0;
    for (int r = 0; r < p->n; r++) {
        if (!(p->cost[r] > 0)) known = false;
        total += p->cost[r] * (double)(clamped_bound(p, r + 1, n) - clamped_bound(p, r, n));
    }
    size_t *next = p->next_bound;
    next[0] = 0;
    next[p->n] = n;
    for (int r = 1; r < p->n; r++) {
        double even = (double)n * r / p->n;
        /* Half way from yesterday's bound to the balanced one: one day's measure is
         * noisy, and every agent that changes hands leaves its cache behind. */
        double x =
            known && total > 0
                ? 0.5 * ((double)clamped_bound(p, r, n) + position_of_cost(p, n, total * r / p->n))
                : even;
        size_t b = round_to_line(x);
        next[r] = b < next[r - 1] ? next[r - 1] : b > n ? n : b;
    }
    memcpy(p->bound, next, ((size_t)p->n + 1) * sizeof *next);
    for (int pass = 0; pass < PASS_COUNT; pass++)
        for (int r = 0; r < p->n; r++)
            p->cursor[(size_t)pass * (size_t)p->n + (size_t)r].next = p->bound[r];
}

partition_walk partition_walk_start(partition *p, int pass, int thread)
{
    return (partition_walk){.p = p,
                            .pass = pass,
                            .thread = thread,
                            .range = thread,
                            .own = true,
                            .start = clock_seconds()};
}

/* Claims the next chunk of range r in the walk's pass, if any is left. */
static bool claim(partition_walk *w, int r, size_t *lo, size_t *hi)
{
    partition *p = w->p;
    size_t end = p->bound[r + 1];
    size_t *next = &p->cursor[(size_t)w->pass * (size_t)p->n + (size_t)r].next;
    if (__atomic_load_n(next, __ATOMIC_RELAXED) >= end) return false;
    size_t at = __atomic_fetch_add(next, (size_t)PARTITION_CHUNK, __ATOMIC_RELAXED);
    if (at >= end) return false;
    *lo = at;
    *hi = at + PARTITION_CHUNK < end ? at + PARTITION_CHUNK : end;
    return true;
}

bool partition_next(partition_walk *w, size_t *lo, size_t *hi)
{
    partition *p = w->p;
    if (!w->stealing) {
        if (claim(w, w->thread, lo, hi)) {
            w->done += *hi - *lo;
            return true;
        }
        /* Own range done: its time per agent is tomorrow's estimate. Each thread
         * writes only its own entries; they are read after the region. */
        size_t k = (size_t)w->pass * (size_t)p->n + (size_t)w->thread;
        p->own_time[k] = clock_seconds() - w->start;
        p->own_agents[k] = w->done;
        w->stealing = true;
        w->own = false;
        w->range = 0;
    }
    for (; w->range < p->n; w->range++)
        if (w->range != w->thread && claim(w, w->range, lo, hi)) return true;
    return false;
}
