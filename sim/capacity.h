/* Capacity-limited resources (train seats, shelter beds, jobs, detention places,
 * deportation buses), resolved without regard to thread timing.
 *
 * During agent_plan an agent asks for a resource; the request carries a random
 * priority drawn from the agent's own stream. After the parallel pass all requests
 * are sorted by (resource, priority, agent id) — a total order — and the first
 * `capacity` of each resource are granted. The outcome is therefore a function of
 * the seed alone, as DESIGN.md requires, and fair: every requester has the same
 * chance whatever its position in memory. */
#ifndef RUMBO_CAPACITY_H
#define RUMBO_CAPACITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 12 bytes: on a day of the default model over half the agents ask for something
 * (a seat, a job, a place). The requests stay in the threads' lists, grouped there by
 * resource (no copy): at a million agents a copy was 7 MB, a tenth of the run's
 * memory. Ties of priority are broken by the agent's id, looked up through `index`. */
typedef struct cap_request {
    uint32_t resource : 24; /* CAPACITY_MAX_RESOURCES */
    uint32_t slot : 8;      /* which bit of agents.grants to set */
    uint32_t priority;
    uint32_t index; /* agent's index in the store for today */
} cap_request;
enum { CAPACITY_MAX_RESOURCES = 1 << 24 };

typedef struct cap_requests {
    cap_request *v;
    size_t n, cap;
} cap_requests;

typedef struct capacity_table {
    int64_t *capacity; /* per resource, set each day by the owning module */
    int64_t *granted;  /* per resource, filled by capacity_resolve */
    int64_t *requested;
    uint32_t n;
    /* Kept from day to day (not state), lists x (n + 1): where each list's requests for
     * a resource begin, as capacity_group leaves them for capacity_resolve (the last
     * entry: the list's length), and the next free place while grouping. */
    size_t *offsets, *fill;
    /* resources x lists: where each list's requests for a resource begin, once
     * grouped, and the running total of their counts (a resource's requests seen as
     * one array, however many threads asked). */
    cap_request **seg_start;
    size_t *seg_end;
    size_t offsets_cap;
    int arrived;    /* threads in capacity_resolve so far this round */
    unsigned round; /* resolutions done: a waiting thread watches it change */
    bool shared;    /* this round's requests are many: the team shares the resolution */
} capacity_table;

/* Reserves `count` consecutive resources and returns the first id. */
uint32_t capacity_register(capacity_table *t, uint32_t count);
void capacity_free(capacity_table *t);

void cap_requests_push(cap_requests *q, cap_request r);

/* Scratch for n_lists request lists, kept from day to day. Call it serially before
 * the lists are grouped (it allocates only the first time, or for more lists). */
void capacity_prepare(capacity_table *t, int n_lists);

/* Groups list k by resource, in place. Each list's owner groups it once its requests
 * are all made, while its entries are in that thread's cache and in parallel with the
 * other lists' owners; any thread may group any list, each list once. */
void capacity_group(capacity_table *t, cap_requests *list, int k);

/* Grants, for each resource, the first `capacity` of the union of the request lists
 * in (priority, agent id, slot) order, setting grant bits. The lists keep their
 * requests: the caller empties them (n = 0) before the next round. ids[index] is the
 * id of the agent at `index` (agents.id).
 * Call it from every thread of a parallel region (or outside one), each thread once
 * the lists it groups are grouped (capacity_group) and it will write no list again;
 * no barrier is needed before it: it waits for the last thread, and returns on every
 * thread once every grant is set. A thread that is not the last to arrive calls
 * idle(idle_ctx) first, if idle is not NULL: work of its own for the time it would
 * wait (the last one resolves a small day alone meanwhile, and returns as soon as it
 * has: it does not wait for idle work to end). */
void capacity_resolve(capacity_table *t, cap_requests *const *lists, int n_lists,
                      const uint32_t *ids, uint8_t *grants, void (*idle)(void *), void *idle_ctx);

#endif
