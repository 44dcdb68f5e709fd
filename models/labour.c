/* Labour and money: see labour.h for the rules. */
#include "models/labour.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/params.h"
#include "models/shelter.h"
#include "sim/sim.h"

typedef struct labour_params {
    bool on;
    double daily_spend;
    double contract_days;
    double transit_money_target;
    double give_up_per_day;
    double settle_per_work_day;
    double undecided_decide_per_work_day;
    double undecided_transit_share;
    double quit_at_home;
    double home_days;
    double return_per_day;
    /* Per node: */
    double *jobs;   /* jobs at peak demand; 0: no work here */
    double *wage;   /* pesos per day */
    double *demand; /* 12 per node: share of the peak jobs offered in each month */
    char *farm;     /* a farm: seasonal workers' destination */
} labour_params;

typedef struct labour_state {
    const labour_params *p;
    int64_t *jobs_today; /* per node */
    int64_t *continuing; /* per node: contracts running on into tomorrow */
    bool season_open;    /* some farm hires this month */
    int contract_today;  /* days of a contract signed today (ends with the month) */
    int32_t spend;       /* pesos a day */
    double settle_in_contract, decide_in_contract; /* per contract signed today */
    int32_t *wage;                                 /* per node, whole pesos a day */
    uint32_t job_base;                             /* capacity resource of node v: job_base + v */
    size_t continuing_off, wages_off;              /* extra counters per node */
    series *s_jobs, *s_wages;
} labour_state;

enum { RNG_LABOUR_DAY = RNG_LABOUR + 0, RNG_LABOUR_WORK = RNG_LABOUR + 1 };

static int read_places(cfg *sec, const char *key, const network *net, labour_params *p, bool farm,
                       diag *d)
{
    cfg *map;
    if (cfg_get_map(sec, key, &map, d)) return -1;
    for (size_t k = 0; k < map->n; k++) {
        cfg *c = map->kids[k];
        int v = network_find_node(net, c->key);
        if (v < 0) return params_fail(c, d, "unknown node '%s'", c->key);
        if (p->jobs[v] > 0)
            return params_fail(c, d, "'%s' is listed twice (farms and odd_jobs)", c->key);
        if (cfg_expect(c, CFG_MAP, d) || cfg_get_double(c, "jobs", 0, 1e8, &p->jobs[v], d) ||
            cfg_get_double(c, "daily_wage", 0, 1e6, &p->wage[v], d) ||
            params_list(c, "monthly_demand", 12, 0, 1, &p->demand[v * 12], d))
            return -1;
        p->farm[v] = farm;
    }
    return 0;
}

static int labour_read(cfg *root, const network *net, void *params, diag *d)
{
    labour_params *p = params;
    cfg *sec = cfg_child(root, "labour");
    size_t V = (size_t)net->n_nodes;
    p->jobs = calloc(V, sizeof(double));
    p->wage = calloc(V, sizeof(double));
    p->demand = calloc(V * 12, sizeof(double));
    p->farm = calloc(V, 1);
    if (!p->jobs || !p->wage || !p->demand || !p->farm) abort();
    p->on = sec != NULL;
    if (!sec) return 0;
    double scale;
    if (cfg_get_map(root, "labour", &sec, d) ||
        cfg_get_double(sec, "daily_spend", 0, 1e5, &p->daily_spend, d) ||
        cfg_get_double(sec, "contract_days", 1, 366, &p->contract_days, d) ||
        cfg_get_double(sec, "transit_money_target", 0, 1e8, &p->transit_money_target, d) ||
        cfg_get_double(sec, "give_up_per_day", 0, 1, &p->give_up_per_day, d) ||
        cfg_get_double(sec, "settle_per_work_day", 0, 1, &p->settle_per_work_day, d) ||
        cfg_get_double(sec, "undecided_decide_per_work_day", 0, 1,
                       &p->undecided_decide_per_work_day, d) ||
        cfg_get_double(sec, "undecided_transit_share", 0, 1, &p->undecided_transit_share, d) ||
        cfg_get_double(sec, "quit_at_home", 0, 1, &p->quit_at_home, d) ||
        cfg_get_double(sec, "home_days", 0, 3650, &p->home_days, d) ||
        cfg_get_double(sec, "return_per_day", 0, 1, &p->return_per_day, d) ||
        read_places(sec, "farms", net, p, true, d) ||
        read_places(sec, "odd_jobs", net, p, false, d) || params_population_scale(root, &scale, d))
        return -1;
    for (size_t v = 0; v < V; v++)
        p->jobs[v] = params_scale_capacity(p->jobs[v], scale);
    return 0;
}

static void labour_free_params(void *params)
{
    labour_params *p = params;
    free(p->jobs);
    free(p->wage);
    free(p->demand);
    free(p->farm);
}

static int labour_init(sim *s, void **state, diag *d)
{
    (void)d;
    size_t V = (size_t)s->net->n_nodes;
    labour_state *st = calloc(1, sizeof *st);
    if (!st) abort();
    st->jobs_today = calloc(V, sizeof(int64_t));
    st->continuing = calloc(V, sizeof(int64_t));
    st->wage = calloc(V, sizeof(int32_t));
    if (!st->jobs_today || !st->continuing || !st->wage) abort();
    /* Contracts running on into tomorrow carry over (checkpoints, sim/persist.h). */
    sim_persist(s, "labour.continuing", st->continuing, sizeof *st->continuing, V);
    st->job_base = capacity_register(&s->caps, (uint32_t)V);
    st->continuing_off = sim_reserve_extra(s, V);
    st->wages_off = sim_reserve_extra(s, V);
    st->s_jobs = series_add(&s->out, "jobs_offered", SERIES_INT64, "jobs",
                            "jobs for migrants at each node each day (peak jobs x the month's "
                            "demand)",
                            (const char *const[]){"node", NULL});
    st->s_wages = series_add(&s->out, "wages_paid", SERIES_INT64, "pesos per day",
                             "wages paid to migrants at each node each day",
                             (const char *const[]){"node", NULL});
    *state = st;
    return 0;
}

static int month_of(const sim *s, int day, int *days_left_in_month)
{
    int y, m, d, y2, m2, d2;
    sim_date(s, day, &y, &m, &d);
    int left = 1;
    for (;;) { /* at most 31 steps, once a day: simple beats clever here */
        sim_date(s, day + left, &y2, &m2, &d2);
        if (m2 != m) break;
        left++;
    }
    *days_left_in_month = left;
    return m - 1;
}

static void labour_day_start(sim *s, void *state)
{
    labour_state *st = state;
    st->p = sim_params(s, MODULE_LABOUR);
    int left, m = month_of(s, s->day, &left);
    st->contract_today = st->p->contract_days < left ? (int)st->p->contract_days : left;
    st->spend = (int32_t)lround(st->p->daily_spend);
    /* Daily rates over a whole contract: decisions are drawn once, when it is signed. */
    st->settle_in_contract = 1 - pow(1 - st->p->settle_per_work_day, st->contract_today);
    st->decide_in_contract = 1 - pow(1 - st->p->undecided_decide_per_work_day, st->contract_today);
    st->season_open = false;
    for (int v = 0; v < s->net->n_nodes; v++) {
        int64_t jobs = (int64_t)floor(st->p->jobs[v] * st->p->demand[v * 12 + m]);
        st->jobs_today[v] = jobs;
        if (st->p->farm[v] && jobs > 0) st->season_open = true;
        st->wage[v] = (int32_t)lround(st->p->wage[v]);
        int64_t free_jobs = jobs - st->continuing[v];
        s->caps.capacity[st->job_base + (uint32_t)v] = free_jobs > 0 ? free_jobs : 0;
    }
}

bool labour_is_farm(const sim *s, int v)
{
    const labour_params *p = sim_params(s, MODULE_LABOUR);
    return p->farm[v] && p->jobs[v] > 0;
}

bool labour_hires_at(const sim *s, int v)
{
    const labour_state *st = s->state[MODULE_LABOUR];
    return st->p->on && st->jobs_today[v] > 0;
}

bool labour_wants_job(const sim *s, size_t i)
{
    const agents *ag = &s->ag;
    if (ag->state[i] != STATE_WAITING && !(ag->state[i] == STATE_WORKING && ag->timer[i] == 0))
        return false;
    const labour_state *st = s->state[MODULE_LABOUR];
    int v = ag->node[i];
    if (!st->p->on || st->jobs_today[v] <= 0) return false;
    if (ag->injury[i] > 0 || (ag->flags[i] & AGENT_NO_WORK_HERE) || shelter_wants_bed(s, i))
        return false;
    if (agent_goal(ag, i) == GOAL_TRANSIT) return ag->money[i] < st->p->transit_money_target;
    return st->p->farm[v];
}

static void labour_plan(sim *s, void *state, size_t i, worker *w)
{
    labour_state *st = state;
    if (labour_wants_job(s, i))
        sim_request(s, w, i, st->job_base + (uint32_t)s->ag.node[i], SLOT_JOB);
}

static void leave_for_good(sim *s, size_t i, worker *w, agent_state final, event_kind ev)
{
    s->ag.state[i] = (uint8_t) final;
    sim_event(s, w, i, ev);
}

/* Undecided migrants make up their minds: north, or stay in Mexico. */
static void decide(sim *s, const labour_params *p, size_t i, worker *w, double u)
{
    if (u < p->undecided_transit_share)
        agent_set_goal(&s->ag, i, GOAL_TRANSIT);
    else
        leave_for_good(s, i, w, STATE_SETTLED, EVENT_SETTLED);
}

/* A seasonal worker without work goes home: for good, or until the next season. */
static void go_home(sim *s, const labour_params *p, size_t i, worker *w, double u)
{
    agents *ag = &s->ag;
    ag->node[i] = ag->home[i];
    ag->plan[i] = EDGE_NONE;
    ag->flags[i] &= (uint8_t) ~(AGENT_NO_WORK_HERE | AGENT_SHELTERED_HERE | AGENT_ON_TRAIN);
    if (u < p->quit_at_home) {
        leave_for_good(s, i, w, STATE_RETURNED, EVENT_RETURNED_HOME);
        return;
    }
    ag->state[i] = STATE_HOME;
    ag->timer[i] = (uint16_t)p->home_days;
    sim_event(s, w, i, EVENT_SEASON_HOME);
}

/* Signing a contract: whether the worker will settle, or (undecided) make up their
 * mind, when it ends. One draw per contract instead of one per day. */
static void sign(sim *s, const labour_state *st, size_t i)
{
    agents *ag = &s->ag;
    double u[4];
    rng_uniform4(s->key, ag->id[i], (uint32_t)s->day, RNG_LABOUR_WORK, 0, u);
    uint8_t f = ag->flags[i] & (uint8_t) ~(AGENT_SETTLES | AGENT_GOES_NORTH | AGENT_ON_TRAIN);
    if (u[0] < st->settle_in_contract)
        f |= AGENT_SETTLES;
    else if (agent_goal(ag, i) == GOAL_UNDECIDED && u[1] < st->decide_in_contract)
        f |= u[2] < st->p->undecided_transit_share ? AGENT_GOES_NORTH : AGENT_SETTLES;
    ag->flags[i] = f;
    ag->state[i] = STATE_WORKING;
    ag->timer[i] = (uint16_t)st->contract_today;
    ag->plan[i] = EDGE_NONE;
}

/* One day of work at node v; the contract ends with the day when timer hits 0. */
static void work_day(sim *s, labour_state *st, size_t i, worker *w)
{
    agents *ag = &s->ag;
    int v = ag->node[i];
    int32_t wage = st->wage[v];
    ag->money[i] = ag->money[i] > INT32_MAX - wage ? INT32_MAX : ag->money[i] + wage;
    w->extra[st->wages_off + (size_t)v] += wage;
    sim_event(s, w, i, EVENT_WAGE_DAY);
    if (ag->timer[i] > 0) ag->timer[i]--;
    if (ag->timer[i] > 0) {
        w->extra[st->continuing_off + (size_t)v]++;
        return;
    }
    uint8_t f = ag->flags[i];
    ag->flags[i] &= (uint8_t) ~(AGENT_SETTLES | AGENT_GOES_NORTH);
    if (f & AGENT_SETTLES)
        leave_for_good(s, i, w, STATE_SETTLED, EVENT_SETTLED);
    else if (f & AGENT_GOES_NORTH)
        agent_set_goal(ag, i, GOAL_TRANSIT);
}

/* A job seeker not hired today. */
static void not_hired(sim *s, const labour_params *p, size_t i, const double u[4])
{
    agents *ag = &s->ag;
    ag->state[i] = STATE_WAITING;
    if (u[0] < p->give_up_per_day) ag->flags[i] |= AGENT_NO_WORK_HERE;
}

/* Waiting agents the farms have no use for today. */
/* Today's draws of agent i for labour decisions, taken only when one is needed. */
typedef struct lazy_draws {
    double u[4];
    bool have;
} lazy_draws;

static const double *draws_of(const sim *s, size_t i, lazy_draws *d)
{
    if (!d->have) rng_uniform4(s->key, s->ag.id[i], (uint32_t)s->day, RNG_LABOUR_DAY, 0, d->u);
    d->have = true;
    return d->u;
}

static void without_work(sim *s, labour_state *st, size_t i, worker *w, lazy_draws *d)
{
    agents *ag = &s->ag;
    int goal = agent_goal(ag, i), v = ag->node[i];
    if (goal == GOAL_TRANSIT || !st->p->farm[v] || ag->injury[i] > 0 || shelter_wants_bed(s, i))
        return;
    bool no_work = st->jobs_today[v] <= 0 || (ag->flags[i] & AGENT_NO_WORK_HERE);
    if (!no_work) return;
    if (goal == GOAL_WORK)
        go_home(s, st->p, i, w, draws_of(s, i, d)[1]);
    else
        decide(s, st->p, i, w, draws_of(s, i, d)[2]);
}

/* A day's living costs, for those on the move or at work. */
static inline void spend_day(agents *ag, const labour_state *st, size_t i)
{
    ag->money[i] = ag->money[i] > st->spend ? ag->money[i] - st->spend : 0;
}

/* Everyone but the two common cases of labour_act: kept out of line so that the
 * common cases run without this one's stack frame. */
static __attribute__((noinline)) void labour_act_other(sim *s, labour_state *st, size_t i,
                                                       worker *w)
{
    const labour_params *p = st->p;
    agents *ag = &s->ag;
    int state_i = ag->state[i];
    if (state_i == STATE_SHELTERED) return;
    lazy_draws d;
    d.have = false; /* the uniforms are filled when first needed */
    if (state_i == STATE_HOME) {
        if (ag->timer[i] > 0)
            ag->timer[i]--;
        else if (st->season_open && draws_of(s, i, &d)[0] < p->return_per_day) {
            ag->state[i] = STATE_WAITING;
            sim_event(s, w, i, EVENT_SEASON_BACK);
        }
        return;
    }
    bool seeking = labour_wants_job(s, i);
    if (state_i == STATE_WAITING || state_i == STATE_WORKING) spend_day(ag, st, i);
    if (seeking) {
        if (ag->grants[i] & (1u << SLOT_JOB)) {
            sim_event(s, w, i, EVENT_HIRED);
            sign(s, st, i);
            work_day(s, st, i, w);
            return;
        }
        not_hired(s, p, i, draws_of(s, i, &d));
    } else if (state_i == STATE_WORKING) {
        /* (labour_act took those with days left) */
        ag->state[i] = STATE_WAITING; /* contract over, not looking for more */
    }
    if (ag->state[i] == STATE_WAITING) without_work(s, st, i, w, &d);
}

static void labour_act(sim *s, void *state, size_t i, worker *w)
{
    labour_state *st = state;
    agents *ag = &s->ag;
    if (!st->p->on) return;
    int state_i = ag->state[i];
    /* Most agents on most days: on the road, or at work with days left. */
    if (state_i == STATE_TRAVELLING) {
        spend_day(ag, st, i);
    } else if (state_i == STATE_WORKING && ag->timer[i] > 0) {
        spend_day(ag, st, i);
        work_day(s, st, i, w);
    } else {
        labour_act_other(s, st, i, w);
    }
}

static void labour_day_end(sim *s, void *state)
{
    labour_state *st = state;
    int64_t *jobs = series_i64(st->s_jobs, (size_t)s->day);
    int64_t *wages = series_i64(st->s_wages, (size_t)s->day);
    for (int v = 0; v < s->net->n_nodes; v++) {
        st->continuing[v] = sim_extra_total(s, st->continuing_off + (size_t)v);
        jobs[v] = st->jobs_today[v];
        wages[v] = sim_extra_total(s, st->wages_off + (size_t)v);
    }
}

static void labour_free_state(void *state)
{
    labour_state *st = state;
    free(st->jobs_today);
    free(st->continuing);
    free(st->wage);
    free(st);
}

const module labour_module = {
    .name = "labour",
    .params_size = sizeof(labour_params),
    .read_params = labour_read,
    .free_params = labour_free_params,
    .init = labour_init,
    .day_start = labour_day_start,
    .agent_plan = labour_plan,
    .agent_act = labour_act,
    /* Job seekers are waiting, or at the end of a contract. */
    .plan_states = STATE_BIT(STATE_WAITING) | STATE_BIT(STATE_WORKING),
    /* Everyone on the move spends; workers earn; seasonal workers come back. */
    .act_states = STATE_BIT(STATE_WAITING) | STATE_BIT(STATE_TRAVELLING) |
                  STATE_BIT(STATE_WORKING) | STATE_BIT(STATE_HOME),
    .day_end = labour_day_end,
    .free_state = labour_free_state,
};
