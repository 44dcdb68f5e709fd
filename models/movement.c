/* Movement: agents travel toward the US border along the network.
 *
 * Route choice (foundation rule): from a node, take the outgoing edge that
 * minimises  travel days on the edge + expected wait + cost-to-go of its end, where
 * the cost-to-go to the nearest exit comes from a table recomputed only when the
 * parameters change (never per agent). The expected wait for a train is half the
 * interval between departures.
 *
 * Each agent has one day of travel time per day. Walking, buses and rafts move at
 * their km_per_day; freight trains run round the clock at their line's speed. A
 * train is boarded only on a departure day and only with a seat: seats
 * (departures x riders per train) go to the waiting agents by random priority
 * through the engine's capacity resolution. Once aboard, an agent rides on along
 * the same line without boarding again. */
#include "models/movement.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/hazards.h"
#include "sim/sim.h"

typedef struct line_params {
    double departures_per_week;
    double riders_per_train;
    double speed_kmh;
} line_params;

typedef struct movement_params {
    double km_per_day[MODE_COUNT]; /* foot, road, river; rail uses the line speed */
    line_params *lines;            /* per network line */
} movement_params;

typedef struct movement_state {
    const movement_params *p;
    double *travel_days;  /* per edge */
    double *edge_weight;  /* per edge: travel + expected wait; INFINITY if unusable */
    double *cost_to_go;   /* per node, days to the nearest exit */
    int *best_edge;       /* per node, -1 at exits and dead ends */
    int *departures;      /* per line, trains leaving today */
    uint32_t rail_base;   /* capacity resource of rail edge e: rail_base + e */
    size_t boardings_extra; /* per-node boarding counters in the workers' extra */
    series *s_boardings;
} movement_state;

static int read_lines(cfg *trains, const network *net, movement_params *p, diag *d)
{
    p->lines = calloc((size_t)net->n_lines + 1, sizeof *p->lines);
    if (!p->lines) abort();
    for (size_t i = 0; i < trains->n; i++) {
        cfg *c = trains->kids[i];
        if (network_find_line(net, c->key) < 0) {
            char path[256];
            cfg_path(c, path, sizeof path);
            diag_input(d, c->file, c->line, path, "no rail edge of the network uses line '%s'",
                       c->key);
            return -1;
        }
    }
    for (int l = 0; l < net->n_lines; l++) {
        cfg *c;
        line_params *lp = &p->lines[l];
        if (cfg_get_map(trains, net->line_names[l], &c, d) ||
            cfg_get_double(c, "departures_per_week", 0, 7 * 24, &lp->departures_per_week, d) ||
            cfg_get_double(c, "riders_per_train", 0, 1e5, &lp->riders_per_train, d) ||
            cfg_get_double(c, "speed_kmh", 0.1, 200, &lp->speed_kmh, d))
            return -1;
    }
    return 0;
}

static int movement_read(cfg *root, const network *net, void *params, diag *d)
{
    movement_params *p = params;
    cfg *sec, *modes, *trains;
    if (cfg_get_map(root, "movement", &sec, d) || cfg_get_map(sec, "modes", &modes, d) ||
        cfg_get_map(sec, "trains", &trains, d))
        return -1;
    static const travel_mode self_paced[] = {MODE_FOOT, MODE_ROAD, MODE_RIVER};
    for (size_t k = 0; k < sizeof self_paced / sizeof *self_paced; k++) {
        cfg *m;
        travel_mode mode = self_paced[k];
        if (cfg_get_map(modes, mode_names[mode], &m, d) ||
            cfg_get_double(m, "km_per_day", 0.1, 5000, &p->km_per_day[mode], d))
            return -1;
    }
    return read_lines(trains, net, p, d);
}

static void movement_free_params(void *params)
{
    free(((movement_params *)params)->lines);
}

static int movement_init(sim *s, void **state, diag *d)
{
    (void)d;
    const network *net = s->net;
    movement_state *st = calloc(1, sizeof *st);
    if (!st) abort();
    st->travel_days = calloc((size_t)net->n_edges + 1, sizeof(double));
    st->edge_weight = calloc((size_t)net->n_edges + 1, sizeof(double));
    st->cost_to_go = calloc((size_t)net->n_nodes, sizeof(double));
    st->best_edge = calloc((size_t)net->n_nodes, sizeof(int));
    st->departures = calloc((size_t)net->n_lines + 1, sizeof(int));
    if (!st->travel_days || !st->edge_weight || !st->cost_to_go || !st->best_edge ||
        !st->departures)
        abort();
    st->rail_base = capacity_register(&s->caps, (uint32_t)net->n_edges);
    st->boardings_extra = sim_reserve_extra(s, (size_t)net->n_nodes);
    st->s_boardings = series_add(&s->out, "boardings", SERIES_INT64, "people per day",
                                 "freight-train boardings at each node",
                                 (const char *const[]){"node", NULL});
    *state = st;
    return 0;
}

static double edge_travel_days(const movement_params *p, const edge *e)
{
    if (e->mode == MODE_RAIL) return e->km / (p->lines[e->line].speed_kmh * 24.0);
    return e->km / p->km_per_day[e->mode];
}

/* Dijkstra from the exits over reversed edges; O(V^2) is plenty for a few hundred
 * places and runs only when parameters change. */
static void compute_routes(movement_state *st, const network *net, const edge_status *es, int day)
{
    const movement_params *p = st->p;
    for (int e = 0; e < net->n_edges; e++) {
        const edge *ed = &net->edges[e];
        st->travel_days[e] = edge_travel_days(p, ed) / es->today.speed[e];
        double wait = 0;
        if (ed->mode == MODE_RAIL) {
            const line_params *lp = &p->lines[ed->line];
            wait = lp->departures_per_week > 0 && lp->riders_per_train >= 1
                       ? 0.5 * 7.0 / lp->departures_per_week
                       : INFINITY;
        }
        st->edge_weight[e] = edge_status_route_weight(es, e, day, st->travel_days[e] + wait);
    }
    int n = net->n_nodes;
    char *done = calloc((size_t)n, 1);
    if (!done) abort();
    for (int v = 0; v < n; v++) {
        st->cost_to_go[v] = net->nodes[v].kind == NODE_EXIT ? 0 : INFINITY;
        st->best_edge[v] = -1;
    }
    for (;;) {
        int u = -1;
        for (int v = 0; v < n; v++)
            if (!done[v] && isfinite(st->cost_to_go[v]) &&
                (u < 0 || st->cost_to_go[v] < st->cost_to_go[u]))
                u = v;
        if (u < 0) break;
        done[u] = 1;
        for (int e = 0; e < net->n_edges; e++) {
            const edge *ed = &net->edges[e];
            if (ed->to != u || done[ed->from] || net->nodes[ed->from].kind == NODE_EXIT) continue;
            double c = st->edge_weight[e] + st->cost_to_go[u];
            /* Ties go to the lower edge index so the table is reproducible. */
            if (c < st->cost_to_go[ed->from]) {
                st->cost_to_go[ed->from] = c;
                st->best_edge[ed->from] = e;
            }
        }
    }
    free(done);
}

static void movement_day_start(sim *s, void *state)
{
    movement_state *st = state;
    const network *net = s->net;
    st->p = sim_params(s, MODULE_MOVEMENT);
    if (s->epoch_changed || s->edge_status.changed)
        compute_routes(st, net, &s->edge_status, s->day);
    /* Departures spread evenly over the week: line l runs on day d when
     * floor((d+1) r / 7) > floor(d r / 7), r departures per week. */
    for (int l = 0; l < net->n_lines; l++) {
        double r = st->p->lines[l].departures_per_week;
        st->departures[l] = (int)(floor((s->day + 1) * r / 7.0) - floor(s->day * r / 7.0));
    }
    for (int e = 0; e < net->n_edges; e++) {
        const edge *ed = &net->edges[e];
        int64_t seats = 0;
        if (ed->mode == MODE_RAIL && s->edge_status.today.open[e])
            seats = (int64_t)st->departures[ed->line] *
                    (int64_t)floor(st->p->lines[ed->line].riders_per_train);
        s->caps.capacity[st->rail_base + (uint32_t)e] = seats;
    }
}

static bool riding_line(const agents *ag, size_t i, const network *net, int line)
{
    return (ag->flags[i] & AGENT_ON_TRAIN) && ag->edge[i] != EDGE_NONE &&
           net->edges[ag->edge[i]].line == line;
}

static void movement_plan(sim *s, void *state, size_t i, worker *w)
{
    movement_state *st = state;
    const agents *ag = &s->ag;
    if (ag->state[i] != STATE_WAITING) return;
    int e = st->best_edge[ag->node[i]];
    if (e < 0) return;
    const edge *ed = &s->net->edges[e];
    if (ed->mode == MODE_RAIL && st->departures[ed->line] > 0 &&
        !riding_line(ag, i, s->net, ed->line))
        sim_request(s, w, i, st->rail_base + (uint32_t)e, 0);
}

static void movement_act(sim *s, void *state, size_t i, worker *w)
{
    movement_state *st = state;
    agents *ag = &s->ag;
    const network *net = s->net;
    double budget = 1.0;
    if (ag->state[i] == STATE_TRAVELLING) {
        double left = ag->days_left[i];
        if (left > budget) {
            ag->days_left[i] = (float)(left - budget);
            return;
        }
        budget -= left;
        ag->node[i] = (uint16_t)net->edges[ag->edge[i]].to;
        ag->state[i] = STATE_WAITING;
        sim_reach_node(s, i, ag->node[i], w);
    }
    while (ag->state[i] == STATE_WAITING) {
        int v = ag->node[i];
        if (net->nodes[v].kind == NODE_EXIT) {
            ag->state[i] = STATE_ARRIVED;
            w->events[EVENT_ARRIVAL]++;
            return;
        }
        int e = st->best_edge[v];
        if (hazards_blocked(s, w, i, e)) return; /* closed: wait at the node */
        if (e < 0 || budget <= 1e-9) return;
        const edge *ed = &net->edges[e];
        if (ed->mode == MODE_RAIL && !riding_line(ag, i, net, ed->line)) {
            if (!(ag->grants[i] & 1u)) {
                ag->flags[i] &= (uint8_t)~AGENT_ON_TRAIN;
                return; /* wait at the yard for the next train */
            }
            ag->grants[i] &= (uint8_t)~1u;
            ag->flags[i] |= AGENT_ON_TRAIN;
            w->events[EVENT_BOARDING]++;
            w->extra[st->boardings_extra + (size_t)v]++;
        } else if (ed->mode != MODE_RAIL) {
            ag->flags[i] &= (uint8_t)~AGENT_ON_TRAIN;
        }
        w->edge_flow[e]++;
        ag->edge[i] = (uint16_t)e;
        sim_enter_edge(s, i, e, w);
        if (ag->state[i] != STATE_WAITING) return; /* stopped on the way (detained...) */
        double left = st->travel_days[e];
        if (left > budget) {
            ag->state[i] = STATE_TRAVELLING;
            ag->days_left[i] = (float)(left - budget);
            return;
        }
        budget -= left;
        ag->node[i] = (uint16_t)ed->to;
        sim_reach_node(s, i, ed->to, w);
    }
}

static void movement_day_end(sim *s, void *state)
{
    movement_state *st = state;
    int64_t *boardings = series_i64(st->s_boardings, (size_t)s->day);
    for (int v = 0; v < s->net->n_nodes; v++)
        boardings[v] = sim_extra_total(s, st->boardings_extra + (size_t)v);
}

static void movement_free_state(void *state)
{
    movement_state *st = state;
    free(st->travel_days);
    free(st->edge_weight);
    free(st->cost_to_go);
    free(st->best_edge);
    free(st->departures);
    free(st);
}

const module movement_module = {
    .name = "movement",
    .params_size = sizeof(movement_params),
    .read_params = movement_read,
    .free_params = movement_free_params,
    .init = movement_init,
    .day_start = movement_day_start,
    .agent_plan = movement_plan,
    .agent_act = movement_act,
    .day_end = movement_day_end,
    .free_state = movement_free_state,
};
