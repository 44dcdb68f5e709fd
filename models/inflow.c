/* Inflow: migrants entering at the border crossings.
 *
 * Each day and for each (crossing, nationality) the number of entries is Poisson
 * with mean  per_year / 365.25 x crossing share x nationality share x month factor.
 * The count is drawn from a stream keyed by (crossing, nationality, day), so it is
 * the same whatever else the run does. New agents get consecutive ids in a fixed
 * order (crossing, then nationality), which keys all their later random draws.
 *
 * Who they are (`inflow.people`, optional): sex by nationality; age band; minors
 * with or without family, adults with or without children; goal (transit to the
 * US, seasonal work, undecided) by nationality; a smuggler contract (transit
 * migrants only); contacts from earlier waves; money in hand, log-normal. Without
 * `people`, everyone is an adult man travelling alone to the US with no money, no
 * smuggler and no contacts. Attributes come from the agent's own stream
 * (RNG_ATTRIBUTES), so they do not depend on anything else in the run. */
#include "models/inflow.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/labour.h"
#include "models/params.h"
#include "sim/sim.h"

typedef struct people_params {
    bool on;
    double female[NAT_COUNT];
    double age_share[AGE_COUNT];
    double minors_accompanied;
    double adults_with_children;
    double goal_share[NAT_COUNT][GOAL_COUNT];
    double smuggler_share; /* of transit migrants */
    double contacts_share;
    double money_median, money_sigma;
} people_params;

typedef struct inflow_params {
    double per_year;
    double *crossing_share; /* per node; 0 where nobody enters */
    double nationality_share[NAT_COUNT];
    double month_factor[12]; /* normalised to mean 1 */
    people_params people;
} inflow_params;

typedef struct inflow_state {
    gsl_rng *rng;
    char *reaches_farm; /* per node, for this epoch: some farm can be reached from it */
    int *stack;
} inflow_state;

static int read_people(cfg *root, cfg *sec, people_params *pp, diag *d)
{
    cfg *ppl = cfg_child(sec, "people"), *female, *ages, *goals[NAT_COUNT], *money;
    pp->on = ppl != NULL;
    if (!ppl) return 0;
    if (cfg_get_map(sec, "people", &ppl, d) || cfg_get_map(ppl, "female_share", &female, d) ||
        cfg_get_map(ppl, "age_bands", &ages, d) ||
        params_shares(ages, age_names, AGE_COUNT, pp->age_share, d) ||
        cfg_get_double(ppl, "minors_accompanied", 0, 1, &pp->minors_accompanied, d) ||
        cfg_get_double(ppl, "adults_with_children", 0, 1, &pp->adults_with_children, d) ||
        params_named_maps(ppl, "goals", nationality_names, NAT_COUNT, goals, d) ||
        cfg_get_double(ppl, "smuggler_share", 0, 1, &pp->smuggler_share, d) ||
        cfg_get_double(ppl, "contacts_share", 0, 1, &pp->contacts_share, d) ||
        cfg_get_map(ppl, "money", &money, d) ||
        cfg_get_double(money, "median", 0, 1e8, &pp->money_median, d) ||
        cfg_get_double(money, "sigma", 0, 5, &pp->money_sigma, d))
        return -1;
    for (int k = 0; k < NAT_COUNT; k++)
        if (cfg_get_double(female, nationality_names[k], 0, 1, &pp->female[k], d) ||
            params_shares(goals[k], goal_names, GOAL_COUNT, pp->goal_share[k], d))
            return -1;
    for (size_t i = 0; i < female->n; i++)
        if (!female->kids[i]->used)
            return params_fail(female->kids[i], d, "unknown nationality '%s'",
                               female->kids[i]->key);
    /* Seasonal work needs somewhere to work. */
    for (int k = 0; k < NAT_COUNT; k++)
        if (pp->goal_share[k][GOAL_TRANSIT] < 1 && !cfg_child(root, "labour"))
            return params_fail(goals[k], d,
                               "goals other than transit need a `labour:` section with farms");
    return 0;
}

static int inflow_read(cfg *root, const network *net, void *params, diag *d)
{
    inflow_params *p = params;
    cfg *sec, *cross, *nat, *months = NULL;
    double scale;
    if (cfg_get_map(root, "inflow", &sec, d) ||
        cfg_get_double(sec, "per_year", 0, 1e9, &p->per_year, d) ||
        cfg_get_map(sec, "crossings", &cross, d) || cfg_get_map(sec, "nationalities", &nat, d) ||
        params_population_scale(root, &scale, d))
        return -1;
    p->per_year *= scale;
    p->crossing_share = calloc((size_t)net->n_nodes, sizeof(double));
    if (!p->crossing_share) abort();
    if (network_read_node_values(net, cross, 0, 1, p->crossing_share, d)) return -1;
    double sum = 0;
    for (size_t i = 0; i < cross->n; i++) {
        cfg *c = cross->kids[i];
        int v = network_find_node(net, c->key);
        if (net->nodes[v].kind != NODE_ORIGIN && net->nodes[v].kind != NODE_CROSSING) {
            char path[256];
            cfg_path(c, path, sizeof path);
            diag_input(d, c->file, c->line, path,
                       "'%s' is a %s; migrants enter only at origin or crossing nodes", c->key,
                       node_kind_names[net->nodes[v].kind]);
            return -1;
        }
        sum += p->crossing_share[v];
    }
    if (fabs(sum - 1) > 1e-6) {
        char path[256];
        cfg_path(cross, path, sizeof path);
        diag_input(d, cross->file, cross->line, path, "shares must add up to 1 (they add up to %g)",
                   sum);
        return -1;
    }
    if (params_shares(nat, nationality_names, NAT_COUNT, p->nationality_share, d) ||
        read_people(root, sec, &p->people, d))
        return -1;
    for (int m = 0; m < 12; m++)
        p->month_factor[m] = 1;
    if (cfg_child(sec, "monthly_profile")) {
        if (cfg_get_list(sec, "monthly_profile", &months, d)) return -1;
        if (months->n != 12) {
            char path[256];
            cfg_path(months, path, sizeof path);
            diag_input(d, months->file, months->line, path,
                       "expected 12 monthly factors (January to December), found %zu", months->n);
            return -1;
        }
        double mean = 0;
        for (int m = 0; m < 12; m++) {
            if (cfg_as_double(months->kids[m], 0, 1e6, &p->month_factor[m], d)) return -1;
            mean += p->month_factor[m] / 12;
        }
        if (mean <= 0) {
            char path[256];
            cfg_path(months, path, sizeof path);
            diag_input(d, months->file, months->line, path, "monthly factors are all zero");
            return -1;
        }
        for (int m = 0; m < 12; m++)
            p->month_factor[m] /= mean;
    }
    return 0;
}

static void inflow_free_params(void *params)
{
    free(((inflow_params *)params)->crossing_share);
}

static int inflow_init(sim *s, void **state, diag *d)
{
    (void)d;
    inflow_state *st = calloc(1, sizeof *st);
    if (!st) abort();
    st->rng = rng_gsl_alloc();
    st->reaches_farm = calloc((size_t)s->net->n_nodes, 1);
    st->stack = calloc((size_t)s->net->n_nodes, sizeof(int));
    if (!st->reaches_farm || !st->stack) abort();
    *state = st;
    return 0;
}

static int pick(const double *share, int n, double u)
{
    double acc = 0;
    for (int k = 0; k < n - 1; k++) {
        acc += share[k];
        if (u < acc) return k;
    }
    return n - 1;
}

/* Which nodes can reach a farm: a backward search from the farms. */
static void find_farm_reach(const sim *s, inflow_state *st)
{
    const network *net = s->net;
    int top = 0;
    for (int v = 0; v < net->n_nodes; v++) {
        st->reaches_farm[v] = labour_is_farm(s, v);
        if (st->reaches_farm[v]) st->stack[top++] = v;
    }
    while (top > 0) {
        int v = st->stack[--top];
        for (int e = 0; e < net->n_edges; e++) {
            int u = net->edges[e].from;
            if (net->edges[e].to == v && !st->reaches_farm[u])
                st->reaches_farm[u] = 1, st->stack[top++] = u;
        }
    }
}

/* Attributes of new agent i (nationality and node already set). Seasonal work and
 * indecision need a farm within reach: where none is (the Tabasco crossings, whose
 * roads lead north only), those shares travel north. */
static void draw_person(sim *s, const inflow_state *st, const people_params *pp, size_t i)
{
    agents *ag = &s->ag;
    if (!pp->on) {
        ag->traits[i] = agent_traits(false, AGE_ADULT, false, false, false, GOAL_TRANSIT);
        return;
    }
    double u[4], v[4];
    rng_uniform4(s->key, ag->id[i], 0, RNG_ATTRIBUTES, 0, u);
    rng_uniform4(s->key, ag->id[i], 0, RNG_ATTRIBUTES, 1, v);
    int nat = ag->nationality[i];
    bool female = u[0] < pp->female[nat];
    int age = pick(pp->age_share, AGE_COUNT, u[1]);
    bool accompanied =
        u[2] < (age == AGE_ADULT ? pp->adults_with_children : pp->minors_accompanied);
    int goal = pick(pp->goal_share[nat], GOAL_COUNT, u[3]);
    if (!st->reaches_farm[ag->node[i]]) goal = GOAL_TRANSIT;
    bool smuggler = goal == GOAL_TRANSIT && v[0] < pp->smuggler_share;
    bool contacts = v[1] < pp->contacts_share;
    ag->traits[i] = agent_traits(female, age, accompanied, smuggler, contacts, goal);
    /* Box-Muller: a standard normal from two uniforms (1 - v avoids log(0)). */
    double z = sqrt(-2 * log(1 - v[2])) * cos(2 * M_PI * v[3]);
    double money = pp->money_median * exp(pp->money_sigma * z);
    ag->money[i] = (int32_t)(money < 1e9 ? lround(money) : 1000000000);
}

static void inflow_day_start(sim *s, void *state)
{
    inflow_state *st = state;
    const inflow_params *p = sim_params(s, MODULE_INFLOW);
    int y, m, d;
    sim_date(s, s->day, &y, &m, &d);
    double per_day = p->per_year / 365.25 * p->month_factor[m - 1];
    if (s->epoch_changed) find_farm_reach(s, st);
    for (int v = 0; v < s->net->n_nodes; v++) {
        if (p->crossing_share[v] <= 0) continue;
        for (int k = 0; k < NAT_COUNT; k++) {
            double mean = per_day * p->crossing_share[v] * p->nationality_share[k];
            if (mean <= 0) continue;
            rng_gsl_reset(st->rng, s->key, (uint32_t)(v * NAT_COUNT + k), (uint32_t)s->day,
                          RNG_INFLOW);
            unsigned count = gsl_ran_poisson(st->rng, mean);
            size_t first = agents_spawn(&s->ag, count);
            for (size_t i = first; i < first + count; i++) {
                s->ag.id[i] = s->next_id++;
                s->ag.node[i] = s->ag.home[i] = (uint16_t)v;
                s->ag.state[i] = STATE_WAITING;
                s->ag.nationality[i] = (uint8_t)k;
                s->ag.entry_day[i] = (uint16_t)s->day;
            }
        }
    }
}

/* Who a newcomer is, drawn in the plan pass by the thread that plans it (each
 * person's draws are keyed by their id, so any thread may draw them). */
static void inflow_agent_new(sim *s, void *state, size_t i, worker *w)
{
    const inflow_params *p = sim_params(s, MODULE_INFLOW);
    draw_person(s, state, &p->people, i);
    sim_event(s, w, i, EVENT_ENTRY);
}

static void inflow_free_state(void *state)
{
    inflow_state *st = state;
    gsl_rng_free(st->rng);
    free(st->reaches_farm);
    free(st->stack);
    free(st);
}

double inflow_per_year(const void *params)
{
    return ((const inflow_params *)params)->per_year;
}

static double inflow_expected(const void *params, int32_t start, int days)
{
    const inflow_params *p = params;
    double total = 0;
    for (int day = 0; day < days; day++) {
        int y, m, d;
        date_from_days(start + day, &y, &m, &d);
        total += p->per_year / 365.25 * p->month_factor[m - 1];
    }
    return total;
}

const module inflow_module = {
    .name = "inflow",
    .params_size = sizeof(inflow_params),
    .read_params = inflow_read,
    .free_params = inflow_free_params,
    .init = inflow_init,
    .day_start = inflow_day_start,
    .agent_new = inflow_agent_new,
    .free_state = inflow_free_state,
    .expected_entries = inflow_expected,
};
