/* The enforcement module: parameters, outputs and the hooks that hand each agent
 * to checkpoints.c (encounters), detention.c (custody to deportation and back)
 * and documents.c (cards).
 *
 * An absent `enforcement:` section switches the module off: nobody is detected,
 * nobody carries documents, the outputs stay zero. When the section is present
 * every key in it is required. Every key may change on the timeline: the
 * parameters are read for each epoch. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/enforcement_internal.h"
#include "models/params.h"

static int enforcement_read(cfg *root, const network *net, void *params, diag *d)
{
    enforcement_params *p = params;
    cfg *sec = cfg_child(root, "enforcement");
    if (!sec) return 0; /* module off */
    p->enabled = true;
    double scale;
    if (cfg_get_map(root, "enforcement", &sec, d) || params_population_scale(root, &scale, d) ||
        checkpoints_read(sec, net, &p->cp, d) || detention_read(sec, net, scale, &p->det, d) ||
        documents_read(sec, &p->doc, d))
        return -1;
    return 0;
}

static void enforcement_free_params(void *params)
{
    enforcement_params *p = params;
    checkpoints_free(&p->cp);
    detention_free(&p->det);
}

static void register_outputs(sim *s, enforcement_state *st)
{
    series_set *out = &s->out;
    if (series_find_dim(out, "nationality") < 0)
        series_add_dim(out, "nationality", "", "nationality of migrants", NAT_COUNT,
                       nationality_names);
    st->s_detentions = series_add(out, "detentions", SERIES_INT64, "events per day",
                                  "detentions by place of capture (the origin node of an edge "
                                  "for captures on the way) and nationality",
                                  (const char *const[]){"node", "nationality", NULL});
    st->s_occupancy = series_add(out, "detention_occupancy", SERIES_INT64, "people",
                                 "people held in each migration station at the end of the day",
                                 (const char *const[]){"node", NULL});
    st->s_shelter = series_add(out, "minor_shelter_occupancy", SERIES_INT64, "people",
                               "unaccompanied minors in each child-protection shelter at the "
                               "end of the day",
                               (const char *const[]){"node", NULL});
    st->s_deportations = series_add(out, "deportations", SERIES_INT64, "people per day",
                                    "adults deported by bus, by nationality",
                                    (const char *const[]){"nationality", NULL});
    st->s_bribes =
        series_add(out, "bribes_paid", SERIES_INT64, "pesos per day",
                   "money paid by migrants in bribes to officials", (const char *const[]){NULL});
}

static int enforcement_init(sim *s, void **state, diag *d)
{
    (void)d;
    const network *net = s->net;
    size_t nn = (size_t)net->n_nodes;
    enforcement_state *st = calloc(1, sizeof *st);
    if (!st) abort();
    st->raid_edge = calloc((size_t)net->n_edges + 1, 1);
    st->raid_node = calloc(nn, 1);
    st->station_of = calloc(nn, sizeof(int));
    st->shelter_of = calloc(nn, sizeof(int));
    st->occupied = calloc(nn, sizeof(int64_t));
    st->sheltered = calloc(nn, sizeof(int64_t));
    if (!st->raid_edge || !st->raid_node || !st->station_of || !st->shelter_of || !st->occupied ||
        !st->sheltered)
        abort();
    for (size_t v = 0; v < nn; v++)
        st->station_of[v] = st->shelter_of[v] = -1;
    st->res_station = capacity_register(&s->caps, (uint32_t)nn);
    st->res_shelter = capacity_register(&s->caps, (uint32_t)nn);
    st->res_deport = capacity_register(&s->caps, NAT_COUNT);
    st->res_minor_return = capacity_register(&s->caps, 1);
    st->x_detained = sim_reserve_extra(s, nn * NAT_COUNT);
    st->x_occupied = sim_reserve_extra(s, nn);
    st->x_sheltered = sim_reserve_extra(s, nn);
    st->x_deported = sim_reserve_extra(s, NAT_COUNT);
    st->x_bribe_pesos = sim_reserve_extra(s, 1);
    /* Yesterday's occupancies carry over to today (checkpoints, sim/persist.h); raids are
     * drawn each morning and the nearest facilities rebuilt when parameters change. */
    sim_persist(s, "enforcement.occupied", st->occupied, sizeof *st->occupied, nn);
    sim_persist(s, "enforcement.sheltered", st->sheltered, sizeof *st->sheltered, nn);
    register_outputs(s, st);
    *state = st;
    return 0;
}

static void enforcement_day_start(sim *s, void *state)
{
    enforcement_state *st = state;
    st->p = sim_params(s, MODULE_ENFORCEMENT);
    if (!st->p->enabled) return;
    checkpoints_day_start(s, st);
    detention_day_start(s, st);
}

/* Documents of a migrant entering today (who they are comes from inflow.people). */
static void on_entry(sim *s, enforcement_state *st, size_t i)
{
    agents *ag = &s->ag;
    double u[4];
    rng_uniform4(s->key, ag->id[i], (uint32_t)s->day, RNG_ENF_DOCS, 0, u);
    documents_issue_at_entry(&st->p->doc, ag, i, s->day, u);
}

static void enforcement_plan(sim *s, void *state, size_t i, worker *w)
{
    enforcement_state *st = state;
    if (!st->p->enabled) return;
    const agents *ag = &s->ag;
    if (ag->state[i] == STATE_WAITING && ag->attempt[i] == 0 && ag->entry_day[i] == s->day) {
        on_entry(s, st, i);
        return;
    }
    detention_plan(s, st, i, w);
}

static void enforcement_act(sim *s, void *state, size_t i, worker *w)
{
    enforcement_state *st = state;
    if (!st->p->enabled) return;
    if (s->ag.state[i] == STATE_WAITING)
        checkpoints_lodgings(s, st, i, w);
    else
        detention_act(s, st, i, w);
}

static void enforcement_enter_edge(sim *s, void *state, size_t i, int e, worker *w)
{
    enforcement_state *st = state;
    if (st->p->enabled) checkpoints_enter_edge(s, st, i, e, w);
}

static void enforcement_reach_node(sim *s, void *state, size_t i, int v, worker *w)
{
    enforcement_state *st = state;
    if (st->p->enabled) checkpoints_reach_node(s, st, i, v, w);
}

static void enforcement_day_end(sim *s, void *state)
{
    enforcement_state *st = state;
    if (!st->p->enabled) return;
    size_t nn = (size_t)s->net->n_nodes, day = (size_t)s->day;
    int64_t *det = series_i64(st->s_detentions, day), *occ = series_i64(st->s_occupancy, day);
    int64_t *shel = series_i64(st->s_shelter, day), *dep = series_i64(st->s_deportations, day);
    for (size_t k = 0; k < nn * NAT_COUNT; k++)
        det[k] = sim_extra_total(s, st->x_detained + k);
    for (size_t v = 0; v < nn; v++) {
        occ[v] = st->occupied[v] = sim_extra_total(s, st->x_occupied + v);
        shel[v] = st->sheltered[v] = sim_extra_total(s, st->x_sheltered + v);
    }
    for (size_t k = 0; k < NAT_COUNT; k++)
        dep[k] = sim_extra_total(s, st->x_deported + k);
    series_i64(st->s_bribes, day)[0] = sim_extra_total(s, st->x_bribe_pesos);
}

static void enforcement_free_state(void *state)
{
    enforcement_state *st = state;
    free(st->raid_edge);
    free(st->raid_node);
    free(st->station_of);
    free(st->shelter_of);
    free(st->occupied);
    free(st->sheltered);
    free(st);
}

double enforcement_protection(const sim *s, int v)
{
    const enforcement_params *p = sim_params(s, MODULE_ENFORCEMENT);
    return p->enabled ? p->cp.protection[v] : 0;
}

/* A restored agent's document and detention stage index tables of this module's. */
static const char *enforcement_agent_check(const sim *s, const void *state, size_t i)
{
    (void)state;
    const agents *ag = &s->ag;
    if (ag->doc[i] >= DOC_COUNT) return "field 'doc' is not a kind of document";
    if (ag->state[i] == STATE_DETAINED && ag->holder[i] > ENF_STAGE_SHELTER)
        return "field 'holder' of a detained agent is not a stage of detention";
    return NULL;
}

const module enforcement_module = {
    .name = "enforcement",
    .params_size = sizeof(enforcement_params),
    .read_params = enforcement_read,
    .free_params = enforcement_free_params,
    .init = enforcement_init,
    .day_start = enforcement_day_start,
    .agent_plan = enforcement_plan,
    .agent_act = enforcement_act,
    /* Entry documents for newcomers; capacity requests of detainees. */
    .plan_states = STATE_BIT(STATE_WAITING) | STATE_BIT(STATE_DETAINED),
    /* Raids on lodgings; detention and deportation. */
    .act_states = STATE_BIT(STATE_WAITING) | STATE_BIT(STATE_DETAINED) | STATE_BIT(STATE_DEPORTED),
    .day_end = enforcement_day_end,
    .agent_enter_edge = enforcement_enter_edge,
    .agent_reach_node = enforcement_reach_node,
    .free_state = enforcement_free_state,
    .agent_check = enforcement_agent_check,
};
