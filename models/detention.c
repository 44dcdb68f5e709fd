/* Detention, deportation, unaccompanied minors and re-attempts: the rules are in
 * detention.h. Everything capacity-limited goes through sim_request, so who gets
 * a place or a seat is decided by random priority, never by thread order. */
#include "models/detention.h"

#include <math.h>
#include <stdlib.h>

#include "models/enforcement_internal.h"
#include "models/params.h"

/* ---- parameters -------------------------------------------------------------- */

/* A node where people start (again): an origin or a crossing. */
static int read_start_node(cfg *map, const char *key, const network *net, int *out, diag *d)
{
    const char *id;
    if (cfg_get_string(map, key, &id, d)) return -1;
    int v = network_find_node(net, id);
    cfg *c = cfg_child(map, key);
    char path[512];
    cfg_path(c, path, sizeof path);
    if (v < 0) {
        diag_input(d, c->file, c->line, path, "unknown node '%s'", id);
        return -1;
    }
    if (net->nodes[v].kind != NODE_ORIGIN && net->nodes[v].kind != NODE_CROSSING) {
        diag_input(d, c->file, c->line, path,
                   "'%s' is a %s; deported people start again only at origin or crossing nodes", id,
                   node_kind_names[net->nodes[v].kind]);
        return -1;
    }
    *out = v;
    return 0;
}

static int read_deportation(cfg *sec, const network *net, detention_params *p, diag *d)
{
    cfg *dep, *seats, *ret;
    if (cfg_get_map(sec, "deportation", &dep, d) || cfg_get_map(dep, "seats_per_day", &seats, d) ||
        cfg_get_map(dep, "return_to", &ret, d))
        return -1;
    for (int k = 0; k < NAT_COUNT; k++)
        if (cfg_get_double(seats, nationality_names[k], 0, 1e6, &p->seats_per_day[k], d) ||
            read_start_node(ret, nationality_names[k], net, &p->return_to[k], d))
            return -1;
    return 0;
}

static int read_minors_and_reattempts(cfg *sec, const network *net, detention_params *p, diag *d)
{
    cfg *minors, *shelters, *re;
    int64_t stay, max_attempts;
    if (cfg_get_map(sec, "minors", &minors, d) || cfg_get_map(minors, "shelters", &shelters, d) ||
        network_read_node_counts(net, shelters, 0, 1000000, p->shelter_places, d) ||
        cfg_get_int(minors, "stay_days", 0, 3650, &stay, d) ||
        cfg_get_double(minors, "returns_per_day", 0, 1e6, &p->minor_returns_per_day, d) ||
        cfg_get_double(minors, "reattempt_probability", 0, 1, &p->minor_reattempt_probability, d) ||
        cfg_get_map(sec, "reattempt", &re, d) ||
        cfg_get_double(re, "probability", 0, 1, &p->reattempt_probability, d) ||
        cfg_get_double(re, "delay_days", 0, 3650, &p->reattempt_delay_days, d) ||
        cfg_get_int(re, "max_attempts", 0, 255, &max_attempts, d))
        return -1;
    p->minor_stay_days = (int)stay;
    p->max_attempts = (int)max_attempts;
    int64_t places = 0;
    for (int v = 0; v < net->n_nodes; v++)
        places += p->shelter_places[v];
    if (places <= 0) {
        /* Minors are never released; with no shelter they would wait forever. */
        char path[512];
        cfg_path(shelters, path, sizeof path);
        diag_input(d, shelters->file, shelters->line, path,
                   "unaccompanied minors need at least one shelter with places");
        return -1;
    }
    return 0;
}

int detention_read(cfg *sec, const network *net, double scale, detention_params *p, diag *d)
{
    cfg *det, *stations;
    const char *hub;
    int64_t stay;
    p->station_places = calloc((size_t)net->n_nodes + 1, sizeof(int64_t));
    p->shelter_places = calloc((size_t)net->n_nodes + 1, sizeof(int64_t));
    if (!p->station_places || !p->shelter_places) abort();
    if (cfg_get_map(sec, "detention", &det, d) || cfg_get_map(det, "stations", &stations, d) ||
        network_read_node_counts(net, stations, 0, 1000000, p->station_places, d) ||
        cfg_get_string(det, "hub", &hub, d) || cfg_get_int(det, "stay_days", 0, 3650, &stay, d) ||
        read_deportation(sec, net, p, d) || read_minors_and_reattempts(sec, net, p, d))
        return -1;
    for (int v = 0; v < net->n_nodes; v++) {
        p->station_places[v] = llround(params_scale_capacity((double)p->station_places[v], scale));
        p->shelter_places[v] = llround(params_scale_capacity((double)p->shelter_places[v], scale));
    }
    for (int k = 0; k < NAT_COUNT; k++)
        p->seats_per_day[k] *= scale;
    p->minor_returns_per_day *= scale;
    p->stay_days = (int)stay;
    p->hub = network_find_node(net, hub);
    if (p->hub < 0 || p->station_places[p->hub] <= 0) {
        cfg *c = cfg_child(det, "hub");
        char path[512];
        cfg_path(c, path, sizeof path);
        diag_input(d, c->file, c->line, path,
                   "'%s' must be a node with a station (a positive entry in stations)", hub);
        return -1;
    }
    return 0;
}

void detention_free(detention_params *p)
{
    free(p->station_places);
    free(p->shelter_places);
}

/* ---- daily capacities --------------------------------------------------------- */

/* The facility (station or shelter) nearest to each node by great-circle distance;
 * a node with its own facility uses it. Ties go to the lower node index. */
static void nearest_facility(const network *net, const int64_t *places, int *out)
{
    for (int v = 0; v < net->n_nodes; v++) {
        double best = INFINITY;
        out[v] = -1;
        for (int f = 0; f < net->n_nodes; f++) {
            if (places[f] <= 0) continue;
            double la1 = net->nodes[v].lat * M_PI / 180, la2 = net->nodes[f].lat * M_PI / 180;
            double dl = (net->nodes[f].lon - net->nodes[v].lon) * M_PI / 180;
            double c = sin(la1) * sin(la2) + cos(la1) * cos(la2) * cos(dl);
            double dist = acos(c > 1 ? 1 : c < -1 ? -1 : c);
            if (dist < best) best = dist, out[v] = f;
        }
    }
}

/* Fractional daily rates become whole seats that add up over days: r per day gives
 * floor((d+1) r) - floor(d r) on day d. */
static int64_t seats_on_day(double per_day, int day)
{
    return (int64_t)(floor((day + 1) * per_day) - floor(day * per_day));
}

void detention_day_start(sim *s, enforcement_state *st)
{
    const detention_params *p = &st->p->det;
    const network *net = s->net;
    if (s->epoch_changed) {
        nearest_facility(net, p->station_places, st->station_of);
        nearest_facility(net, p->shelter_places, st->shelter_of);
    }
    int64_t *cap = s->caps.capacity;
    for (int v = 0; v < net->n_nodes; v++) {
        /* Admit at most the places left by yesterday's occupants. */
        int64_t free_places = p->station_places[v] - st->occupied[v];
        int64_t free_beds = p->shelter_places[v] - st->sheltered[v];
        cap[st->res_station + (uint32_t)v] = free_places > 0 ? free_places : 0;
        cap[st->res_shelter + (uint32_t)v] = free_beds > 0 ? free_beds : 0;
    }
    for (int k = 0; k < NAT_COUNT; k++)
        cap[st->res_deport + (uint32_t)k] = seats_on_day(p->seats_per_day[k], s->day);
    cap[st->res_minor_return] = seats_on_day(p->minor_returns_per_day, s->day);
}

/* ---- per agent --------------------------------------------------------------------- */

static uint16_t day_after(int day, double days)
{
    double t = day + days;
    return (uint16_t)(t > UINT16_MAX ? UINT16_MAX : t);
}

/* A stay of n days that starts today ends with the last day of the stay in
 * `timer`; the agent asks to move on from the day after (at least one day). */
static uint16_t last_day_of_stay(int day, int n)
{
    return day_after(day, n > 1 ? n - 1 : 0);
}

static bool unaccompanied_minor(const agents *ag, size_t i)
{
    return agent_age(ag, i) != AGE_ADULT && !(ag->traits[i] & TRAIT_ACCOMPANIED);
}

void detention_begin(sim *s, enforcement_state *st, size_t i, double u, worker *w)
{
    agents *ag = &s->ag;
    w->events[EVENT_DETENTION]++;
    *enf_extra(w, st->x_detained + (size_t)ag->node[i] * NAT_COUNT + ag->nationality[i]) += 1;
    if (u < st->p->doc.humanitarian_probability) {
        /* Recognised as a victim or witness of a crime: released with a visa. */
        documents_grant(&st->p->doc, ag, i, DOC_HUMANITARIAN, s->day);
        w->events[EVENT_HUMANITARIAN_VISA]++;
        return;
    }
    ag->state[i] = STATE_DETAINED;
    ag->holder[i] = ENF_STAGE_CUSTODY;
    ag->timer[i] = (uint16_t)s->day; /* the day of capture is spent in custody */
    ag->edge[i] = EDGE_NONE;
    ag->flags[i] &= (uint8_t)~AGENT_ON_TRAIN;
}

void detention_plan(sim *s, enforcement_state *st, size_t i, worker *w)
{
    const agents *ag = &s->ag;
    if (ag->state[i] != STATE_DETAINED || s->day <= ag->timer[i]) return;
    int v = ag->node[i];
    switch (ag->holder[i]) {
    case ENF_STAGE_CUSTODY:
        if (unaccompanied_minor(ag, i)) {
            if (st->shelter_of[v] >= 0)
                sim_request(s, w, i, st->res_shelter + (uint32_t)st->shelter_of[v], ENF_SLOT);
        } else if (st->station_of[v] >= 0) {
            sim_request(s, w, i, st->res_station + (uint32_t)st->station_of[v], ENF_SLOT);
        }
        break;
    case ENF_STAGE_STATION:
        if (v == st->p->det.hub)
            sim_request(s, w, i, st->res_deport + ag->nationality[i], ENF_SLOT);
        else
            sim_request(s, w, i, st->res_station + (uint32_t)st->p->det.hub, ENF_SLOT);
        break;
    case ENF_STAGE_SHELTER:
        sim_request(s, w, i, st->res_minor_return, ENF_SLOT);
        break;
    }
}

/* Back home: try again later, or stay. */
static void send_home(sim *s, enforcement_state *st, size_t i, bool minor, worker *w)
{
    agents *ag = &s->ag;
    const detention_params *p = &st->p->det;
    double u[4];
    rng_uniform4(s->key, ag->id[i], (uint32_t)s->day, RNG_ENF_DEPORT, 0, u);
    double again = minor ? p->minor_reattempt_probability : p->reattempt_probability;
    ag->doc[i] = DOC_NONE;
    ag->holder[i] = 0;
    if (ag->attempt[i] < p->max_attempts && u[0] < again) {
        ag->state[i] = STATE_DEPORTED;
        ag->node[i] = (uint16_t)p->return_to[ag->nationality[i]];
        /* At least a day at home; exponential with the scenario's mean. */
        ag->timer[i] = day_after(s->day, 1 + floor(-p->reattempt_delay_days * log1p(-u[1])));
    } else {
        ag->state[i] = STATE_GAVE_UP;
        w->events[EVENT_GAVE_UP]++;
    }
}

static void release_with_exit_order(sim *s, enforcement_state *st, size_t i, worker *w)
{
    s->ag.state[i] = STATE_WAITING;
    s->ag.holder[i] = 0;
    documents_grant(&st->p->doc, &s->ag, i, DOC_EXIT_ORDER, s->day);
    w->events[EVENT_EXIT_ORDER]++;
}

static void act_custody(sim *s, enforcement_state *st, size_t i, bool granted, worker *w)
{
    agents *ag = &s->ag;
    int v = ag->node[i];
    if (unaccompanied_minor(ag, i)) {
        if (!granted) return; /* stays in custody, asks again tomorrow */
        ag->node[i] = (uint16_t)st->shelter_of[v];
        ag->holder[i] = ENF_STAGE_SHELTER;
        ag->timer[i] = last_day_of_stay(s->day, st->p->det.minor_stay_days);
        return;
    }
    if (!granted) {
        release_with_exit_order(s, st, i, w);
        return;
    }
    ag->node[i] = (uint16_t)st->station_of[v];
    ag->holder[i] = ENF_STAGE_STATION;
    ag->timer[i] = last_day_of_stay(s->day, st->p->det.stay_days);
}

void detention_act(sim *s, enforcement_state *st, size_t i, worker *w)
{
    agents *ag = &s->ag;
    if (ag->state[i] == STATE_DEPORTED) {
        if (s->day < ag->timer[i]) return;
        double u[4];
        ag->state[i] = STATE_WAITING;
        if (ag->attempt[i] < UINT8_MAX) ag->attempt[i]++;
        rng_uniform4(s->key, ag->id[i], (uint32_t)s->day, RNG_ENF_DOCS, ag->attempt[i], u);
        documents_issue_at_entry(&st->p->doc, ag, i, s->day, u);
        w->events[EVENT_REATTEMPT]++;
        return;
    }
    if (ag->state[i] != STATE_DETAINED) return;
    /* Only agents that asked today (detention_plan) can hold the grant bit. */
    bool granted = ag->grants[i] & (1u << ENF_SLOT);
    ag->grants[i] &= (uint8_t) ~(1u << ENF_SLOT);
    switch (ag->holder[i]) {
    case ENF_STAGE_CUSTODY:
        if (s->day > ag->timer[i]) act_custody(s, st, i, granted, w);
        break;
    case ENF_STAGE_STATION:
        if (granted && ag->node[i] == st->p->det.hub) {
            w->events[EVENT_DEPORTATION]++;
            *enf_extra(w, st->x_deported + ag->nationality[i]) += 1;
            send_home(s, st, i, false, w);
        } else if (granted) {
            ag->node[i] = (uint16_t)st->p->det.hub; /* transferred to Tapachula */
        }
        break;
    case ENF_STAGE_SHELTER:
        if (granted) {
            w->events[EVENT_MINOR_RETURN]++;
            send_home(s, st, i, true, w);
        }
        break;
    }
    /* Occupancy at the end of the day, for tomorrow's admissions and the outputs. */
    if (ag->state[i] == STATE_DETAINED && ag->holder[i] == ENF_STAGE_STATION)
        *enf_extra(w, st->x_occupied + ag->node[i]) += 1;
    if (ag->state[i] == STATE_DETAINED && ag->holder[i] == ENF_STAGE_SHELTER)
        *enf_extra(w, st->x_sheltered + ag->node[i]) += 1;
}
