/* Route choice from learned risk: see behaviour.h for the rule. */
#include "models/behaviour.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/labour.h"
#include "models/movement.h"
#include "models/params.h"
#include "sim/sim.h"

const char *const aversion_names[AVERSION_COUNT] = {"adult_alone", "family", "unaccompanied_minor"};
static const char *const info_names[INFO_COUNT] = {"hearsay", "current"};
static const char *const risk_names[RISK_COUNT] = {"detection", "crime"};
static const incident_kind risk_incident[RISK_COUNT] = {INCIDENT_DETECTION, INCIDENT_CRIME};

/* Days of delay the word-of-mouth memory can hold. */
enum { HISTORY = 366 };

typedef struct group_weights {
    double time;             /* per day of travel or waiting */
    double money_per_1000;   /* days per 1,000 pesos of fares */
    double injury;           /* days per expected fall */
    double risk[RISK_COUNT]; /* days per unit of perceived probability */
} group_weights;

typedef struct behaviour_params {
    bool on;
    double choice_scale; /* logit scale, per day of generalised cost */
    group_weights groups[AVERSION_COUNT];
    double half_life_days;
    double prior_exposures;
    int delay[INFO_COUNT];
} behaviour_params;

typedef struct heap_item {
    double c;
    int v;
} heap_item;

/* An edge's parts of the generalised cost that depend on the parameters alone. */
typedef struct edge_base {
    double travel, wait, falls; /* days at full speed, days waiting, expected falls */
    int32_t fare;
} edge_base;

typedef struct behaviour_state {
    route_tables rt;
    /* Tomorrow's tables, built today beside the agent passes (behaviour_day_ahead)
     * from the view tomorrow will have, when what migrants hear is two days old or
     * more, with tomorrow's edge status: used tomorrow unless a new epoch begins. */
    route_tables ahead;
    float *ahead_view;        /* the view they were built from */
    int ahead_day;            /* the day they are for; -1: none */
    int *in_start, *in_edges; /* incoming edges of each node */
    double *num;              /* RISK_COUNT x places: weighted incidents */
    double *expo;             /* places: weighted visits */
    float *history;           /* HISTORY x RISK_COUNT x places: estimate at each day's end */
    float *view;              /* INFO_COUNT x RISK_COUNT x places: what each class hears today */
    float *built_from;        /* the view today's tables were built from */
    bool built;
    double *cost; /* scratch: per edge */
    /* What edge costs are made of, the same for every group and information class:
     * per epoch (edge_base), and per day (days, a route weight; risk_sum, the risks
     * heard of along the edge and at its end, INFO_COUNT x RISK_COUNT x edges). */
    edge_base *base;
    double *days;
    float *risk_sum;
    float *bonus_of;   /* AVERSION_COUNT x edges: stay_bonus where finite (per epoch) */
    char *target;      /* DEST_COUNT x nodes: where each destination's routes end */
    char *done;        /* scratch: per node */
    heap_item *heap;   /* scratch for cost_to_go: one entry per node and edge */
    size_t visits_off; /* extra counters: arrivals at each node today */
    series *s_risk_edge, *s_risk_node;
} behaviour_state;

static int read_group(cfg *c, group_weights *g, diag *d)
{
    return cfg_get_double(c, "time", 0, 100, &g->time, d) ||
           cfg_get_double(c, "money_per_1000", 0, 1e4, &g->money_per_1000, d) ||
           cfg_get_double(c, "injury", 0, 1e5, &g->injury, d) ||
           cfg_get_double(c, "detection", 0, 1e5, &g->risk[RISK_DETECTION], d) ||
           cfg_get_double(c, "crime", 0, 1e5, &g->risk[RISK_CRIME], d);
}

static int behaviour_read(cfg *root, const network *net, void *params, diag *d)
{
    (void)net;
    behaviour_params *p = params;
    cfg *sec = cfg_child(root, "behaviour"), *groups[AVERSION_COUNT], *risk, *delay;
    p->on = sec != NULL;
    if (!sec) return 0;
    double delays[INFO_COUNT], scale;
    if (cfg_get_map(root, "behaviour", &sec, d) ||
        cfg_get_double(sec, "choice_scale", 1e-3, 1e3, &p->choice_scale, d) ||
        params_named_maps(sec, "groups", aversion_names, AVERSION_COUNT, groups, d) ||
        cfg_get_map(sec, "risk", &risk, d) ||
        cfg_get_double(risk, "half_life_days", 0.1, 3650, &p->half_life_days, d) ||
        cfg_get_double(risk, "prior_exposures", 0, 1e9, &p->prior_exposures, d) ||
        cfg_get_map(risk, "delay_days", &delay, d) || params_population_scale(root, &scale, d))
        return -1;
    p->prior_exposures *= scale; /* weighed against counts of people */
    for (int a = 0; a < AVERSION_COUNT; a++)
        if (read_group(groups[a], &p->groups[a], d)) return -1;
    for (int k = 0; k < INFO_COUNT; k++) {
        if (cfg_get_double(delay, info_names[k], 1, HISTORY - 1, &delays[k], d)) return -1;
        p->delay[k] = (int)delays[k];
    }
    return 0;
}

static void register_outputs(sim *s, behaviour_state *st)
{
    series_add_dim(&s->out, "risk", "", "kinds of perceived risk", RISK_COUNT, risk_names);
    st->s_risk_edge = series_add(&s->out, "perceived_risk_edge", SERIES_FLOAT64, "probability",
                                 "learned risk per trip along each edge, as migrants with "
                                 "contacts know it at the end of each day",
                                 (const char *const[]){"edge", "risk", NULL});
    st->s_risk_node = series_add(&s->out, "perceived_risk_node", SERIES_FLOAT64, "probability",
                                 "learned risk per visit to each node, as migrants with "
                                 "contacts know it at the end of each day",
                                 (const char *const[]){"node", "risk", NULL});
}

static void build_incoming(behaviour_state *st, const network *net)
{
    st->in_start = calloc((size_t)net->n_nodes + 1, sizeof(int));
    st->in_edges = malloc(((size_t)net->n_edges + 1) * sizeof(int));
    int *fill = malloc(((size_t)net->n_nodes + 1) * sizeof(int));
    if (!st->in_start || !st->in_edges || !fill) abort();
    for (int e = 0; e < net->n_edges; e++)
        st->in_start[net->edges[e].to + 1]++;
    for (int v = 0; v < net->n_nodes; v++)
        st->in_start[v + 1] += st->in_start[v];
    memcpy(fill, st->in_start, (size_t)net->n_nodes * sizeof(int));
    for (int e = 0; e < net->n_edges; e++)
        st->in_edges[fill[net->edges[e].to]++] = e;
    free(fill);
}

static void *alloc0(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) abort();
    return p;
}

static void tables_alloc(route_tables *rt, const network *net)
{
    size_t E = (size_t)net->n_edges, V = (size_t)net->n_nodes;
    rt->n_edges = net->n_edges;
    rt->n_nodes = net->n_nodes;
    rt->weight = alloc0(ROUTE_TABLES * E, sizeof(float));
    rt->total = alloc0(ROUTE_TABLES * E, sizeof(float));
    rt->stay_bonus = alloc0(ROUTE_TABLES * E, sizeof(float));
    rt->cost_to_go = alloc0(ROUTE_TABLES * V, sizeof(double));
    rt->max_fare = alloc0(V, sizeof(int32_t));
    rt->node_sum = alloc0(ROUTE_TABLES * V, sizeof(double));
    rt->node_pick = alloc0(ROUTE_TABLES * V, sizeof(int32_t));
    rt->cheapest = alloc0(ROUTE_TABLES * V, sizeof(int32_t));
}

static void tables_free(route_tables *rt)
{
    free(rt->weight);
    free(rt->total);
    free(rt->stay_bonus);
    free(rt->cost_to_go);
    free(rt->max_fare);
    free(rt->node_sum);
    free(rt->node_pick);
    free(rt->cheapest);
}

static int behaviour_init(sim *s, void **state, diag *d)
{
    (void)d;
    const network *net = s->net;
    size_t E = (size_t)net->n_edges, V = (size_t)net->n_nodes, P = sim_n_places(s);
    behaviour_state *st = alloc0(1, sizeof *st);
    tables_alloc(&st->rt, net);
    tables_alloc(&st->ahead, net);
    st->ahead_view = alloc0(INFO_COUNT * RISK_COUNT * P, sizeof(float));
    st->ahead_day = -1;
    st->bonus_of = alloc0(AVERSION_COUNT * E, sizeof(float));
    st->num = alloc0(RISK_COUNT * P, sizeof(double));
    st->expo = alloc0(P, sizeof(double));
    st->history = alloc0((size_t)HISTORY * RISK_COUNT * P, sizeof(float));
    st->view = alloc0(INFO_COUNT * RISK_COUNT * P, sizeof(float));
    st->built_from = alloc0(INFO_COUNT * RISK_COUNT * P, sizeof(float));
    st->cost = alloc0(E, sizeof(double));
    st->base = alloc0(E, sizeof(edge_base));
    st->days = alloc0(E, sizeof(double));
    st->risk_sum = alloc0(INFO_COUNT * RISK_COUNT * E, sizeof(float));
    st->target = alloc0(DEST_COUNT * V, 1);
    st->heap = alloc0(V + E + 1, sizeof(heap_item));
    st->done = alloc0(V, 1);
    build_incoming(st, net);
    /* What migrants have learned carries over (checkpoints, sim/persist.h); the view and
     * the route tables are rebuilt from it (epoch_changed is set after a restart). */
    sim_persist(s, "behaviour.num", st->num, sizeof *st->num, RISK_COUNT * P);
    sim_persist(s, "behaviour.expo", st->expo, sizeof *st->expo, P);
    sim_persist(s, "behaviour.history", st->history, sizeof *st->history,
                (size_t)HISTORY * RISK_COUNT * P);
    st->visits_off = sim_reserve_extra(s, V);
    register_outputs(s, st);
    *state = st;
    return 0;
}

/* What each information class hears on `day`: the end-of-day estimate of `delay`
 * days before (nothing was known before the run: zero). */
static void fill_view(const sim *s, const behaviour_state *st, const behaviour_params *p, int day,
                      float *out)
{
    size_t P = sim_n_places(s);
    for (int k = 0; k < INFO_COUNT; k++) {
        float *view = out + (size_t)k * RISK_COUNT * P;
        int src = day - (p->on ? p->delay[k] : 0);
        if (!p->on || src < 0) {
            memset(view, 0, RISK_COUNT * P * sizeof(float));
            continue;
        }
        memcpy(view, st->history + (size_t)(src % HISTORY) * RISK_COUNT * P,
               RISK_COUNT * P * sizeof(float));
    }
}

/* A min-heap of (cost, node) for cost_to_go; stale entries (a node pushed again with
 * a lower cost) are skipped when popped. */
static void heap_push(heap_item *h, int *n, double c, int v)
{
    int i = (*n)++;
    while (i > 0 && h[(i - 1) / 2].c > c) {
        h[i] = h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h[i] = (heap_item){c, v};
}

static heap_item heap_pop(heap_item *h, int *n)
{
    heap_item top = h[0], last = h[--*n];
    int i = 0;
    for (;;) {
        int kid = 2 * i + 1;
        if (kid >= *n) break;
        if (kid + 1 < *n && h[kid + 1].c < h[kid].c) kid++;
        if (!(h[kid].c < last.c)) break;
        h[i] = h[kid];
        i = kid;
    }
    h[i] = last;
    return top;
}

/* Dijkstra from the destinations over incoming edges, with a heap: it runs for
 * twelve tables a day (it was O(V^2), a quarter of a small run). Each cost is the
 * least of the sums C[u] + cost[e] over finished neighbours, whatever the order
 * nodes finish in, so the values are the same as any Dijkstra's. */
static void cost_to_go(const network *net, behaviour_state *st, const char *target,
                       const double *cost, double *C)
{
    int n = net->n_nodes, size = 0;
    heap_item *heap = st->heap;
    for (int v = 0; v < n; v++) {
        C[v] = target[v] ? 0 : INFINITY;
        st->done[v] = 0;
        if (target[v]) heap_push(heap, &size, 0, v);
    }
    while (size > 0) {
        heap_item top = heap_pop(heap, &size);
        int u = top.v;
        if (st->done[u] || top.c > C[u]) continue; /* stale */
        st->done[u] = 1;
        for (int k = st->in_start[u]; k < st->in_start[u + 1]; k++) {
            int e = st->in_edges[k], from = net->edges[e].from;
            if (st->done[from] || target[from]) continue;
            double c = cost[e] + C[u];
            if (c < C[from]) {
                C[from] = c;
                heap_push(heap, &size, c, from);
            }
        }
    }
}

/* Where each destination's routes end (DEST_COUNT x nodes). */
static void mark_targets(const sim *s, behaviour_state *st)
{
    int V = s->net->n_nodes;
    for (int dest = 0; dest < DEST_COUNT; dest++)
        for (int v = 0; v < V; v++)
            st->target[(size_t)dest * (size_t)V + (size_t)v] =
                dest == DEST_US ? s->net->nodes[v].kind == NODE_EXIT : labour_is_farm(s, v);
}

/* The parts of edge costs that depend on the parameters alone (a new epoch). */
static void fill_edge_base(const sim *s, behaviour_state *st, const movement_params *mp)
{
    for (int e = 0; e < s->net->n_edges; e++) {
        const edge *ed = &s->net->edges[e];
        st->base[e] = (edge_base){.travel = movement_travel_days(mp, ed),
                                  .wait = movement_wait_days(mp, ed),
                                  .falls = movement_expected_falls(mp, ed),
                                  .fare = movement_fare(mp, ed)};
    }
}

/* A day's parts of edge costs shared by every group: the days an edge takes and the
 * risks heard of along it and at its end, for each information class. */
static void fill_edge_day(const sim *s, behaviour_state *st, const float *heard, int day,
                          const edge_day *status)
{
    const network *net = s->net;
    size_t E = (size_t)net->n_edges, P = sim_n_places(s);
    for (int e = 0; e < net->n_edges; e++) {
        /* Closures and slowdowns (hazards): travel / speed; a closed edge costs the
         * days until it is expected to reopen, or is out of the tables. */
        double days = st->base[e].travel / status->speed[e] + st->base[e].wait;
        st->days[e] = edge_day_route_weight(status, e, day, days);
    }
    for (int info = 0; info < INFO_COUNT; info++)
        for (int r = 0; r < RISK_COUNT; r++) {
            const float *view = heard + ((size_t)info * RISK_COUNT + (size_t)r) * P;
            float *sum = st->risk_sum + ((size_t)info * RISK_COUNT + (size_t)r) * E;
            for (int e = 0; e < net->n_edges; e++)
                sum[e] = view[sim_place_edge(s, e)] + view[sim_place_node(s, net->edges[e].to)];
        }
}

/* Generalised cost of each edge for one group and information class. */
static void edge_costs(const sim *s, behaviour_state *st, const group_weights *g, int info,
                       const edge_day *status)
{
    size_t E = (size_t)s->net->n_edges;
    const float *risk_sum = st->risk_sum + (size_t)info * RISK_COUNT * E;
    for (size_t e = 0; e < E; e++) {
        const edge_base *b = &st->base[e];
        double days = st->days[e];
        double c = g->time * days + g->money_per_1000 * b->fare / 1000.0 +
                   g->injury * b->falls * status->hazard[e];
        for (int r = 0; r < RISK_COUNT; r++)
            c += g->risk[r] * risk_sum[(size_t)r * E + e];
        st->cost[e] = isfinite(days) ? c : INFINITY;
    }
}

/* The bonus for staying aboard each edge's train, for aversion group a: the waits and
 * falls saved, which depend on the parameters alone (kept for the epoch). */
static void fill_bonus(const sim *s, behaviour_state *st, const movement_params *mp,
                       const behaviour_params *p, const group_weights *g, int a)
{
    size_t E = (size_t)s->net->n_edges;
    for (size_t e = 0; e < E; e++) {
        const edge *ed = &s->net->edges[e];
        double saved =
            g->time * movement_wait_days(mp, ed) + g->injury * movement_expected_falls(mp, ed);
        double x = p->choice_scale * saved;
        st->bonus_of[(size_t)a * E + e] = (float)exp(x < 80 ? x : 80);
    }
}

/* Logit weights from the costs and costs-to-go; without the behaviour section,
 * weight 1 on each node's cheapest edge (ties: lowest index) and 0 elsewhere. And
 * each node's summary for the common case (can pay every fare, not aboard): the sum
 * of its weights, the only edge with weight if there is one, the cheapest edge. */
static void fill_weights(const sim *s, const behaviour_state *st, route_tables *rt,
                         const behaviour_params *p, int a, int t)
{
    const network *net = s->net;
    size_t E = (size_t)net->n_edges;
    const double *C = rt->cost_to_go + (size_t)t * (size_t)net->n_nodes;
    float *weight = rt->weight + t * E, *total = rt->total + t * E;
    float *bonus = rt->stay_bonus + t * E;
    for (int v = 0; v < net->n_nodes; v++) {
        int best = -1, positive = 0, only = -1;
        double best_total = INFINITY, sum = 0;
        for (int k = net->out_start[v]; k < net->out_start[v + 1]; k++) {
            int e = net->out_edges[k];
            double tot = st->cost[e] + C[net->edges[e].to];
            total[e] = (float)tot;
            weight[e] = 0;
            bonus[e] = 1;
            if (!isfinite(tot) || !isfinite(C[v])) {
                total[e] = INFINITY;
                continue;
            }
            if (tot < best_total) best_total = tot, best = e;
            if (!p->on) continue;
            /* The node's best edges (gap 0) weigh exp(-0) = 1: no exponential for them. */
            double gap = tot - C[v];
            weight[e] = gap > 0 ? (float)exp(-p->choice_scale * gap) : 1.0f;
            bonus[e] = st->bonus_of[(size_t)a * E + (size_t)e];
            if (weight[e] > 0) sum += weight[e], positive++, only = e; /* underflow: 0 */
        }
        if (!p->on && best >= 0) {
            weight[best] = 1;
            sum = 1, positive = 1, only = best;
        }
        size_t at = (size_t)t * (size_t)net->n_nodes + (size_t)v;
        rt->node_sum[at] = sum;
        rt->node_pick[at] = positive == 0 ? -1 : positive == 1 ? only : -2;
        rt->cheapest[at] = best;
    }
}

/* The tables for `day` into rt, from what migrants hear that day (`heard`), the
 * edge status of that day and the parameters of the epoch in force (edge_base and
 * bonus_of, made at its start). */
static void build_tables(const sim *s, behaviour_state *st, route_tables *rt, const float *heard,
                         int day, const edge_day *status)
{
    const behaviour_params *p = sim_params(s, MODULE_BEHAVIOUR);
    static const group_weights time_only = {.time = 1};
    rt->no_bonus = !p->on;
    fill_edge_day(s, st, heard, day, status);
    mark_targets(s, st);
    for (int v = 0; v < s->net->n_nodes; v++) {
        rt->max_fare[v] = 0;
        for (int k = s->net->out_start[v]; k < s->net->out_start[v + 1]; k++) {
            int32_t fare = st->base[s->net->out_edges[k]].fare;
            if (fare > rt->max_fare[v]) rt->max_fare[v] = fare;
        }
    }
    /* Edge costs depend on the group and what it hears, not on where it heads: one
     * computation serves both destinations. */
    for (int a = 0; a < AVERSION_COUNT; a++) {
        const group_weights *g = p->on ? &p->groups[a] : &time_only;
        for (int info = 0; info < INFO_COUNT; info++) {
            edge_costs(s, st, g, info, status);
            for (int dest = 0; dest < DEST_COUNT; dest++) {
                int t = (dest * AVERSION_COUNT + a) * INFO_COUNT + info;
                cost_to_go(s->net, st, st->target + (size_t)dest * (size_t)s->net->n_nodes,
                           st->cost, rt->cost_to_go + (size_t)t * (size_t)s->net->n_nodes);
                fill_weights(s, st, rt, p, a, t);
            }
        }
    }
}

static void behaviour_day_start(sim *s, void *state)
{
    behaviour_state *st = state;
    const behaviour_params *p = sim_params(s, MODULE_BEHAVIOUR);
    const movement_params *mp = sim_params(s, MODULE_MOVEMENT);
    fill_view(s, st, p, s->day, st->view);
    /* Tables change only with the parameters (a new epoch), the state of the network
     * (hazards) or what migrants hear. */
    size_t view_bytes = INFO_COUNT * RISK_COUNT * sim_n_places(s) * sizeof(float);
    bool same_world = st->built && !s->epoch_changed && !s->edge_status.changed;
    if (same_world && memcmp(st->view, st->built_from, view_bytes) == 0) return;
    memcpy(st->built_from, st->view, view_bytes);
    st->built = true;
    /* Built yesterday for today from the same inputs: the same tables. The edge status
     * they were built with is today's (edge_status_tomorrow, yesterday). */
    if (!s->epoch_changed && st->ahead_day == s->day &&
        memcmp(st->view, st->ahead_view, view_bytes) == 0) {
        route_tables t = st->rt;
        st->rt = st->ahead;
        st->ahead = t;
        return;
    }
    if (s->epoch_changed) {
        fill_edge_base(s, st, mp);
        if (p->on)
            for (int a = 0; a < AVERSION_COUNT; a++)
                fill_bonus(s, st, mp, p, &p->groups[a], a);
    }
    build_tables(s, st, &st->rt, st->view, s->day, &s->edge_status.today);
}

/* Tomorrow's tables, built beside today's agent passes (sim/module.h, day_ahead):
 * from what migrants will hear tomorrow, if it is already known (every delay two
 * days or more: the estimates of yesterday and before), with today's parameters and
 * tomorrow's edge status (staged by hazards in its day_start). Tomorrow's day_start
 * uses them unless a new epoch begins. Reads and writes nothing an agent hook
 * touches: the view and tables the agents read are today's, and the scratch arrays
 * are the builds' alone. */
static void behaviour_day_ahead(sim *s, void *state)
{
    behaviour_state *st = state;
    const behaviour_params *p = sim_params(s, MODULE_BEHAVIOUR);
    int tomorrow = s->day + 1;
    st->ahead_day = -1;
    if (!st->built || tomorrow >= s->sc->days || scenario_epoch_of_day(s->sc, tomorrow) != s->epoch)
        return;
    for (int k = 0; p->on && k < INFO_COUNT; k++)
        if (p->delay[k] < 2) return;
    fill_view(s, st, p, tomorrow, st->ahead_view);
    size_t view_bytes = INFO_COUNT * RISK_COUNT * sim_n_places(s) * sizeof(float);
    if (memcmp(st->ahead_view, st->built_from, view_bytes) == 0 &&
        !edge_status_will_change(&s->edge_status))
        return; /* today's tables will do */
    build_tables(s, st, &st->ahead, st->ahead_view, tomorrow,
                 edge_status_tomorrow(&s->edge_status));
    st->ahead_day = tomorrow;
}

static void behaviour_reach_node(sim *s, void *state, size_t i, int v, worker *w)
{
    (void)s;
    (void)i;
    behaviour_state *st = state;
    w->extra[st->visits_off + (size_t)v]++;
}

/* Folds today's incidents and visits into the weighted memory (serial, fixed
 * order: deterministic) and stores today's estimate for word of mouth. */
static void behaviour_day_end(sim *s, void *state)
{
    behaviour_state *st = state;
    const behaviour_params *p = sim_params(s, MODULE_BEHAVIOUR);
    const network *net = s->net;
    size_t E = (size_t)net->n_edges, P = sim_n_places(s);
    const int64_t *flow = series_i64(s->s_edge_flow, (size_t)s->day);
    float *today = st->history + (size_t)(s->day % HISTORY) * RISK_COUNT * P;
    double keep = p->on ? pow(0.5, 1.0 / p->half_life_days) : 0;
    for (size_t q = 0; q < P; q++) {
        double visits =
            q < E ? (double)flow[q] : (double)sim_extra_total(s, st->visits_off + q - E);
        st->expo[q] = keep * st->expo[q] + visits;
        for (int r = 0; r < RISK_COUNT; r++) {
            double *num = &st->num[(size_t)r * P + q];
            *num = keep * *num + (double)s->incidents[(size_t)risk_incident[r] * P + q];
            double rate = p->on ? *num / (st->expo[q] + p->prior_exposures) : 0;
            today[(size_t)r * P + q] = (float)(rate < 1 ? rate : 1);
        }
    }
    double *edge_out = series_f64(st->s_risk_edge, (size_t)s->day);
    double *node_out = series_f64(st->s_risk_node, (size_t)s->day);
    for (size_t q = 0; q < P; q++)
        for (int r = 0; r < RISK_COUNT; r++) {
            double v = today[(size_t)r * P + q];
            if (q < E)
                edge_out[q * RISK_COUNT + (size_t)r] = v;
            else
                node_out[(q - E) * RISK_COUNT + (size_t)r] = v;
        }
}

static void behaviour_free_state(void *state)
{
    behaviour_state *st = state;
    tables_free(&st->rt);
    tables_free(&st->ahead);
    free(st->ahead_view);
    free(st->bonus_of);
    free(st->in_start);
    free(st->in_edges);
    free(st->num);
    free(st->expo);
    free(st->history);
    free(st->view);
    free(st->built_from);
    free(st->cost);
    free(st->base);
    free(st->days);
    free(st->risk_sum);
    free(st->target);
    free(st->heap);
    free(st->done);
    free(st);
}

const route_tables *behaviour_routes(const sim *s)
{
    return &((const behaviour_state *)s->state[MODULE_BEHAVIOUR])->rt;
}

double behaviour_perceived(const sim *s, int info, int risk, size_t place)
{
    const behaviour_state *st = s->state[MODULE_BEHAVIOUR];
    size_t P = sim_n_places(s);
    return st->view[((size_t)info * RISK_COUNT + (size_t)risk) * P + place];
}

const module behaviour_module = {
    .name = "behaviour",
    .params_size = sizeof(behaviour_params),
    .read_params = behaviour_read,
    .init = behaviour_init,
    .day_start = behaviour_day_start,
    .day_ahead = behaviour_day_ahead,
    .agent_reach_node = behaviour_reach_node,
    .day_end = behaviour_day_end,
    .free_state = behaviour_free_state,
};
