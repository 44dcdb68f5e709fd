/* The engine: a daily clock over the agent store, running the module table.
 *
 * One simulated day:
 *   1. switch the timeline epoch if one begins today
 *   2. day_start of every module (serial)
 *   3. agent_plan of every module, per agent (OpenMP parallel, no locks, each thread
 *      over its range of the store: sim/partition.h; in each chunk of it, the agents
 *      of one state after another), after agent_new for an agent spawned today; each
 *      thread then groups its capacity requests by resource
 *   4. capacity resolution (by random priority; one thread below 50,000 requests);
 *      meanwhile a thread done planning runs the day_ahead hooks (tomorrow's route
 *      tables), or the only thread does at the start of step 5; the resolver of a
 *      small day goes on to step 5 without waiting for them
 *   5. agent_act of every module, per agent (parallel, grouped by state as in 3); the
 *      engine then counts the chunk's agents, in store order, in
 *      population[node,state], or, in a final state, lists and tallies them as leavers
 *   6. per-thread counters are summed; day_end of every module (serial); the
 *      leavers are recorded
 *   7. the leavers are compacted away: up to 1,000 by another thread during step 6,
 *      more after it by the team */
#ifndef RUMBO_SIM_H
#define RUMBO_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/agents.h"
#include "sim/capacity.h"
#include "sim/edge_status.h"
#include "sim/events.h"
#include "sim/partition.h"
#include "sim/persist.h"
#include "sim/rng.h"
#include "sim/scenario.h"
#include "sim/series.h"

/* What happened to migrants on an edge or at a node, as other migrants hear of it:
 * the raw material of learned risk (behaviour) and of place-level outputs. */
typedef enum { INCIDENT_DETECTION, INCIDENT_CRIME, INCIDENT_INJURY, INCIDENT_COUNT } incident_kind;

/* Names of incident kinds in the output (`incident` dimension); one per kind. */
extern const char *const incident_names[INCIDENT_COUNT];

/* Arrivals are counted by whole days since entry up to this many; longer stays
 * share the last bin (`transit_days` output). */
enum { SIM_TRANSIT_DAYS = 365 };

/* Per-thread scratch: counters summed after each parallel pass. Separate
 * allocations per thread keep them on separate cache lines. */
struct worker {
    int thread;
    int64_t events[EVENT_COUNT];
    int64_t *population;   /* n_nodes x STATE_LIVE_COUNT */
    int64_t *edge_flow;    /* n_edges: agents starting along each edge today */
    int64_t *extra;        /* module counters, sim.extra_size values */
    int64_t *incidents;    /* INCIDENT_COUNT x (n_edges + n_nodes); see sim_incident */
    int64_t *group_events; /* EVENT_COUNT x GROUP_COUNT; see sim_event */
    cap_requests requests;
    index_list leavers;        /* today's leavers in this thread's own range, ascending */
    index_list stolen_leavers; /* and in chunks it took from other ranges, ascending */
    int64_t *left;             /* their tally (outcomes_tally_leaver) */
    double plan_end;           /* when its plan pass ended today (timing only) */
    char pad[64];
};

/* Wall-clock seconds spent in each phase of the day, summed over days (`rumbo bench`).
 * Two clock_gettime calls per phase per day: negligible, and results never read it. */
/* The per-agent hooks of one pass, flattened for the agent loop: function, module
 * state and the agent states it handles (module.h); next[st][k] is the first hook
 * from k on that handles state st (n: none), so an agent visits only its own. */
enum { MAX_AGENT_HOOKS = 16 };
typedef struct agent_hooks {
    int n;
    void (*fn[MAX_AGENT_HOOKS])(sim *s, void *state, size_t i, worker *w);
    void *state[MAX_AGENT_HOOKS];
    uint32_t states[MAX_AGENT_HOOKS];
    uint8_t next[STATE_COUNT][MAX_AGENT_HOOKS + 1];
} agent_hooks;

typedef struct sim_timing {
    double day_start[16], day_end[16]; /* per module, by index in model_table */
    /* The parallel agent passes and the resolution between. `plan` runs from the end of
     * the day_start hooks to the last thread's end of planning, its requests grouped;
     * `capacity` from there to the first thread's leaving the resolution. */
    double plan, capacity, act;
    double ahead; /* the day_ahead hooks (one thread's time, beside the others') */
    double clear, fold, outcomes, compact; /* engine bookkeeping */
    /* Removing a small day's leavers beside fold and day_end (one thread's time; what
     * the others wait for it at the day's end is in `compact`). */
    double compact_beside;
    double seal; /* output: compressing past blocks of days */
} sim_timing;

struct sim {
    const scenario *sc;
    const network *net;
    rng_key key;
    int day;   /* 0-based simulation day */
    int epoch; /* timeline epoch in force */
    bool epoch_changed;
    agents ag;
    index_list leavers;         /* agents in final states at the end of the day (sim_step) */
    index_list leavers_scratch; /* agents_merge_leavers' working space */
    index_list **leaver_lists;  /* 2 x n_threads: each worker's leavers, stolen_leavers */
    uint32_t next_id;
    int n_threads;
    partition part; /* which thread passes over which agents (sim/partition.h) */
    worker *workers;
    cap_requests **request_lists; /* n_threads: &workers[t].requests */
    size_t extra_size;
    capacity_table caps;
    series_set out;
    series *s_population, *s_edge_flow, *s_events;
    series *s_events_by_group;
    /* Engine-level outputs for analysis (sim_outputs.c): who left the system, how
     * and where, transit times of arrivals, and incidents by place. */
    series *s_left, *s_left_at, *s_transit, *s_incidents_node, *s_incidents_edge;
    void *state[16]; /* module states, by index in model_table */
    /* Modules with encounter hooks, in table order (the hot loop calls only these). */
    int enter_hooks[16], n_enter_hooks, reach_hooks[16], n_reach_hooks;
    int new_hooks[16], n_new_hooks;     /* agent_new */
    int ahead_hooks[16], n_ahead_hooks; /* day_ahead */
    bool ahead_claimed;                 /* today's day_ahead hooks have a thread */
    bool no_day_ahead;     /* tests: the day_ahead hooks never run, each day_start works alone */
    agent_hooks plan, act; /* modules' agent_plan and agent_act, in table order */
    /* Yesterday's incidents, INCIDENT_COUNT x (n_edges + n_nodes), indexed by
     * sim_place_edge / sim_place_node; refreshed at the end of each day. */
    int64_t *incidents;
    /* Open/closed, speed and hazard factor of every edge today (sim/edge_status.h). */
    edge_status edge_status;
    /* Totals for summaries and conservation checks. */
    int64_t total_events[EVENT_COUNT];
    int64_t left_system; /* agents removed from the store so far */
    int64_t agent_days;  /* agents processed, summed over days (for speed figures) */
    sim_timing timing;
    /* Checkpoints (sim/persist.h, sim/checkpoint.h): the registered state, and whether
     * the state was just restored. `epoch_changed` is also true on the first day after
     * a restart, so tables derived from parameters are rebuilt: use it for that only. */
    persist_table persist;
    bool restored;
};

typedef struct sim_progress {
    void (*fn)(void *ctx, const sim *s);
    void *ctx;
} sim_progress;

int sim_init(sim *s, const scenario *sc, uint32_t member, int n_threads, diag *d);
void sim_run(sim *s, const sim_progress *progress);
void sim_step(sim *s);
void sim_free(sim *s);

/* After the last day: gives the agent arrays back, so that writing the outputs (HDF5
 * buffers, compression) does not add to the run's peak memory; the peak is the larger
 * of the two, not their sum. s->ag.n still says how many agents were live; nothing
 * may step the simulation afterwards. */
void sim_release_agents(sim *s);

/* The current parameters of a module (by its index in model_table). */
static inline const void *sim_params(const sim *s, int module_index)
{
    return scenario_params(s->sc, s->epoch, module_index);
}

/* Module-owned counters in each worker: reserve `count` int64 slots and get the
 * offset; sum them with sim_extra_total after a parallel pass (inline: day_end hooks
 * sum thousands of them, one thread alone while the others wait). */
size_t sim_reserve_extra(sim *s, size_t count);
static inline int64_t sim_extra_total(const sim *s, size_t offset)
{
    int64_t sum = 0;
    for (int t = 0; t < s->n_threads; t++)
        sum += s->workers[t].extra[offset];
    return sum;
}

/* Asks for one unit of a capacity-limited resource today for agent i; the grant
 * shows up as bit `slot` of ag.grants[i] during agent_act. */
void sim_request(sim *s, worker *w, size_t i, uint32_t resource, int slot);

/* Places for incidents: edges first, then nodes. */
static inline size_t sim_place_edge(const sim *s, int e)
{
    (void)s;
    return (size_t)e;
}
static inline size_t sim_place_node(const sim *s, int v)
{
    return (size_t)s->net->n_edges + (size_t)v;
}
static inline size_t sim_n_places(const sim *s)
{
    return (size_t)s->net->n_edges + (size_t)s->net->n_nodes;
}

/* Records an incident at a place (from a per-agent hook; thread-local, integer). */
static inline void sim_incident(const sim *s, worker *w, incident_kind k, size_t place)
{
    w->incidents[(size_t)k * sim_n_places(s) + place]++;
}

/* Counts one event of agent i, in `events` and `events_by_group` (per-agent hooks;
 * thread-local, integer). Prefer it to w->events[k]++ so groups add up. */
static inline void sim_event(const sim *s, worker *w, size_t i, event_kind k)
{
    w->events[k]++;
    w->group_events[(size_t)k * GROUP_COUNT + (size_t)agents_group(&s->ag, i)]++;
}

/* Calls every module's agent_enter_edge / agent_reach_node hook for agent i. */
void sim_enter_edge(sim *s, size_t i, int e, worker *w);
void sim_reach_node(sim *s, size_t i, int v, worker *w);

/* Calendar date of a simulation day. */
void sim_date(const sim *s, int day, int *y, int *m, int *d);

#endif
