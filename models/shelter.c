/* Shelters: see shelter.h for the rules. */
#include "models/shelter.h"

#include <math.h>
#include <stdlib.h>

#include "models/params.h"
#include "sim/sim.h"

typedef struct shelter_params {
    bool on;
    double *beds; /* per node */
    double stay_days;
    double rest_share;
    double leave_queue_per_day;
    double recovery_per_day;
} shelter_params;

typedef struct shelter_state {
    const shelter_params *p;
    int64_t *staying;  /* per node: guests staying on tonight beyond today (yesterday's count) */
    int64_t *beds;     /* per node, today */
    uint32_t bed_base; /* capacity resource of node v: bed_base + v */
    size_t staying_off, turned_away_off; /* extra counters per node */
    series *s_turned_away;
} shelter_state;

enum { RNG_SHELTER = RNG_BEHAVIOUR + 1 };

static int shelter_read(cfg *root, const network *net, void *params, diag *d)
{
    shelter_params *p = params;
    cfg *sec = cfg_child(root, "shelters"), *beds;
    p->beds = calloc((size_t)net->n_nodes, sizeof(double));
    if (!p->beds) abort();
    p->on = sec != NULL;
    if (!sec) return 0;
    double scale;
    if (cfg_get_map(root, "shelters", &sec, d) ||
        cfg_get_double(sec, "stay_days", 1, 365, &p->stay_days, d) ||
        cfg_get_double(sec, "rest_share", 0, 1, &p->rest_share, d) ||
        cfg_get_double(sec, "leave_queue_per_day", 0, 1, &p->leave_queue_per_day, d) ||
        cfg_get_double(sec, "recovery_per_day", 1, 255, &p->recovery_per_day, d) ||
        cfg_get_map(sec, "beds", &beds, d) ||
        network_read_node_values(net, beds, 0, 1e6, p->beds, d) ||
        params_population_scale(root, &scale, d))
        return -1;
    for (int v = 0; v < net->n_nodes; v++)
        p->beds[v] = params_scale_capacity(p->beds[v], scale);
    return 0;
}

static void shelter_free_params(void *params)
{
    free(((shelter_params *)params)->beds);
}

static int shelter_init(sim *s, void **state, diag *d)
{
    (void)d;
    size_t V = (size_t)s->net->n_nodes;
    shelter_state *st = calloc(1, sizeof *st);
    if (!st) abort();
    st->staying = calloc(V, sizeof(int64_t));
    st->beds = calloc(V, sizeof(int64_t));
    if (!st->staying || !st->beds) abort();
    /* Guests staying on carry over (checkpoints, sim/persist.h). */
    sim_persist(s, "shelter.staying", st->staying, sizeof *st->staying, V);
    st->bed_base = capacity_register(&s->caps, (uint32_t)V);
    st->staying_off = sim_reserve_extra(s, V);
    st->turned_away_off = sim_reserve_extra(s, V);
    st->s_turned_away = series_add(&s->out, "shelter_turned_away", SERIES_INT64, "people per day",
                                   "people asking for a shelter bed and not getting one, at "
                                   "each node each day",
                                   (const char *const[]){"node", NULL});
    *state = st;
    return 0;
}

static void shelter_day_start(sim *s, void *state)
{
    shelter_state *st = state;
    st->p = sim_params(s, MODULE_SHELTER);
    for (int v = 0; v < s->net->n_nodes; v++) {
        st->beds[v] = st->p->on ? (int64_t)floor(st->p->beds[v]) : 0;
        int64_t free_beds = st->beds[v] - st->staying[v];
        s->caps.capacity[st->bed_base + (uint32_t)v] = free_beds > 0 ? free_beds : 0;
    }
}

bool shelter_at(const sim *s, int v)
{
    const shelter_state *st = s->state[MODULE_SHELTER];
    return st->beds[v] > 0;
}

bool shelter_wants_bed(const sim *s, size_t i)
{
    const agents *ag = &s->ag;
    if (ag->state[i] != STATE_WAITING || !((ag->flags[i] & AGENT_WANTS_SHELTER) || ag->injury[i]))
        return false;
    const shelter_state *st = s->state[MODULE_SHELTER];
    return st->beds[ag->node[i]] > 0;
}

/* Someone arriving in a town with a shelter decides whether to ask for a bed. */
static void shelter_reach_node(sim *s, void *state, size_t i, int v, worker *w)
{
    (void)w;
    shelter_state *st = state;
    agents *ag = &s->ag;
    if (st->beds[v] <= 0 || ag->state[i] != STATE_WAITING || (ag->flags[i] & AGENT_SHELTERED_HERE))
        return;
    double u[4];
    rng_uniform4(s->key, ag->id[i], (uint32_t)s->day, RNG_SHELTER, (uint32_t)v, u);
    if (u[0] < st->p->rest_share) ag->flags[i] |= AGENT_WANTS_SHELTER;
}

static void shelter_plan(sim *s, void *state, size_t i, worker *w)
{
    shelter_state *st = state;
    if (shelter_wants_bed(s, i))
        sim_request(s, w, i, st->bed_base + (uint32_t)s->ag.node[i], SLOT_BED);
}

/* One night in the shelter: heal; true if the guest stays beyond tomorrow's start. */
static bool night(const shelter_params *p, agents *ag, size_t i)
{
    int heal = (int)p->recovery_per_day;
    ag->injury[i] = (uint8_t)(ag->injury[i] > heal ? ag->injury[i] - heal : 0);
    return ag->timer[i] > 0 || ag->injury[i] > 0;
}

static void shelter_act(sim *s, void *state, size_t i, worker *w)
{
    shelter_state *st = state;
    const shelter_params *p = st->p;
    agents *ag = &s->ag;
    if (!p->on) return;
    int v = ag->node[i];
    if (ag->state[i] == STATE_SHELTERED) {
        if (ag->timer[i] == 0 && ag->injury[i] == 0) {
            ag->state[i] = STATE_WAITING; /* leaves this morning */
            return;
        }
        if (ag->timer[i] > 0) ag->timer[i]--;
        if (night(p, ag, i)) w->extra[st->staying_off + (size_t)v]++;
        return;
    }
    if (!shelter_wants_bed(s, i)) return;
    if (ag->grants[i] & (1u << SLOT_BED)) {
        ag->state[i] = STATE_SHELTERED;
        ag->timer[i] = (uint16_t)(p->stay_days - 1);
        ag->flags[i] = (uint8_t)((ag->flags[i] & ~(AGENT_WANTS_SHELTER | AGENT_ON_TRAIN)) |
                                 AGENT_SHELTERED_HERE | AGENT_INFORMED);
        ag->plan[i] = EDGE_NONE;
        sim_event(s, w, i, EVENT_SHELTER_ADMISSION);
        if (night(p, ag, i)) w->extra[st->staying_off + (size_t)v]++;
        return;
    }
    w->extra[st->turned_away_off + (size_t)v]++;
    if (ag->injury[i] > 0) return; /* the injured wait at the door */
    double u[4];
    rng_uniform4(s->key, ag->id[i], (uint32_t)s->day, RNG_SHELTER + 1, 0, u);
    if (u[0] < p->leave_queue_per_day)
        ag->flags[i] = (uint8_t)((ag->flags[i] & ~AGENT_WANTS_SHELTER) | AGENT_SHELTERED_HERE);
}

static void shelter_day_end(sim *s, void *state)
{
    shelter_state *st = state;
    int64_t *away = series_i64(st->s_turned_away, (size_t)s->day);
    for (int v = 0; v < s->net->n_nodes; v++) {
        st->staying[v] = sim_extra_total(s, st->staying_off + (size_t)v);
        away[v] = sim_extra_total(s, st->turned_away_off + (size_t)v);
    }
}

static void shelter_free_state(void *state)
{
    shelter_state *st = state;
    free(st->staying);
    free(st->beds);
    free(st);
}

const module shelter_module = {
    .name = "shelters",
    .params_size = sizeof(shelter_params),
    .read_params = shelter_read,
    .free_params = shelter_free_params,
    .init = shelter_init,
    .day_start = shelter_day_start,
    .agent_plan = shelter_plan,
    .agent_act = shelter_act,
    .plan_states = STATE_BIT(STATE_WAITING),
    .act_states = STATE_BIT(STATE_WAITING) | STATE_BIT(STATE_SHELTERED),
    .agent_reach_node = shelter_reach_node,
    .day_end = shelter_day_end,
    .free_state = shelter_free_state,
};
