#include "sim/sim.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/clock.h"
#include "sim/outcomes.h"

static void register_outputs(sim *s)
{
    const network *net = s->net;
    const char **labels =
        malloc(((size_t)net->n_nodes + (size_t)net->n_edges + 1) * sizeof(char *));
    if (!labels) abort();
    for (int v = 0; v < net->n_nodes; v++)
        labels[v] = net->nodes[v].id;
    series_add_dim(&s->out, "node", "", "places on the network (ids; names in node_name)",
                   (size_t)net->n_nodes, labels);
    for (int e = 0; e < net->n_edges; e++)
        labels[e] = net->edges[e].id;
    series_add_dim(&s->out, "edge", "", "directed edges, one per mode (from-to-mode)",
                   (size_t)net->n_edges, labels);
    series_add_dim(&s->out, "state", "", "live states of an agent", STATE_LIVE_COUNT, state_names);
    series_add_dim(&s->out, "event", "", "kinds of events", EVENT_COUNT, event_names);
    series_add_dim(&s->out, "group", "", "nationality x sex x age band", GROUP_COUNT, group_names);
    free(labels);

    s->s_population = series_add(&s->out, "population", SERIES_INT64, "people",
                                 "people at each node by state at the end of each day "
                                 "(people on an edge count at its origin node)",
                                 (const char *const[]){"node", "state", NULL});
    s->s_edge_flow = series_add(&s->out, "edge_flow", SERIES_INT64, "people per day",
                                "people setting out along each edge each day",
                                (const char *const[]){"edge", NULL});
    s->s_events = series_add(&s->out, "events", SERIES_INT64, "events per day",
                             "events of each kind each day", (const char *const[]){"event", NULL});
    s->s_events_by_group =
        series_add(&s->out, "events_by_group", SERIES_INT64, "events per day",
                   "events of each kind each day by nationality, sex and age band",
                   (const char *const[]){"event", "group", NULL});
}

/* Today's and tomorrow's edge status; the two buffers swap every day, so they are
 * registered through their pointers. */
static void persist_edge_day(sim *s, const char *which, edge_day *d)
{
    size_t n = (size_t)s->net->n_edges;
    char name[64];
    snprintf(name, sizeof name, "engine.edge_%s.open", which);
    sim_persist_ptr(s, name, (void **)&d->open, sizeof *d->open, n);
    snprintf(name, sizeof name, "engine.edge_%s.speed", which);
    sim_persist_ptr(s, name, (void **)&d->speed, sizeof *d->speed, n);
    snprintf(name, sizeof name, "engine.edge_%s.hazard", which);
    sim_persist_ptr(s, name, (void **)&d->hazard, sizeof *d->hazard, n);
    snprintf(name, sizeof name, "engine.edge_%s.wait_until", which);
    sim_persist_ptr(s, name, (void **)&d->wait_until, sizeof *d->wait_until, n);
    snprintf(name, sizeof name, "engine.edge_%s.n_closed", which);
    sim_persist(s, name, &d->n_closed, sizeof d->n_closed, 1);
}

/* The engine's own state carried from day to day (agents and outputs aside). Capacity
 * arrays are registered last: modules grow them during init. */
static void persist_engine(sim *s)
{
    persist_edge_day(s, "today", &s->edge_status.today);
    persist_edge_day(s, "next", &s->edge_status.next);
    sim_persist(s, "engine.edge_status.staged", &s->edge_status.staged,
                sizeof s->edge_status.staged, 1);
    sim_persist(s, "engine.edge_status.changed", &s->edge_status.changed,
                sizeof s->edge_status.changed, 1);
    sim_persist(s, "engine.next_id", &s->next_id, sizeof s->next_id, 1);
    sim_persist(s, "engine.epoch", &s->epoch, sizeof s->epoch, 1);
    sim_persist(s, "engine.total_events", s->total_events, sizeof(int64_t), EVENT_COUNT);
    sim_persist(s, "engine.left_system", &s->left_system, sizeof s->left_system, 1);
    sim_persist(s, "engine.agent_days", &s->agent_days, sizeof s->agent_days, 1);
    sim_persist(s, "engine.incidents", s->incidents, sizeof(int64_t),
                INCIDENT_COUNT * sim_n_places(s));
    sim_persist(s, "engine.capacity", s->caps.capacity, sizeof(int64_t), s->caps.n);
    sim_persist(s, "engine.granted", s->caps.granted, sizeof(int64_t), s->caps.n);
    sim_persist(s, "engine.requested", s->caps.requested, sizeof(int64_t), s->caps.n);
}

/* A thread's counters, zeroed, on cache lines of their own: counters of two threads
 * on one line would make every increment a transfer of the line between cores. */
static int64_t *counters(size_t n)
{
    size_t bytes = (n * sizeof(int64_t) + 63) / 64 * 64;
    int64_t *c = aligned_alloc(64, bytes);
    if (!c) abort();
    memset(c, 0, bytes);
    return c;
}

static void add_hook(agent_hooks *h, void (*fn)(sim *, void *, size_t, worker *), void *state,
                     uint32_t states)
{
    if (h->n == MAX_AGENT_HOOKS) abort(); /* models.c has a handful */
    h->fn[h->n] = fn;
    h->state[h->n] = state;
    h->states[h->n++] = states ? states : ~0u;
    for (int st = 0; st < STATE_COUNT; st++) {
        h->next[st][h->n] = (uint8_t)h->n;
        for (int k = h->n - 1; k >= 0; k--)
            h->next[st][k] = h->states[k] & STATE_BIT(st) ? (uint8_t)k : h->next[st][k + 1];
    }
}

int sim_init(sim *s, const scenario *sc, uint32_t member, int n_threads, diag *d)
{
    memset(s, 0, sizeof *s);
    s->sc = sc;
    s->net = &sc->net;
    s->key = (rng_key){sc->seed, member};
    s->n_threads = n_threads > 0 ? n_threads : 1;
    s->epoch = scenario_epoch_of_day(sc, 0);
    s->epoch_changed = true;
    agents_init(&s->ag);
    edge_status_init(&s->edge_status, s->net->n_edges);
    series_init(&s->out, (size_t)sc->days);
    register_outputs(s);
    outcomes_register(s);
    for (int m = 0; m < model_count; m++) {
        if (model_table[m]->init && model_table[m]->init(s, &s->state[m], d)) return -1;
        if (model_table[m]->agent_enter_edge) s->enter_hooks[s->n_enter_hooks++] = m;
        if (model_table[m]->agent_reach_node) s->reach_hooks[s->n_reach_hooks++] = m;
        if (model_table[m]->agent_new) s->new_hooks[s->n_new_hooks++] = m;
        if (model_table[m]->day_ahead) s->ahead_hooks[s->n_ahead_hooks++] = m;
        const module *md = model_table[m];
        if (md->agent_plan) add_hook(&s->plan, md->agent_plan, s->state[m], md->plan_states);
        if (md->agent_act) add_hook(&s->act, md->agent_act, s->state[m], md->act_states);
    }
    s->workers = calloc((size_t)s->n_threads, sizeof(worker));
    s->request_lists = calloc((size_t)s->n_threads, sizeof *s->request_lists);
    s->leaver_lists = calloc(2 * (size_t)s->n_threads, sizeof *s->leaver_lists);
    partition_init(&s->part, s->n_threads);
    if (!s->workers || !s->request_lists || !s->leaver_lists) abort();
    for (int t = 0; t < s->n_threads; t++) {
        worker *w = &s->workers[t];
        w->thread = t;
        s->request_lists[t] = &w->requests;
        s->leaver_lists[2 * t] = &w->leavers;
        s->leaver_lists[2 * t + 1] = &w->stolen_leavers;
        w->population = counters((size_t)s->net->n_nodes * STATE_LIVE_COUNT);
        w->edge_flow = counters((size_t)s->net->n_edges + 1);
        w->extra = counters(s->extra_size + 1);
        w->incidents = counters(INCIDENT_COUNT * sim_n_places(s));
        w->group_events = counters((size_t)EVENT_COUNT * GROUP_COUNT);
        w->left = counters(outcomes_tally_size(s));
    }
    s->incidents = calloc(INCIDENT_COUNT * sim_n_places(s), sizeof(int64_t));
    if (!s->incidents) abort();
    persist_engine(s);
    return 0;
}

void sim_enter_edge(sim *s, size_t i, int e, worker *w)
{
    for (int k = 0; k < s->n_enter_hooks; k++) {
        int m = s->enter_hooks[k];
        model_table[m]->agent_enter_edge(s, s->state[m], i, e, w);
    }
}

void sim_reach_node(sim *s, size_t i, int v, worker *w)
{
    for (int k = 0; k < s->n_reach_hooks; k++) {
        int m = s->reach_hooks[k];
        model_table[m]->agent_reach_node(s, s->state[m], i, v, w);
    }
}

size_t sim_reserve_extra(sim *s, size_t count)
{
    size_t at = s->extra_size;
    s->extra_size += count;
    return at;
}

void sim_request(sim *s, worker *w, size_t i, uint32_t resource, int slot)
{
    uint32_t bits[4];
    rng_bits4(s->key, s->ag.id[i], (uint32_t)s->day, RNG_PRIORITY, (uint32_t)slot, bits);
    cap_requests_push(&w->requests,
                      (cap_request){.resource = resource & (CAPACITY_MAX_RESOURCES - 1),
                                    .slot = (uint32_t)slot,
                                    .priority = bits[0],
                                    .index = (uint32_t)i});
}

void sim_date(const sim *s, int day, int *y, int *m, int *d)
{
    date_from_days(s->sc->start + day, y, m, d);
}

static void clear_workers(sim *s)
{
    size_t pop = (size_t)s->net->n_nodes * STATE_LIVE_COUNT;
    for (int t = 0; t < s->n_threads; t++) {
        worker *w = &s->workers[t];
        memset(w->events, 0, sizeof w->events);
        memset(w->population, 0, pop * sizeof(int64_t));
        memset(w->edge_flow, 0, (size_t)s->net->n_edges * sizeof(int64_t));
        memset(w->extra, 0, s->extra_size * sizeof(int64_t));
        memset(w->incidents, 0, INCIDENT_COUNT * sim_n_places(s) * sizeof(int64_t));
        memset(w->group_events, 0, (size_t)EVENT_COUNT * GROUP_COUNT * sizeof(int64_t));
        memset(w->left, 0, outcomes_tally_size(s) * sizeof(int64_t));
        w->requests.n = 0; /* yesterday's, resolved */
        w->leavers.n = 0;
        w->stolen_leavers.n = 0;
        w->plan_end = 0; /* a thread missing from the team leaves it so */
    }
}

/* Integer sums: the order of addition cannot change the result. */
static void fold_workers(sim *s)
{
    int64_t *pop = series_i64(s->s_population, (size_t)s->day);
    int64_t *flow = series_i64(s->s_edge_flow, (size_t)s->day);
    int64_t *ev = series_i64(s->s_events, (size_t)s->day);
    size_t npop = (size_t)s->net->n_nodes * STATE_LIVE_COUNT;
    for (int t = 0; t < s->n_threads; t++) {
        const worker *w = &s->workers[t];
        for (size_t k = 0; k < npop; k++)
            pop[k] += w->population[k];
        for (int e = 0; e < s->net->n_edges; e++)
            flow[e] += w->edge_flow[e];
        for (int k = 0; k < EVENT_COUNT; k++)
            ev[k] += w->events[k];
    }
    int64_t *gev = series_i64(s->s_events_by_group, (size_t)s->day);
    for (int t = 0; t < s->n_threads; t++) {
        const worker *w = &s->workers[t];
        for (size_t k = 0; k < (size_t)EVENT_COUNT * GROUP_COUNT; k++)
            gev[k] += w->group_events[k];
    }
    for (int k = 0; k < EVENT_COUNT; k++)
        s->total_events[k] += ev[k];
    size_t ninc = INCIDENT_COUNT * sim_n_places(s);
    memset(s->incidents, 0, ninc * sizeof(int64_t));
    for (int t = 0; t < s->n_threads; t++)
        for (size_t k = 0; k < ninc; k++)
            s->incidents[k] += s->workers[t].incidents[k];
}

/* Adds the time since *t0 to *acc and restarts the clock. */
static void lap(double *acc, double *t0)
{
    double t = clock_seconds();
    *acc += t - *t0;
    *t0 = t;
}

/* An agent in a final state after the act hooks: it leaves tonight. Counted here,
 * where its fields are in this thread's cache, rather than in a pass of its own.
 * Listed apart if it is in a chunk taken from another range: each list ascends. */
static void count_leaver(const sim *s, worker *w, size_t i, bool own)
{
    index_list_push(own ? &w->leavers : &w->stolen_leavers, i);
    outcomes_tally_leaver(s, i, w->left);
}

/* Agents in the threads' leaver lists today. */
static size_t leavers_listed(const sim *s)
{
    size_t n = 0;
    for (int k = 0; k < 2 * s->n_threads; k++)
        n += s->leaver_lists[k]->n;
    return n;
}

/* The day's leavers, out of the store: listed in order, and their slots filled. */
static void remove_leavers(sim *s)
{
    agents_merge_leavers(s->leaver_lists, 2 * s->n_threads, &s->leavers, &s->leavers_scratch);
    s->left_system += (int64_t)agents_remove(&s->ag, &s->leavers, s->n_threads);
}

/* The day's counts folded, the day_end hooks, and what left recorded; timed from
 * t0. Returns when it ended. */
static double end_day(sim *s, double t0)
{
    sim_timing *tm = &s->timing;
    fold_workers(s);
    lap(&tm->fold, &t0);
    for (int m = 0; m < model_count; m++)
        if (model_table[m]->day_end) {
            model_table[m]->day_end(s, s->state[m]);
            lap(&tm->day_end[m], &t0);
        }
    outcomes_record(s);
    lap(&tm->outcomes, &t0);
    return t0;
}

/* Tomorrow's preparations (the day_ahead hooks), by the first thread to call this
 * today: one that waits for the capacity resolution, or the only one. */
static void run_ahead(void *ctx)
{
    sim *s = ctx;
    if (s->n_ahead_hooks == 0 || s->no_day_ahead ||
        __atomic_exchange_n(&s->ahead_claimed, true, __ATOMIC_ACQ_REL))
        return;
    double t0 = clock_seconds();
    for (int k = 0; k < s->n_ahead_hooks; k++) {
        int m = s->ahead_hooks[k];
        model_table[m]->day_ahead(s, s->state[m]);
    }
    s->timing.ahead += clock_seconds() - t0; /* one thread a day; read after the join */
}

/* Runs the hooks of `h` for every agent of a chunk [lo, hi) of the store, the agents
 * of one state after another (agents_order_by_state), not in store order. The hooks
 * are called through one indirect call and branch on the agent's state and what goes
 * with it: met in a row, the agents of one state let the processor predict those
 * branches, where in store order the states alternate at random. A 1e4-agent day took
 * 14% less time on one thread and 6-10% less on two; a 1e6 day 8-11% less. The order
 * changes no result: each agent's hooks touch only that agent (sim/module.h). An
 * agent's first hook sees the state it was grouped by; a hook may change it, and the
 * agent's next hooks are those of the new state. */
static void visit_by_state(sim *s, const agent_hooks *h, size_t lo, size_t hi, worker *w)
{
    _Static_assert((long)PARTITION_CHUNK <= (long)AGENTS_ORDER_MAX, "a chunk is ordered at once");
    uint16_t order[PARTITION_CHUNK];
    unsigned start[STATE_COUNT + 1];
    const uint8_t *state = s->ag.state;
    agents_order_by_state(&s->ag, lo, hi - lo, order, start);
    for (int st = 0; st < STATE_COUNT; st++) {
        if (h->next[st][0] >= h->n) continue; /* no hook for this state */
        for (unsigned q = start[st]; q < start[st + 1]; q++) {
            size_t i = lo + order[q];
            for (int k = h->next[state[i]][0]; k < h->n; k = h->next[state[i]][k + 1])
                h->fn[k](s, h->state[k], i, w);
        }
    }
}

void sim_step(sim *s)
{
    if (s->ag.n > 0 && !s->ag.state) abort(); /* after sim_release_agents */
    sim_timing *tm = &s->timing;
    double t0 = clock_seconds();
    int epoch = scenario_epoch_of_day(s->sc, s->day);
    s->epoch_changed = s->day == 0 || epoch != s->epoch || s->restored;
    s->restored = false;
    s->epoch = epoch;
    clear_workers(s);
    edge_status_advance(&s->edge_status);
    lap(&tm->clear, &t0);
    size_t first_new = s->ag.n; /* agents from here on are spawned today */
    for (int m = 0; m < model_count; m++)
        if (model_table[m]->day_start) {
            model_table[m]->day_start(s, s->state[m]);
            lap(&tm->day_start[m], &t0);
        }

    agents *ag = &s->ag;
    size_t n = ag->n;
    partition_begin_day(&s->part, n);
    capacity_prepare(&s->caps, s->n_threads);
    /* One parallel region for plan, resolution and act: a fork/join less per day. Each
     * thread passes over much the same range in both passes, for its cache; nothing
     * relies on it (sim/partition.h, sim/module.h). */
    double t_cap = 0, t_act = 0, t_ended = 0;
    bool ended_beside = false; /* the day's end ran inside the region, beside the removal */
    bool few_yesterday = s->leavers.n <= AGENTS_REMOVE_PARALLEL_MIN;
    s->ahead_claimed = false;
#pragma omp parallel num_threads(s->n_threads)
    {
        int thread = omp_get_thread_num();
        worker *w = &s->workers[thread];
        /* Private copies: the hooks cannot change them, so the loop keeps them close. */
        const agent_hooks plan = s->plan, act = s->act;
        uint8_t *state = ag->state, *grants = ag->grants;
        const uint16_t *at_node = ag->node;
        int64_t *population = w->population;
        size_t lo, hi;
        partition_walk walk = partition_walk_start(&s->part, PASS_PLAN, thread);
        while (partition_next(&walk, &lo, &hi)) {
            /* The chunk's newcomers first (at the store's end): each agent's hooks
             * touch only that agent, so only its own order matters. */
            for (size_t i = lo > first_new ? lo : first_new; i < hi; i++)
                for (int k = 0; k < s->n_new_hooks; k++) {
                    int m = s->new_hooks[k];
                    model_table[m]->agent_new(s, s->state[m], i, w);
                }
            memset(grants + lo, 0, hi - lo);
            visit_by_state(s, &plan, lo, hi, w);
        }
        /* Each thread groups its own requests, every list once whatever the team. */
        for (int k = thread; k < s->n_threads; k += omp_get_num_threads())
            capacity_group(&s->caps, s->request_lists[k], k);
        w->plan_end = clock_seconds();
        /* A thread done planning before the others prepares tomorrow meanwhile. */
        capacity_resolve(&s->caps, s->request_lists, s->n_threads, ag->id, grants, run_ahead, s);
#pragma omp single nowait
        t_cap = clock_seconds();
        run_ahead(s); /* a team of one (nobody waited), or a waiter had not yet claimed them */
        walk = partition_walk_start(&s->part, PASS_ACT, thread);
        while (partition_next(&walk, &lo, &hi)) {
            visit_by_state(s, &act, lo, hi, w);
            /* In store order: each thread's leavers are listed ascending. */
            for (size_t i = lo; i < hi; i++)
                if (state[i] < STATE_LIVE_COUNT)
                    population[(size_t)at_node[i] * STATE_LIVE_COUNT + state[i]]++;
                else
                    count_leaver(s, w, i, walk.own);
        }
        /* A few leavers (a small day's) are removed by the last range's thread, where
         * most of the agents that take their slots are, while the first folds the
         * day and runs the day_end hooks, which touch no agent (sim/module.h). Many
         * are removed after the region, by the team (agents_remove); then, if there
         * were many yesterday too, the threads do not wait for each other here. */
        if (omp_get_num_threads() > 1 && few_yesterday) {
#pragma omp barrier
            if (leavers_listed(s) <= AGENTS_REMOVE_PARALLEL_MIN) {
                if (thread == omp_get_num_threads() - 1) {
                    double t = clock_seconds();
                    remove_leavers(s);
                    tm->compact_beside += clock_seconds() - t;
                } else if (thread == 0) {
                    t_act = clock_seconds();
                    t_ended = end_day(s, t_act);
                    ended_beside = true;
                }
            }
        }
    }
    /* Planning ends with the last thread's (the resolution waits for it). */
    double t_plan = t0;
    for (int t = 0; t < s->n_threads; t++)
        if (s->workers[t].plan_end > t_plan) t_plan = s->workers[t].plan_end;
    if (n > 0) {
        tm->plan += t_plan - t0;
        tm->capacity += t_cap - t_plan;
        t0 = t_cap;
    }
    s->agent_days += (int64_t)n;
    if (ended_beside) {
        tm->act += t_act - t0;
        t0 = t_ended;
        lap(&tm->compact, &t0); /* waiting for the removal to end */
    } else {
        lap(&tm->act, &t0);
        t0 = end_day(s, t0);
        remove_leavers(s);
        lap(&tm->compact, &t0);
    }
    s->day++;
    series_seal(&s->out, (size_t)s->day, s->n_threads);
    lap(&tm->seal, &t0);
}

void sim_run(sim *s, const sim_progress *progress)
{
    while (s->day < s->sc->days) {
        sim_step(s);
        if (progress && progress->fn) progress->fn(progress->ctx, s);
    }
}

void sim_release_agents(sim *s)
{
    size_t live = s->ag.n;
    agents_free(&s->ag);
    s->ag.n = live;
}

void sim_free(sim *s)
{
    for (int m = 0; m < model_count; m++)
        if (model_table[m]->free_state && s->state[m]) model_table[m]->free_state(s->state[m]);
    for (int t = 0; s->workers && t < s->n_threads; t++) {
        free(s->workers[t].population);
        free(s->workers[t].edge_flow);
        free(s->workers[t].extra);
        free(s->workers[t].incidents);
        free(s->workers[t].group_events);
        free(s->workers[t].requests.v);
        free(s->workers[t].leavers.v);
        free(s->workers[t].stolen_leavers.v);
        free(s->workers[t].left);
    }
    free(s->workers);
    free(s->request_lists);
    free(s->leaver_lists);
    partition_free(&s->part);
    free(s->leavers_scratch.v);
    free(s->incidents);
    persist_free(&s->persist);
    agents_free(&s->ag);
    free(s->leavers.v);
    edge_status_free(&s->edge_status);
    capacity_free(&s->caps);
    series_free(&s->out);
    memset(s, 0, sizeof *s);
}
