/* Movement: agents travel along the network toward their destination.
 *
 * Each agent has one day of travel time per day. Walking, buses and rafts move at
 * their km_per_day; freight trains run round the clock at their line's speed. At a
 * node the agent draws its next edge from today's route tables (behaviour.c) and
 * keeps that plan until it sets out. Buses and rafts cost a fare: an agent who
 * cannot pay it cannot take them. A train is boarded only on a departure day and
 * only with a seat: seats (departures x riders per train) go to the waiting agents
 * by random priority through the engine's capacity resolution. With a seat, the
 * jump for the moving train succeeds with a probability that falls with the train's
 * speed; a miss can end in a fall (injury or death, more often at speed; trains.c).
 * Once aboard, an agent rides on along the same line without boarding again.
 *
 * An agent stays put while injured, queueing for a shelter bed, looking for work
 * (labour.c), or at its destination farm. For every edge set out on and node reached
 * movement calls the encounter hooks (sim_enter_edge, sim_reach_node); a hook that
 * changes the agent's state (detained, dead...) stops it for the day. */
#include "models/movement.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/behaviour.h"
#include "models/hazards.h"
#include "models/labour.h"
#include "models/params.h"
#include "models/shelter.h"
#include "sim/sim.h"

typedef struct movement_state {
    const movement_params *p;
    double *travel_days;        /* per edge */
    int32_t *fare;              /* per edge */
    int *departures;            /* per line, trains leaving today */
    uint8_t *services;          /* per node today: a farm, jobs or beds (reasons to stop there) */
    const route_tables *routes; /* behaviour's, fixed for the run */
    size_t boardings_extra;     /* per-node boarding counters in the workers' extra */
    series *s_boardings;
    uint32_t rail_base; /* capacity resource of rail edge e: rail_base + e */
    series *s_mode_flow, *s_mode_km;
} movement_state;

/* Random purposes of this module (RNG_MOVE is the route choice). */
enum { RNG_BOARDING = RNG_BEHAVIOUR + 0, RNG_INJURY = RNG_BEHAVIOUR + 3 };

static int read_lines(cfg *trains, const network *net, double scale, movement_params *p, diag *d)
{
    p->lines = calloc((size_t)net->n_lines + 1, sizeof *p->lines);
    if (!p->lines) abort();
    for (size_t i = 0; i < trains->n; i++) {
        cfg *c = trains->kids[i];
        if (network_find_line(net, c->key) < 0)
            return params_fail(c, d, "no rail edge of the network uses line '%s'", c->key);
    }
    for (int l = 0; l < net->n_lines; l++) {
        cfg *c;
        line_params *lp = &p->lines[l];
        if (cfg_get_map(trains, net->line_names[l], &c, d) ||
            cfg_get_double(c, "departures_per_week", 0, 7 * 24, &lp->departures_per_week, d) ||
            cfg_get_double(c, "riders_per_train", 0, 1e5, &lp->riders_per_train, d) ||
            cfg_get_double(c, "speed_kmh", 0.1, 200, &lp->speed_kmh, d))
            return -1;
        lp->riders_per_train = params_scale_capacity(lp->riders_per_train, scale);
    }
    return 0;
}

static int movement_read(cfg *root, const network *net, void *params, diag *d)
{
    movement_params *p = params;
    cfg *sec, *modes, *trains;
    double scale;
    if (cfg_get_map(root, "movement", &sec, d) || cfg_get_map(sec, "modes", &modes, d) ||
        cfg_get_map(sec, "trains", &trains, d) || params_population_scale(root, &scale, d))
        return -1;
    static const travel_mode self_paced[] = {MODE_FOOT, MODE_ROAD, MODE_RIVER};
    for (size_t k = 0; k < sizeof self_paced / sizeof *self_paced; k++) {
        cfg *m;
        travel_mode mode = self_paced[k];
        /* Fares are optional: a mode without one is free (walking). */
        if (cfg_get_map(modes, mode_names[mode], &m, d) ||
            cfg_get_double(m, "km_per_day", 0.1, 5000, &p->km_per_day[mode], d) ||
            cfg_opt_double(m, "fare_per_km", 0, 1e4, &p->fare_per_km[mode], d) ||
            cfg_opt_double(m, "fare_per_trip", 0, 1e6, &p->fare_per_trip[mode], d))
            return -1;
    }
    return read_lines(trains, net, scale, p, d) || trains_read_boarding(sec, &p->boarding, d);
}

static void movement_free_params(void *params)
{
    free(((movement_params *)params)->lines);
}

double movement_travel_days(const movement_params *p, const edge *e)
{
    if (e->mode == MODE_RAIL) return e->km / (p->lines[e->line].speed_kmh * 24.0);
    return e->km / p->km_per_day[e->mode];
}

double movement_wait_days(const movement_params *p, const edge *e)
{
    if (e->mode != MODE_RAIL) return 0;
    const line_params *lp = &p->lines[e->line];
    if (lp->riders_per_train < 1) return INFINITY;
    return trains_expected_wait(lp->departures_per_week,
                                trains_board_probability(&p->boarding, lp->speed_kmh));
}

int32_t movement_fare(const movement_params *p, const edge *e)
{
    if (e->mode == MODE_RAIL) return 0;
    return (int32_t)lround(p->fare_per_trip[e->mode] + p->fare_per_km[e->mode] * e->km);
}

double movement_expected_falls(const movement_params *p, const edge *e)
{
    if (e->mode != MODE_RAIL) return 0;
    return trains_expected_falls(&p->boarding, p->lines[e->line].speed_kmh);
}

static void register_outputs(sim *s, movement_state *st)
{
    series_set *out = &s->out;
    series_add_dim(out, "mode", "", "ways of travelling", MODE_COUNT, mode_names);
    st->s_boardings =
        series_add(out, "boardings", SERIES_INT64, "people per day",
                   "freight-train boardings at each node", (const char *const[]){"node", NULL});
    st->s_mode_flow = series_add(out, "mode_flow", SERIES_INT64, "people per day",
                                 "people setting out along an edge of each mode each day",
                                 (const char *const[]){"mode", NULL});
    st->s_mode_km = series_add(out, "mode_km", SERIES_FLOAT64, "person-km per day",
                               "distance travelled by each mode, counted when setting out",
                               (const char *const[]){"mode", NULL});
}

static int movement_init(sim *s, void **state, diag *d)
{
    (void)d;
    const network *net = s->net;
    movement_state *st = calloc(1, sizeof *st);
    if (!st) abort();
    st->travel_days = calloc((size_t)net->n_edges + 1, sizeof(double));
    st->fare = calloc((size_t)net->n_edges + 1, sizeof(int32_t));
    st->departures = calloc((size_t)net->n_lines + 1, sizeof(int));
    st->services = calloc((size_t)net->n_nodes, 1);
    if (!st->travel_days || !st->fare || !st->departures || !st->services) abort();
    st->rail_base = capacity_register(&s->caps, (uint32_t)net->n_edges);
    st->boardings_extra = sim_reserve_extra(s, (size_t)net->n_nodes);
    register_outputs(s, st);
    *state = st;
    return 0;
}

static void movement_day_start(sim *s, void *state)
{
    movement_state *st = state;
    const network *net = s->net;
    st->p = sim_params(s, MODULE_MOVEMENT);
    st->routes = behaviour_routes(s);
    /* Hazards stretch travel times by 1 / speed (sim/edge_status.h). */
    if (s->epoch_changed || s->edge_status.changed)
        for (int e = 0; e < net->n_edges; e++) {
            st->travel_days[e] =
                movement_travel_days(st->p, &net->edges[e]) / s->edge_status.today.speed[e];
            st->fare[e] = movement_fare(st->p, &net->edges[e]);
        }
    for (int v = 0; v < net->n_nodes; v++)
        st->services[v] = labour_is_farm(s, v) || labour_hires_at(s, v) || shelter_at(s, v);
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

/* Aboard a train of `line` that brought the agent to its node (a detention or a
 * closure in between takes them off). */
static bool riding_line(const agents *ag, size_t i, const network *net, int line)
{
    return (ag->flags[i] & AGENT_ON_TRAIN) && ag->edge[i] != EDGE_NONE &&
           net->edges[ag->edge[i]].line == line && net->edges[ag->edge[i]].to == ag->node[i];
}

/* Reasons to stay at the node today, whatever the routes say. */
static bool stays_put(const sim *s, const movement_state *st, size_t i)
{
    const agents *ag = &s->ag;
    if (ag->injury[i] > 0) return true;
    if (!st->services[ag->node[i]]) return false;
    if (shelter_wants_bed(s, i)) return true;
    if (agent_goal(ag, i) != GOAL_TRANSIT && labour_is_farm(s, ag->node[i])) return true;
    return labour_wants_job(s, i);
}

/* Uniforms for route choices, four per Philox call: draw k of the day is u[k % 4]
 * of block k / 4. Block 0 serves the morning plan, blocks 1.. the hops of agent_act
 * (`next` starts at a multiple of 4). */
typedef struct draws {
    double u[4];
    uint32_t next;
} draws;

static double next_uniform(const sim *s, size_t i, draws *d)
{
    if (d->next % 4 == 0)
        rng_uniform4(s->key, s->ag.id[i], (uint32_t)s->day, RNG_MOVE, d->next / 4, d->u);
    return d->u[d->next++ % 4];
}

/* Logit weight of edge e for an agent with `money` riding `riding` (-1: none); 0 if
 * the agent cannot take it. */
static inline float edge_weight(const network *net, const movement_state *st,
                                const route_tables *rt, size_t t, int e, int32_t money, int riding)
{
    if (st->fare[e] > money || !(rt->total[t + e] < INFINITY)) return 0;
    float x = rt->weight[t + e];
    if (riding >= 0 && net->edges[e].line == riding) x *= rt->stay_bonus[t + e];
    return x;
}

/* Draws the next edge out of node v from agent i's route table. Edges the agent
 * cannot pay for are left out; if the logit leaves nothing (weights underflow),
 * the cheapest affordable edge. -1: none. No random draw when one edge is left. */
static int choose_edge(const sim *s, const movement_state *st, size_t i, int v, draws *d)
{
    const network *net = s->net;
    const agents *ag = &s->ag;
    const route_tables *rt = st->routes;
    size_t t = (size_t)behaviour_table(ag, i) * (size_t)net->n_edges;
    int riding = (ag->flags[i] & AGENT_ON_TRAIN) && ag->edge[i] != EDGE_NONE &&
                         net->edges[ag->edge[i]].to == v
                     ? net->edges[ag->edge[i]].line
                     : -1;
    int first = net->out_start[v], last = net->out_start[v + 1];
    int32_t money = ag->money[i];
    if ((riding < 0 || rt->no_bonus) &&
        money >= rt->max_fare[v]) { /* the common case, from the summaries */
        size_t at = (size_t)behaviour_table(ag, i) * (size_t)net->n_nodes + (size_t)v;
        int pick = rt->node_pick[at];
        if (pick != -2) return pick >= 0 ? pick : rt->cheapest[at];
        double target = next_uniform(s, i, d) * rt->node_sum[at], acc = 0;
        const float *weight = rt->weight + t;
        for (int k = first; k < last; k++) {
            int e = net->out_edges[k];
            if (weight[e] <= 0) continue;
            pick = e;
            acc += weight[e];
            if (target < acc) break;
        }
        return pick;
    }
    double sum = 0;
    int cheapest = -1, positive = 0, only = -1;
    for (int k = first; k < last; k++) {
        int e = net->out_edges[k];
        if (st->fare[e] <= money && rt->total[t + e] < INFINITY &&
            (cheapest < 0 || rt->total[t + e] < rt->total[t + cheapest]))
            cheapest = e;
        float x = edge_weight(net, st, rt, t, e, money, riding);
        if (x > 0) positive++, only = e, sum += x;
    }
    if (positive <= 1) return positive ? only : cheapest;
    double target = next_uniform(s, i, d) * sum, acc = 0;
    for (int k = first; k < last; k++) {
        int e = net->out_edges[k];
        float x = edge_weight(net, st, rt, t, e, money, riding);
        if (x <= 0) continue;
        only = e;
        acc += x;
        if (target < acc) break;
    }
    return only;
}

/* A plan made on an earlier day may have become unusable (timeline change). */
static bool plan_usable(const sim *s, const movement_state *st, size_t i)
{
    int e = s->ag.plan[i];
    if (e == EDGE_NONE || s->net->edges[e].from != s->ag.node[i]) return false;
    const route_tables *rt = st->routes;
    size_t t = (size_t)behaviour_table(&s->ag, i) * (size_t)s->net->n_edges;
    return isfinite(rt->total[t + (size_t)e]);
}

static void movement_plan(sim *s, void *state, size_t i, worker *w)
{
    movement_state *st = state;
    agents *ag = &s->ag;
    if (ag->state[i] != STATE_WAITING) return;
    ag->flags[i] &= (uint8_t)~AGENT_ASKED_SEAT;
    if (stays_put(s, st, i)) return;
    if (s->net->nodes[ag->node[i]].kind == NODE_EXIT) return;
    if (!plan_usable(s, st, i)) {
        draws d = {.next = 0};
        int e = choose_edge(s, st, i, ag->node[i], &d);
        ag->plan[i] = e < 0 ? EDGE_NONE : (uint16_t)e;
    }
    if (ag->plan[i] == EDGE_NONE) return;
    const edge *ed = &s->net->edges[ag->plan[i]];
    if (ed->mode == MODE_RAIL && st->departures[ed->line] > 0 &&
        !riding_line(ag, i, s->net, ed->line)) {
        sim_request(s, w, i, st->rail_base + (uint32_t)ag->plan[i], SLOT_SEAT);
        ag->flags[i] |= AGENT_ASKED_SEAT;
    }
}

/* A jump for a moving train: true if aboard. A miss may end in a fall. */
static bool try_boarding(sim *s, const movement_state *st, size_t i, int e, worker *w)
{
    agents *ag = &s->ag;
    const boarding_params *b = &st->p->boarding;
    if (!b->on) return true;
    double speed = st->p->lines[s->net->edges[e].line].speed_kmh;
    double u[4];
    rng_uniform4(s->key, ag->id[i], (uint32_t)s->day, RNG_BOARDING, 0, u);
    if (u[0] < trains_board_probability(b, speed)) return true;
    sim_event(s, w, i, EVENT_BOARDING_FAILURE);
    /* Hazards (a storm, damaged track) multiply the risk of the jump. */
    double fall = trains_fall_probability(b, speed) * s->edge_status.today.hazard[e];
    if (u[1] >= fall) return false;
    sim_incident(s, w, INCIDENT_INJURY, sim_place_edge(s, e));
    if (u[2] < b->death_if_fall) {
        ag->state[i] = STATE_DEAD;
        sim_event(s, w, i, EVENT_DEATH);
        return false;
    }
    /* Recovery time: uniform between half and one and a half times the mean. */
    double days = b->injury_days * (0.5 + u[3]);
    ag->injury[i] = (uint8_t)(days > 255 ? 255 : days < 1 ? 1 : days);
    sim_event(s, w, i, EVENT_INJURY);
    rng_uniform4(s->key, ag->id[i], (uint32_t)s->day, RNG_INJURY, 0, u);
    if (u[0] < b->give_up_if_injured) {
        ag->state[i] = STATE_RETURNED;
        sim_event(s, w, i, EVENT_RETURNED_HOME);
    }
    return false;
}

static void arrive_at_exit(sim *s, size_t i, worker *w)
{
    s->ag.state[i] = STATE_ARRIVED;
    sim_event(s, w, i, EVENT_ARRIVAL);
}

/* Leaving a node: what the agent did there is behind it. */
static void set_out(agents *ag, size_t i, int e)
{
    ag->edge[i] = (uint16_t)e;
    ag->plan[i] = EDGE_NONE;
    ag->flags[i] &= (uint8_t) ~(AGENT_NO_WORK_HERE | AGENT_SHELTERED_HERE | AGENT_WANTS_SHELTER);
}

/* Takes the planned edge if the agent can today: returns the edge, or -1 to stay. */
static int depart(sim *s, movement_state *st, size_t i, int e, worker *w)
{
    agents *ag = &s->ag;
    const edge *ed = &s->net->edges[e];
    if (ed->mode == MODE_RAIL && !riding_line(ag, i, s->net, ed->line)) {
        bool asked = ag->flags[i] & AGENT_ASKED_SEAT;
        ag->flags[i] &= (uint8_t) ~(AGENT_ON_TRAIN | AGENT_ASKED_SEAT);
        if (!(ag->grants[i] & (1u << SLOT_SEAT))) {
            if (asked) ag->plan[i] = EDGE_NONE; /* the train was full: think again tomorrow */
            return -1;
        }
        ag->grants[i] &= (uint8_t) ~(1u << SLOT_SEAT);
        if (!try_boarding(s, st, i, e, w)) {
            ag->plan[i] = EDGE_NONE;
            return -1;
        }
        ag->flags[i] |= AGENT_ON_TRAIN;
        sim_event(s, w, i, EVENT_BOARDING);
        w->extra[st->boardings_extra + (size_t)ag->node[i]]++;
    } else if (ed->mode != MODE_RAIL) {
        ag->flags[i] &= (uint8_t)~AGENT_ON_TRAIN;
        if (st->fare[e] > ag->money[i]) {
            ag->plan[i] = EDGE_NONE;
            return -1;
        }
        ag->money[i] -= st->fare[e];
    }
    return e;
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
    } else if (ag->state[i] == STATE_WAITING && ag->injury[i] > 0) {
        ag->injury[i]--; /* resting where they are */
        ag->flags[i] &= (uint8_t)~AGENT_ON_TRAIN;
        return;
    }
    draws d = {.next = 4}; /* block 0 is the plan's */
    while (ag->state[i] == STATE_WAITING) {
        int v = ag->node[i];
        if (net->nodes[v].kind == NODE_EXIT && agent_goal(ag, i) == GOAL_TRANSIT) {
            arrive_at_exit(s, i, w);
            return;
        }
        if (stays_put(s, st, i)) {
            ag->flags[i] &= (uint8_t)~AGENT_ON_TRAIN; /* got off */
            return;
        }
        if (budget <= 1e-9) return;
        if (!plan_usable(s, st, i)) {
            int e = choose_edge(s, st, i, v, &d);
            if (e < 0) {
                hazards_blocked(s, w, i, e); /* counted as stranded if a closure is why */
                return;
            }
            ag->plan[i] = (uint16_t)e;
        }
        if (hazards_blocked(s, w, i, ag->plan[i])) return; /* closed: wait at the node */
        int e = depart(s, st, i, ag->plan[i], w);
        if (e < 0) return;
        const edge *ed = &net->edges[e];
        w->edge_flow[e]++;
        set_out(ag, i, e);
        sim_enter_edge(s, i, e, w);
        /* Stopped on the way (detained...), or sent back to the start of the edge
         * (thrown off a train: the hook took the edge away). */
        if (ag->state[i] != STATE_WAITING || ag->edge[i] != e) return;
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
    const network *net = s->net;
    const int64_t *flow = series_i64(s->s_edge_flow, (size_t)s->day);
    int64_t *mode_flow = series_i64(st->s_mode_flow, (size_t)s->day);
    double *mode_km = series_f64(st->s_mode_km, (size_t)s->day);
    int64_t *boardings = series_i64(st->s_boardings, (size_t)s->day);
    for (int v = 0; v < net->n_nodes; v++)
        boardings[v] = sim_extra_total(s, st->boardings_extra + (size_t)v);
    for (int e = 0; e < net->n_edges; e++) {
        mode_flow[net->edges[e].mode] += flow[e];
        mode_km[net->edges[e].mode] += (double)flow[e] * net->edges[e].km;
    }
}

static void movement_free_state(void *state)
{
    movement_state *st = state;
    free(st->travel_days);
    free(st->fare);
    free(st->departures);
    free(st->services);
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
    .plan_states = STATE_BIT(STATE_WAITING),
    .act_states = STATE_BIT(STATE_WAITING) | STATE_BIT(STATE_TRAVELLING),
    .day_end = movement_day_end,
    .free_state = movement_free_state,
};
