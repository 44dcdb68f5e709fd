/* Criminal networks: parameters, encounters, captives and outputs (see crime.h);
 * the strength dynamics are in organisations.c. */
#include "models/crime.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/enforcement.h"
#include "models/params.h"
#include "sim/sim.h"

const char *const crime_names[CRIME_COUNT] = {"robbery", "extortion", "kidnapping", "trafficking"};

static const event_kind crime_event[CRIME_COUNT] = {EVENT_ROBBERY, EVENT_EXTORTION,
                                                    EVENT_KIDNAPPING, EVENT_TRAFFICKED};

/* Random purposes of the module (block RNG_CRIME..+15; never renumber). */
enum {
    RNG_CRIME_EDGE = RNG_CRIME + 0,     /* encounter on setting out along an edge (index = edge) */
    RNG_CRIME_NODE = RNG_CRIME + 1,     /* encounter on reaching a node (index = node) */
    RNG_CRIME_HARM = RNG_CRIME + 2,     /* injury or death in a victimisation (index = place) */
    RNG_CRIME_CAPTIVE = RNG_CRIME + 3,  /* end of a kidnapping */
    RNG_CRIME_EXPLOIT = RNG_CRIME + 4,  /* a day in exploitation */
    RNG_CRIME_HANDOVER = RNG_CRIME + 5, /* a migrant handed over by an official */
};

typedef struct crime_state {
    const crime_params *p;
    int n_org;              /* over all epochs (later epochs may add organisations) */
    int started;            /* organisations whose first-day strength has been set */
    const char **org_names; /* n_org, for the output dimension */
    int *adj_start, *adj;   /* neighbouring places */
    org_world world;
    uint8_t *present;                           /* per place: some organisation holds it today */
    double factor[CRIME_CLASSES * CRIME_COUNT]; /* crime_factor by class, this epoch's */
    int64_t *revenue;                           /* n_org x places, today's (serial scratch) */
    int64_t *paid;                              /* n_org, today's payments to officials */
    size_t x_revenue, x_place, x_org;           /* worker counters */
    series *s_strength_node, *s_strength_edge, *s_revenue, *s_paid, *s_collusion;
    series *s_vic_node, *s_vic_edge, *s_vic_org;
} crime_state;

/* ---- parameters ------------------------------------------------------------------ */

/* Edges named by "a-b-mode" (one edge) or "a-b" (every mode between a and b). */
static int match_edges(const network *net, const char *key, double value, double *out)
{
    int found = 0;
    char seg[512];
    for (int e = 0; e < net->n_edges; e++) {
        const edge *ed = &net->edges[e];
        snprintf(seg, sizeof seg, "%s-%s", net->nodes[ed->from].id, net->nodes[ed->to].id);
        if (strcmp(key, ed->id) == 0 || strcmp(key, seg) == 0) {
            out[e] = value;
            found++;
        }
    }
    return found;
}

/* A map from places (node ids, "a-b" segments, "a-b-mode" edges) to values in
 * [lo, hi], into out[places] (edges first, then nodes). */
static int read_places(cfg *map, const network *net, double lo, double hi, double *out, diag *d)
{
    if (cfg_expect(map, CFG_MAP, d)) return -1;
    for (size_t k = 0; k < map->n; k++) {
        cfg *c = map->kids[k];
        double value;
        if (cfg_as_double(c, lo, hi, &value, d)) return -1;
        int v = network_find_node(net, c->key);
        if (v >= 0)
            out[net->n_edges + v] = value;
        else if (!match_edges(net, c->key, value, out))
            return params_fail(c, d,
                               "'%s' is not a node, a segment 'from-to' or an edge "
                               "'from-to-mode' of the network",
                               c->key);
    }
    return 0;
}

static double *places_alloc(const network *net, size_t count)
{
    double *v = calloc(count * ((size_t)net->n_edges + (size_t)net->n_nodes) + 1, sizeof(double));
    if (!v) abort();
    return v;
}

static int read_vulnerability(cfg *sec, vulnerability_params *v, diag *d)
{
    cfg *m;
    return cfg_get_map(sec, "vulnerability", &m, d) ||
           cfg_get_double(m, "female", 0, 100, &v->female, d) ||
           cfg_get_double(m, "child", 0, 100, &v->child, d) ||
           cfg_get_double(m, "adolescent", 0, 100, &v->adolescent, d) ||
           cfg_get_double(m, "unaccompanied_minor", 0, 100, &v->unaccompanied_minor, d) ||
           cfg_get_double(m, "alone_without_contacts", 0, 100, &v->alone_without_contacts, d) ||
           cfg_get_double(m, "with_smuggler", 0, 100, &v->with_smuggler, d) ||
           cfg_get_double(m, "with_family", 0, 100, &v->with_family, d) ||
           cfg_get_double(m, "carrying_money", 0, 100, &v->carrying_money, d) ||
           cfg_get_int(m, "money_threshold", 0, INT32_MAX, &v->money_threshold, d) ||
           cfg_get_double(m, "protection", 0, 1, &v->protection, d);
}

static int read_activities(cfg *sec, crime_params *p, diag *d)
{
    cfg *rates, *harm, *rob, *ext, *kid, *pay, *exp;
    if (cfg_get_map(sec, "rates", &rates, d)) return -1;
    for (int a = 0; a < CRIME_COUNT; a++)
        if (cfg_get_double(rates, crime_names[a], 0, 10, &p->rate[a], d)) return -1;
    if (cfg_get_map(sec, "harm", &harm, d) ||
        cfg_get_double(harm, "injury_days", 1, 255, &p->injury_days, d) ||
        cfg_get_double(harm, "death_if_injured", 0, 1, &p->death_if_injured, d) ||
        cfg_get_map(sec, "robbery", &rob, d) ||
        cfg_get_double(rob, "share_taken", 0, 1, &p->robbery_share, d) ||
        cfg_get_double(rob, "injury", 0, 1, &p->robbery_injury, d) ||
        cfg_get_map(sec, "extortion", &ext, d) ||
        cfg_get_int(ext, "fee_pesos", 0, INT32_MAX, &p->fee_pesos, d) ||
        cfg_get_double(ext, "thrown_off_injury", 0, 1, &p->thrown_off_injury, d) ||
        cfg_get_map(sec, "kidnapping", &kid, d) ||
        cfg_get_double(kid, "held_days", 1, 365, &p->held_days, d) ||
        cfg_get_int(kid, "ransom_pesos", 0, INT32_MAX, &p->ransom_pesos, d) ||
        cfg_get_map(kid, "pay", &pay, d) ||
        cfg_get_double(kid, "contacts_factor", 0, 100, &p->contacts_factor, d) ||
        cfg_get_double(kid, "killed_if_unpaid", 0, 1, &p->killed_if_unpaid, d) ||
        cfg_get_double(kid, "trafficked_if_unpaid", 0, 1, &p->trafficked_if_unpaid, d) ||
        cfg_get_map(sec, "exploitation", &exp, d) ||
        cfg_get_int(exp, "pesos_per_day", 0, INT32_MAX, &p->exploitation_pesos_per_day, d) ||
        cfg_get_double(exp, "rescue_per_day", 0, 1, &p->rescue_per_day, d) ||
        cfg_get_double(exp, "escape_per_day", 0, 1, &p->escape_per_day, d) ||
        cfg_get_double(exp, "home_after_rescue", 0, 1, &p->home_after_rescue, d))
        return -1;
    for (int k = 0; k < NAT_COUNT; k++)
        if (cfg_get_double(pay, nationality_names[k], 0, 1, &p->pay[k], d)) return -1;
    for (size_t k = 0; k < pay->n; k++)
        if (!pay->kids[k]->used)
            return params_fail(pay->kids[k], d, "unknown nationality '%s'", pay->kids[k]->key);
    return 0;
}

static int read_dynamics(cfg *sec, org_dynamics *g, diag *d)
{
    cfg *m;
    return cfg_get_map(sec, "dynamics", &m, d) ||
           cfg_get_double(m, "decay_per_day", 0, 1, &g->decay_per_day, d) ||
           cfg_get_double(m, "rivalry_per_day", 0, 1, &g->rivalry_per_day, d) ||
           cfg_get_double(m, "expansion_per_day", 0, 1, &g->expansion_per_day, d) ||
           cfg_get_double(m, "extinction_below", 0, 1, &g->extinction_below, d) ||
           cfg_get_double(m, "officials_share", 0, 1, &g->officials_share, d) ||
           cfg_get_double(m, "collusion_half_pesos", 1, 1e15, &g->collusion_half_pesos, d) ||
           cfg_get_double(m, "collusion_half_life", 0.1, 1e5, &g->collusion_half_life, d) ||
           cfg_get_double(m, "shield", 0, 1, &g->shield, d);
}

static int read_organisation(cfg *orgs, cfg *c, const network *net, crime_params *p, diag *d)
{
    int o = p->n_org;
    cfg *m, *mix, *strength;
    const char *at = NULL;
    if (cfg_get_map(orgs, c->key, &m, d) || cfg_get_map(m, "activities", &mix, d) ||
        params_shares(mix, crime_names, CRIME_COUNT, p->mix[o], d) ||
        cfg_opt_string(m, "exploits_at", &at, d) ||
        cfg_get_double(m, "upkeep_pesos_per_day", 1, 1e12, &p->upkeep[o], d) ||
        cfg_get_map(m, "strength", &strength, d))
        return -1;
    size_t P = (size_t)net->n_edges + (size_t)net->n_nodes;
    if (read_places(strength, net, 0, 1, p->strength + (size_t)o * P, d)) return -1;
    p->exploits_at[o] = at ? network_find_node(net, at) : -1;
    if (at && p->exploits_at[o] < 0)
        return params_fail(cfg_child(m, "exploits_at"), d, "unknown node '%s'", at);
    if (p->mix[o][CRIME_TRAFFICKING] > 0 && !at)
        return params_fail(m, d, "an organisation that traffics people needs `exploits_at`");
    p->org_names[o] = strdup(c->key);
    if (!p->org_names[o]) abort();
    p->n_org++;
    return 0;
}

static int crime_read(cfg *root, const network *net, void *params, diag *d)
{
    crime_params *p = params;
    cfg *sec = cfg_child(root, "crime"), *orgs;
    p->on = sec != NULL;
    if (!sec) return 0;
    if (cfg_get_map(root, "crime", &sec, d) ||
        cfg_get_double(sec, "anti_crime_pressure", 0, 1, &p->anti_crime, d) ||
        read_vulnerability(sec, &p->vul, d) || read_activities(sec, p, d) ||
        read_dynamics(sec, &p->dyn, d) || cfg_get_map(sec, "organisations", &orgs, d))
        return -1;
    if (orgs->n > CRIME_MAX_ORGS)
        return params_fail(orgs, d, "at most %d organisations", CRIME_MAX_ORGS);
    p->strength = places_alloc(net, orgs->n);
    for (size_t k = 0; k < orgs->n; k++)
        if (read_organisation(orgs, orgs->kids[k], net, p, d)) return -1;
    /* Revenue and payments grow with the number of people: so must the pesos they
     * are weighed against. */
    double scale;
    if (params_population_scale(root, &scale, d)) return -1;
    p->dyn.collusion_half_pesos *= scale;
    for (int o = 0; o < p->n_org; o++)
        p->upkeep[o] *= scale;
    return 0;
}

static void crime_free_params(void *params)
{
    crime_params *p = params;
    for (int o = 0; o < p->n_org; o++)
        free(p->org_names[o]);
    free(p->strength);
}

/* ---- vulnerability and hazards (pure) ---------------------------------------------- */

double crime_factor(const crime_params *p, unsigned t, bool carries_money, int activity)
{
    const vulnerability_params *v = &p->vul;
    int age = (int)(t >> TRAIT_AGE_SHIFT) & 3;
    bool female = t & TRAIT_FEMALE, accompanied = t & TRAIT_ACCOMPANIED;
    if (activity == CRIME_TRAFFICKING && !female && age == AGE_ADULT) return 0;
    double x = (female ? v->female : 1) * (age == AGE_CHILD        ? v->child
                                           : age == AGE_ADOLESCENT ? v->adolescent
                                                                   : 1);
    if (age != AGE_ADULT && !accompanied) x *= v->unaccompanied_minor;
    if (age == AGE_ADULT && !(t & (TRAIT_ACCOMPANIED | TRAIT_CONTACTS | TRAIT_SMUGGLER)))
        x *= v->alone_without_contacts;
    if (t & TRAIT_SMUGGLER) x *= v->with_smuggler;
    if (accompanied) x *= v->with_family;
    if ((activity == CRIME_ROBBERY || activity == CRIME_KIDNAPPING) && carries_money)
        x *= v->carrying_money;
    return x;
}

double crime_vulnerability(const crime_params *p, const agents *a, size_t i, int activity,
                           double presence)
{
    return crime_factor(p, a->traits[i], a->money[i] >= p->vul.money_threshold, activity) *
           (1 - p->vul.protection * presence);
}

double crime_hazards(const crime_params *p, const double *strength, size_t n_places, size_t q,
                     double presence, bool on_train, const agents *a, size_t i, double *h)
{
    double factor[CRIME_COUNT];
    for (int k = 0; k < CRIME_COUNT; k++)
        factor[k] = crime_factor(p, a->traits[i], a->money[i] >= p->vul.money_threshold, k);
    return crime_hazards_of(p, strength, n_places, q, presence, on_train, factor, h);
}

double crime_hazards_of(const crime_params *p, const double *strength, size_t n_places, size_t q,
                        double presence, bool on_train, const double *factor, double *h)
{
    double V[CRIME_COUNT], total = 0, shield = 1 - p->vul.protection * presence;
    for (int k = 0; k < CRIME_COUNT; k++)
        V[k] = k == CRIME_EXTORTION && !on_train ? 0 : p->rate[k] * (factor[k] * shield);
    for (int o = 0; o < p->n_org; o++) {
        double S = strength[(size_t)o * n_places + q];
        for (int k = 0; k < CRIME_COUNT; k++) {
            double x = S > 0 ? S * p->mix[o][k] * V[k] : 0;
            h[o * CRIME_COUNT + k] = x;
            total += x;
        }
    }
    return total;
}

double crime_pay_probability(const crime_params *p, const agents *a, size_t i)
{
    double x =
        p->pay[a->nationality[i]] * ((a->traits[i] & TRAIT_CONTACTS) ? p->contacts_factor : 1);
    return x < 1 ? x : 1;
}

/* ---- what happens to a victim (per agent, thread-local counters only) --------------- */

static void add_revenue(const sim *s, const crime_state *st, worker *w, int o, size_t q,
                        int64_t pesos)
{
    w->extra[st->x_revenue + (size_t)o * sim_n_places(s) + q] += pesos;
}

/* Stops the agent where it stands: at the node, or at the start of the edge it set
 * out along (movement stops moving an agent whose edge was taken away). */
static void stop_here(agents *ag, size_t i)
{
    ag->edge[i] = EDGE_NONE;
    ag->plan[i] = EDGE_NONE;
    ag->flags[i] &= (uint8_t) ~(AGENT_ON_TRAIN | AGENT_ASKED_SEAT);
}

static void harm(sim *s, const crime_params *p, size_t i, size_t q, worker *w)
{
    agents *ag = &s->ag;
    double u[4];
    rng_uniform4(s->key, ag->id[i], (uint32_t)s->day, RNG_CRIME_HARM, (uint32_t)q, u);
    stop_here(ag, i);
    if (u[0] < p->death_if_injured) {
        ag->state[i] = STATE_DEAD;
        sim_event(s, w, i, EVENT_DEATH);
        sim_event(s, w, i, EVENT_KILLED);
        return;
    }
    double days = p->injury_days * (0.5 + u[1]);
    ag->injury[i] = (uint8_t)(days > 255 ? 255 : days < 1 ? 1 : days);
    sim_event(s, w, i, EVENT_INJURY);
}

static void take_captive(sim *s, size_t i, int o, int state, int where)
{
    agents *ag = &s->ag;
    stop_here(ag, i);
    ag->state[i] = (uint8_t)state;
    ag->holder[i] = (uint8_t)o;
    ag->node[i] = (uint16_t)where;
}

static void kidnap(sim *s, const crime_params *p, size_t i, int o, double u, worker *w)
{
    agents *ag = &s->ag;
    double days = p->held_days * (0.5 + u);
    take_captive(s, i, o, STATE_KIDNAPPED, ag->node[i]);
    ag->timer[i] = (uint16_t)(days < 1 ? 1 : days > 65535 ? 65535 : days);
    sim_event(s, w, i, EVENT_KIDNAPPING);
}

static void traffic(sim *s, const crime_params *p, size_t i, int o, worker *w)
{
    take_captive(s, i, o, STATE_EXPLOITED, p->exploits_at[o]);
    sim_event(s, w, i, EVENT_TRAFFICKED);
}

static void victimise(sim *s, crime_state *st, size_t i, int o, int a, size_t q, const double u[4],
                      worker *w)
{
    const crime_params *p = st->p;
    agents *ag = &s->ag;
    sim_incident(s, w, INCIDENT_CRIME, q);
    w->extra[st->x_place + q * CRIME_COUNT + (size_t)a]++;
    w->extra[st->x_org + (size_t)o * CRIME_COUNT + (size_t)a]++;
    if (a != CRIME_KIDNAPPING && a != CRIME_TRAFFICKING) sim_event(s, w, i, crime_event[a]);
    int64_t taken = 0;
    switch (a) {
    case CRIME_ROBBERY:
        taken = (int64_t)floor((double)ag->money[i] * p->robbery_share);
        ag->money[i] -= (int32_t)taken;
        add_revenue(s, st, w, o, q, taken);
        if (u[2] < p->robbery_injury) harm(s, p, i, q, w);
        break;
    case CRIME_EXTORTION:
        if (ag->money[i] >= p->fee_pesos) {
            ag->money[i] -= (int32_t)p->fee_pesos;
            add_revenue(s, st, w, o, q, p->fee_pesos);
            break;
        }
        sim_event(s, w, i, EVENT_THROWN_OFF);
        stop_here(ag, i);
        if (u[2] < p->thrown_off_injury) harm(s, p, i, q, w);
        break;
    case CRIME_KIDNAPPING:
    case CRIME_TRAFFICKING:
        /* Captors take what the captive carries. */
        add_revenue(s, st, w, o, q, ag->money[i]);
        ag->money[i] = 0;
        if (a == CRIME_KIDNAPPING)
            kidnap(s, p, i, o, u[3], w);
        else
            traffic(s, p, i, o, w);
        break;
    }
}

/* An encounter at place q: at most one victimisation, by (organisation, activity)
 * in proportion to their hazards. */
static void encounter(sim *s, crime_state *st, size_t i, size_t q, double presence, bool on_train,
                      uint32_t purpose, uint32_t index, worker *w)
{
    const crime_params *p = st->p;
    if (!p->on || !st->present[q]) return;
    double h[CRIME_MAX_ORGS * CRIME_COUNT], u[4];
    const double *factor = st->factor + (size_t)crime_class(p, &s->ag, i) * CRIME_COUNT;
    double total =
        crime_hazards_of(p, st->world.strength, sim_n_places(s), q, presence, on_train, factor, h);
    if (total <= 0) return;
    rng_uniform4(s->key, s->ag.id[i], (uint32_t)s->day, purpose, index, u);
    /* 1 - exp(-total) < total: most draws are settled without the exponential. */
    if (u[0] >= total || u[0] >= -expm1(-total)) return;
    double target = u[1] * total, acc = 0;
    int pick = -1;
    for (int k = 0; k < p->n_org * CRIME_COUNT; k++) {
        if (h[k] <= 0) continue;
        pick = k;
        acc += h[k];
        if (target < acc) break;
    }
    victimise(s, st, i, pick / CRIME_COUNT, pick % CRIME_COUNT, q, u, w);
}

static void crime_enter_edge(sim *s, void *state, size_t i, int e, worker *w)
{
    agents *ag = &s->ag;
    if (ag->state[i] != STATE_WAITING || ag->edge[i] != e) return; /* stopped by another hook */
    bool on_train = s->net->edges[e].mode == MODE_RAIL && (ag->flags[i] & AGENT_ON_TRAIN);
    encounter(s, state, i, sim_place_edge(s, e), 0, on_train, RNG_CRIME_EDGE, (uint32_t)e, w);
}

static void crime_reach_node(sim *s, void *state, size_t i, int v, worker *w)
{
    agents *ag = &s->ag;
    if (ag->state[i] != STATE_WAITING || ag->node[i] != v) return;
    /* Protection: Grupos Beta teams at the node (the enforcement section's grupos_beta). */
    encounter(s, state, i, sim_place_node(s, v), enforcement_protection(s, v), false,
              RNG_CRIME_NODE, (uint32_t)v, w);
}

/* ---- captives (per agent) ------------------------------------------------------------ */

/* Who takes an unpaid captive into exploitation: the captor if it exploits people,
 * else the organisation with the largest trafficking share (first in order); -1. */
static int trafficker(const crime_params *p, int captor)
{
    if (p->exploits_at[captor] >= 0) return captor;
    int best = -1;
    for (int o = 0; o < p->n_org; o++)
        if (p->exploits_at[o] >= 0 &&
            (best < 0 || p->mix[o][CRIME_TRAFFICKING] > p->mix[best][CRIME_TRAFFICKING]))
            best = o;
    return best;
}

static void release(agents *ag, size_t i)
{
    ag->state[i] = STATE_WAITING;
    ag->plan[i] = EDGE_NONE;
}

static void end_kidnapping(sim *s, crime_state *st, size_t i, worker *w)
{
    const crime_params *p = st->p;
    agents *ag = &s->ag;
    int o = ag->holder[i];
    double u[4];
    rng_uniform4(s->key, ag->id[i], (uint32_t)s->day, RNG_CRIME_CAPTIVE, 0, u);
    if (u[0] < crime_pay_probability(p, ag, i)) {
        add_revenue(s, st, w, o, sim_place_node(s, ag->node[i]), p->ransom_pesos);
        sim_event(s, w, i, EVENT_RANSOM_PAID);
        release(ag, i);
        return;
    }
    if (u[1] < p->killed_if_unpaid) {
        ag->state[i] = STATE_DEAD;
        sim_event(s, w, i, EVENT_DEATH);
        sim_event(s, w, i, EVENT_KILLED);
        return;
    }
    int t = trafficker(p, o);
    bool eligible = (ag->traits[i] & TRAIT_FEMALE) || agent_age(ag, i) != AGE_ADULT;
    if (eligible && t >= 0 && u[2] < p->trafficked_if_unpaid) {
        traffic(s, p, i, t, w);
        return;
    }
    sim_event(s, w, i, EVENT_RELEASED_UNPAID);
    release(ag, i);
}

static void exploitation_day(sim *s, crime_state *st, size_t i, worker *w)
{
    const crime_params *p = st->p;
    agents *ag = &s->ag;
    add_revenue(s, st, w, ag->holder[i], sim_place_node(s, ag->node[i]),
                p->exploitation_pesos_per_day);
    double u[4];
    rng_uniform4(s->key, ag->id[i], (uint32_t)s->day, RNG_CRIME_EXPLOIT, 0, u);
    if (u[0] < p->rescue_per_day) {
        sim_event(s, w, i, EVENT_RESCUED);
        if (u[2] < p->home_after_rescue) {
            ag->state[i] = STATE_RETURNED;
            sim_event(s, w, i, EVENT_RETURNED_HOME);
        } else
            release(ag, i);
    } else if (u[1] < p->escape_per_day) {
        sim_event(s, w, i, EVENT_ESCAPED);
        release(ag, i);
    }
}

int crime_handover_captor(const crime_params *p, const double *strength, size_t n_places, size_t q)
{
    int best = -1, anywhere = -1;
    double best_x = 0, anywhere_x = 0;
    for (int o = 0; o < p->n_org; o++) {
        double k = p->mix[o][CRIME_KIDNAPPING], total = 0;
        for (size_t r = 0; r < n_places; r++)
            total += strength[(size_t)o * n_places + r];
        if (k * strength[(size_t)o * n_places + q] > best_x)
            best = o, best_x = k * strength[(size_t)o * n_places + q];
        if (k * total > anywhere_x) anywhere = o, anywhere_x = k * total;
    }
    return best >= 0 ? best : anywhere;
}

bool crime_handover(sim *s, size_t i, worker *w)
{
    crime_state *st = s->state[MODULE_CRIME];
    if (!st || st->n_org == 0 || !st->p || !st->p->on) return false;
    agents *ag = &s->ag;
    size_t q = sim_place_node(s, ag->node[i]);
    int o = crime_handover_captor(st->p, st->world.strength, sim_n_places(s), q);
    if (o < 0) return false;
    double u[4];
    rng_uniform4(s->key, ag->id[i], (uint32_t)s->day, RNG_CRIME_HANDOVER, 0, u);
    victimise(s, st, i, o, CRIME_KIDNAPPING, q, u, w);
    return true;
}

static void crime_act(sim *s, void *state, size_t i, worker *w)
{
    crime_state *st = state;
    agents *ag = &s->ag;
    /* Handed over by an official today (enforcement runs before crime): the strongest
     * kidnappers take them; with no organisation that kidnaps (or no crime section)
     * the official has nobody to hand them to and they go on waiting where they are. */
    if (ag->state[i] == STATE_HANDED_OVER) {
        if (!crime_handover(s, i, w)) release(ag, i);
        return;
    }
    if (!st->p->on) return;
    if (ag->state[i] == STATE_KIDNAPPED) {
        if (ag->timer[i] > 1)
            ag->timer[i]--;
        else
            end_kidnapping(s, st, i, w);
    } else if (ag->state[i] == STATE_EXPLOITED) {
        exploitation_day(s, st, i, w);
    }
}

/* ---- module state, daily dynamics, outputs ------------------------------------------- */

static void *alloc0(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) abort();
    return p;
}

/* Later timeline epochs may add organisations (maps merge key by key), never
 * remove or reorder them: each epoch's list must begin with the previous one's. */
static int check_epochs(sim *s, crime_state *st, diag *d)
{
    const crime_params *widest = NULL;
    for (int k = 0; k < s->sc->n_epochs; k++) {
        const crime_params *p = scenario_params(s->sc, k, MODULE_CRIME);
        if (!p->on) continue;
        if (!widest || p->n_org > widest->n_org) widest = p;
    }
    if (!widest) return 0;
    for (int k = 0; k < s->sc->n_epochs; k++) {
        const crime_params *p = scenario_params(s->sc, k, MODULE_CRIME);
        for (int o = 0; p->on && o < p->n_org; o++)
            if (strcmp(p->org_names[o], widest->org_names[o]) != 0) {
                diag_input(d, s->sc->path, 0, "crime.organisations",
                           "timeline epochs must keep the organisations in the same order "
                           "('%s' where '%s' was expected)",
                           p->org_names[o], widest->org_names[o]);
                return -1;
            }
    }
    st->n_org = widest->n_org;
    st->org_names = alloc0((size_t)st->n_org, sizeof(char *));
    for (int o = 0; o < st->n_org; o++)
        st->org_names[o] = widest->org_names[o];
    return 0;
}

static void register_outputs(sim *s, crime_state *st)
{
    series_set *out = &s->out;
    series_add_dim(out, "organisation", "", "criminal organisations (crime.organisations)",
                   (size_t)st->n_org, st->org_names);
    series_add_dim(out, "crime", "", "kinds of victimisation", CRIME_COUNT, crime_names);
    st->s_strength_node = series_add(out, "crime_strength_node", SERIES_FLOAT64, "1",
                                     "strength of each organisation at each node at the end of "
                                     "each day (0 absent, 1 full control)",
                                     (const char *const[]){"organisation", "node", NULL});
    st->s_strength_edge = series_add(out, "crime_strength_edge", SERIES_FLOAT64, "1",
                                     "strength of each organisation on each edge at the end of "
                                     "each day (0 absent, 1 full control)",
                                     (const char *const[]){"organisation", "edge", NULL});
    st->s_revenue = series_add(out, "crime_revenue", SERIES_INT64, "pesos per day",
                               "revenue of each organisation: money taken, fees, ransoms and "
                               "exploitation",
                               (const char *const[]){"organisation", NULL});
    st->s_paid = series_add(out, "crime_paid_to_officials", SERIES_INT64, "pesos per day",
                            "share of each organisation's revenue paid to officials",
                            (const char *const[]){"organisation", NULL});
    st->s_collusion = series_add(out, "crime_collusion", SERIES_FLOAT64, "1",
                                 "collusion each organisation has bought from officials (0..1)",
                                 (const char *const[]){"organisation", NULL});
    st->s_vic_node = series_add(out, "victimisations_node", SERIES_INT64, "events per day",
                                "victimisations at each node by kind",
                                (const char *const[]){"node", "crime", NULL});
    st->s_vic_edge = series_add(out, "victimisations_edge", SERIES_INT64, "events per day",
                                "victimisations on each edge by kind",
                                (const char *const[]){"edge", "crime", NULL});
    st->s_vic_org = series_add(out, "victimisations_by_organisation", SERIES_INT64,
                               "events per day", "victimisations by organisation and kind",
                               (const char *const[]){"organisation", "crime", NULL});
}

static int crime_init(sim *s, void **state, diag *d)
{
    crime_state *st = alloc0(1, sizeof *st);
    *state = st;
    if (check_epochs(s, st, d)) return -1;
    if (st->n_org == 0) return 0; /* no crime anywhere in the run: no outputs */
    const network *net = s->net;
    size_t P = sim_n_places(s);
    int *from = alloc0((size_t)net->n_edges, sizeof(int)),
        *to = alloc0((size_t)net->n_edges, sizeof(int));
    for (int e = 0; e < net->n_edges; e++)
        from[e] = net->edges[e].from, to[e] = net->edges[e].to;
    organisations_adjacency(net->n_edges, net->n_nodes, from, to, &st->adj_start, &st->adj);
    free(from);
    free(to);
    organisations_alloc(&st->world, st->n_org, P, st->adj_start, st->adj);
    /* Strengths and remembered payments carry over (checkpoints, sim/persist.h). */
    sim_persist(s, "crime.started", &st->started, sizeof st->started, 1);
    sim_persist(s, "crime.strength", st->world.strength, sizeof *st->world.strength,
                (size_t)st->n_org * P);
    sim_persist(s, "crime.paid", st->world.paid, sizeof *st->world.paid, (size_t)st->n_org);
    st->present = alloc0(P, 1);
    st->revenue = alloc0((size_t)st->n_org * P, sizeof(int64_t));
    st->paid = alloc0((size_t)st->n_org, sizeof(int64_t));
    st->x_revenue = sim_reserve_extra(s, (size_t)st->n_org * P);
    st->x_place = sim_reserve_extra(s, P * CRIME_COUNT);
    st->x_org = sim_reserve_extra(s, (size_t)st->n_org * CRIME_COUNT);
    register_outputs(s, st);
    return 0;
}

static void crime_day_start(sim *s, void *state)
{
    crime_state *st = state;
    st->p = sim_params(s, MODULE_CRIME);
    if (st->n_org == 0 || !st->p->on) return;
    if (s->epoch_changed)
        for (unsigned c = 0; c < CRIME_CLASSES; c++)
            for (int k = 0; k < CRIME_COUNT; k++)
                st->factor[c * CRIME_COUNT + (unsigned)k] = crime_factor(st->p, c / 2, c % 2, k);
    size_t P = sim_n_places(s);
    /* Organisations new in this epoch start with their declared strength. */
    for (; st->started < st->p->n_org; st->started++)
        memcpy(st->world.strength + (size_t)st->started * P,
               st->p->strength + (size_t)st->started * P, P * sizeof(double));
    for (size_t q = 0; q < P; q++) {
        st->present[q] = 0;
        for (int o = 0; o < st->p->n_org; o++)
            if (st->world.strength[(size_t)o * P + q] > 0) st->present[q] = 1;
    }
}

static void write_outputs(sim *s, crime_state *st)
{
    const network *net = s->net;
    size_t P = sim_n_places(s), E = (size_t)net->n_edges, V = (size_t)net->n_nodes;
    size_t day = (size_t)s->day;
    double *sn = series_f64(st->s_strength_node, day), *se = series_f64(st->s_strength_edge, day);
    int64_t *rev = series_i64(st->s_revenue, day), *paid = series_i64(st->s_paid, day);
    double *coll = series_f64(st->s_collusion, day);
    for (int o = 0; o < st->n_org; o++) {
        const double *S = st->world.strength + (size_t)o * P;
        memcpy(se + (size_t)o * E, S, E * sizeof(double));
        memcpy(sn + (size_t)o * V, S + E, V * sizeof(double));
        for (size_t q = 0; q < P; q++)
            rev[o] += st->revenue[(size_t)o * P + q];
        paid[o] = st->paid[o];
        coll[o] = st->p->on ? organisations_collusion(&st->world, &st->p->dyn, o) : 0;
    }
    int64_t *vn = series_i64(st->s_vic_node, day), *ve = series_i64(st->s_vic_edge, day);
    for (size_t q = 0; q < P; q++)
        for (int a = 0; a < CRIME_COUNT; a++) {
            int64_t n = sim_extra_total(s, st->x_place + q * CRIME_COUNT + (size_t)a);
            if (q < E)
                ve[q * CRIME_COUNT + (size_t)a] = n;
            else
                vn[(q - E) * CRIME_COUNT + (size_t)a] = n;
        }
    int64_t *vo = series_i64(st->s_vic_org, day);
    for (size_t k = 0; k < (size_t)st->n_org * CRIME_COUNT; k++)
        vo[k] = sim_extra_total(s, st->x_org + k);
}

/* Serial, fixed order: today's integer revenue drives tomorrow's strength. */
static void crime_day_end(sim *s, void *state)
{
    crime_state *st = state;
    if (st->n_org == 0) return;
    size_t P = sim_n_places(s);
    for (size_t k = 0; k < (size_t)st->n_org * P; k++)
        st->revenue[k] = sim_extra_total(s, st->x_revenue + k);
    memset(st->paid, 0, (size_t)st->n_org * sizeof(int64_t));
    if (st->p->on) {
        st->world.n_org = st->p->n_org; /* organisations not yet declared stay at zero */
        organisations_step(&st->world, &st->p->dyn, st->p->upkeep, st->p->anti_crime, st->revenue,
                           st->paid);
        st->world.n_org = st->n_org;
    }
    write_outputs(s, st);
}

static void crime_free_state(void *state)
{
    crime_state *st = state;
    organisations_free(&st->world);
    free(st->adj_start);
    free(st->adj);
    free(st->present);
    free(st->revenue);
    free(st->paid);
    free(st->org_names);
    free(st);
}

double crime_collusion(const sim *s, int v)
{
    return crime_collusion_at(s, sim_place_node(s, v));
}

double crime_collusion_at(const sim *s, size_t q)
{
    const crime_state *st = s->state[MODULE_CRIME];
    if (!st || st->n_org == 0 || !st->p || !st->p->on) return 0;
    size_t P = sim_n_places(s);
    double x = 0;
    for (int o = 0; o < st->p->n_org; o++)
        x += st->world.strength[(size_t)o * P + q] *
             organisations_collusion(&st->world, &st->p->dyn, o);
    return x < 1 ? x : 1;
}

double crime_strength(const sim *s, int o, size_t q)
{
    const crime_state *st = s->state[MODULE_CRIME];
    if (!st || o >= st->n_org) return 0;
    return st->world.strength[(size_t)o * sim_n_places(s) + q];
}

/* A restored captive's holder indexes the organisations. */
static const char *crime_agent_check(const sim *s, const void *state, size_t i)
{
    const crime_state *st = state;
    const agents *ag = &s->ag;
    bool held = ag->state[i] == STATE_KIDNAPPED || ag->state[i] == STATE_EXPLOITED;
    if (held && ag->holder[i] >= (st ? st->n_org : 0))
        return "field 'holder' of a captive is not an organisation of the scenario";
    return NULL;
}

const module crime_module = {
    .name = "crime",
    .params_size = sizeof(crime_params),
    .read_params = crime_read,
    .free_params = crime_free_params,
    .init = crime_init,
    .day_start = crime_day_start,
    .agent_act = crime_act,
    .act_states =
        STATE_BIT(STATE_HANDED_OVER) | STATE_BIT(STATE_KIDNAPPED) | STATE_BIT(STATE_EXPLOITED),
    .day_end = crime_day_end,
    .agent_enter_edge = crime_enter_edge,
    .agent_reach_node = crime_reach_node,
    .free_state = crime_free_state,
    .agent_check = crime_agent_check,
};
