/* Which thread passes over which agents in the day's agent passes (plan, act).
 *
 * Each thread owns a contiguous range of the agent store for the whole day, and much
 * the same range day after day. At small populations the store fits in a core's own
 * cache (a 10,000-agent store is under half a megabyte), and an agent's fields then
 * stay in the cache of the core that works on them, from the plan pass to the act
 * pass and from one day to the next. Chunks handed out in turn (OpenMP's dynamic
 * schedule, the first way) sent about half of them to the other core every pass.
 *
 * The ranges are drawn each day so that each should take the same time, from the
 * cost per agent measured the day before in each range: cost varies along the store
 * (the newest agents, at its end, are on the move; older ones are mostly held or at
 * work). What the estimate misses (a slow core, a busy host, a day unlike the one
 * before) is taken up by stealing: a thread done with its own range takes chunks from
 * the others', in range order.
 *
 * Which thread processes an agent never changes a result (sim/module.h), so none of
 * this is simulation state: a restored run starts again from equal ranges. */
#ifndef RUMBO_PARTITION_H
#define RUMBO_PARTITION_H

#include <stdbool.h>
#include <stddef.h>

/* The passes over the agents each day, each with its own claims. */
enum { PASS_PLAN, PASS_ACT, PASS_COUNT };

/* Where the next unclaimed chunk of one range begins, in one pass; a cache line of
 * its own, since its owner claims from it all the pass. */
typedef struct partition_cursor {
    _Alignas(64) size_t next;
} partition_cursor;

typedef struct partition {
    int n;                    /* ranges: one per thread */
    size_t *bound;            /* n + 1: range r is [bound[r], bound[r + 1]) today */
    size_t *next_bound;       /* n + 1: scratch, while the day's bounds are drawn */
    double *cost;             /* n: seconds per agent per day in each range (0: not known) */
    double *own_time;         /* PASS_COUNT x n: time each thread spent on its own range */
    size_t *own_agents;       /* PASS_COUNT x n: how many of its own range's agents it did */
    partition_cursor *cursor; /* PASS_COUNT x n */
} partition;

/* A thread's walk through one pass: its own range, then the others'. */
typedef struct partition_walk {
    partition *p;
    int pass, thread;
    int range;     /* the range claimed from now: own first, then 0, 1, ... */
    bool own;      /* the chunk last claimed is from the thread's own range */
    bool stealing; /* the own range is done */
    size_t done;   /* agents of the own range done by this thread */
    double start;  /* when the walk began (monotonic clock, seconds) */
} partition_walk;

/* Agents claimed at a time: a few microseconds of work, so that the last claims of a
 * pass leave the threads finishing within that much of each other. A multiple of 64,
 * as the bounds are: a bound then shares at most one cache line of each field
 * between two threads (the fields' arrays are not themselves line-aligned). */
enum { PARTITION_CHUNK = 256 };

void partition_init(partition *p, int n_threads);
void partition_free(partition *p);

/* Serially, before the passes of a day over n agents: the ranges, balanced by
 * yesterday's costs, and every pass's claims reset. */
void partition_begin_day(partition *p, size_t n);

/* Starts thread `thread`'s walk through pass `pass` (inside the parallel region;
 * threads missing from the team are covered: their ranges are stolen). */
partition_walk partition_walk_start(partition *p, int pass, int thread);

/* The walk's next chunk [*lo, *hi), false when every range of the pass is done.
 * w->own says whether it is from the thread's own range: then the chunks come in
 * ascending order, and so do the stolen ones after them. */
bool partition_next(partition_walk *w, size_t *lo, size_t *hi);

#endif
