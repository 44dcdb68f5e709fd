/* Checkpoints, raids and corruption: where and how likely enforcement stops a
 * migrant, and what the official then does (MODEL.md 3.2).
 *
 * Detection at a place with checkpoint strength s, crossed by mode m, is
 *
 *   p = 1 - (1 - intensity s by_mode[m]) (1 - intensity raid)
 *
 * times smuggler_factor for migrants with a smuggler and contacts_factor for
 * migrants with contacts, clipped to [0, 1]. `raid` is the catch probability of a
 * raid on that place today (0 on days without one). Bus riders are easy to find
 * at a road checkpoint; walkers go around La Arrocera (low by_mode.foot). A valid
 * document honoured at the place (documents.h) means no detection at all.
 *
 * A detected migrant meets an official who asks for a bribe (paid if the migrant
 * has the money: money moves and the migrant goes on), hands the migrant to a
 * criminal group, or detains. Every detection is reported as an incident at the
 * place so that learned risk can react. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/crime.h"
#include "models/enforcement_internal.h"

/* Edges named by a scenario key: "a-b-mode" (one edge), "a-b" (every mode between
 * a and b). Marks `hit` per edge; returns how many matched. */
static int match_edges(const network *net, const char *key, uint8_t *hit)
{
    int found = 0;
    char seg[512];
    for (int e = 0; e < net->n_edges; e++) {
        const edge *ed = &net->edges[e];
        snprintf(seg, sizeof seg, "%s-%s", net->nodes[ed->from].id, net->nodes[ed->to].id);
        hit[e] = strcmp(key, ed->id) == 0 || strcmp(key, seg) == 0;
        found += hit[e];
    }
    return found;
}

static int bad_key(cfg *c, const char *what, diag *d)
{
    char path[512];
    cfg_path(c, path, sizeof path);
    diag_input(d, c->file, c->line, path, "'%s' is not %s", c->key, what);
    return -1;
}

/* A map from places to values: node ids fill node_out, "a-b" and "a-b-mode" keys
 * fill edge_out (only edges of `mode`, or any mode when mode < 0). node_out NULL:
 * nodes are not allowed. */
static int read_places(cfg *map, const network *net, double lo, double hi, int mode,
                       double *edge_out, double *node_out, diag *d)
{
    if (cfg_expect(map, CFG_MAP, d)) return -1;
    uint8_t *hit = calloc((size_t)net->n_edges + 1, 1);
    if (!hit) abort();
    int rc = 0;
    for (size_t k = 0; k < map->n && rc == 0; k++) {
        cfg *c = map->kids[k];
        double value;
        if (cfg_as_double(c, lo, hi, &value, d)) {
            rc = -1;
            break;
        }
        int v = network_find_node(net, c->key);
        if (v >= 0 && node_out) {
            node_out[v] = value;
            continue;
        }
        int n = match_edges(net, c->key, hit), used = 0;
        for (int e = 0; e < net->n_edges; e++) {
            if (!hit[e] || (mode >= 0 && (int)net->edges[e].mode != mode)) continue;
            edge_out[e] = value;
            used++;
        }
        if (used == 0)
            rc = bad_key(
                c,
                n          ? "a place with an edge of this mode"
                : node_out ? "a node, a segment 'from-to' or an edge 'from-to-mode' of the network"
                           : "a segment 'from-to' or an edge 'from-to-mode' of the network",
                d);
    }
    free(hit);
    return rc;
}

/* Raids on trains are keyed by rail line: every rail edge of the line. */
static int read_line_raids(cfg *map, const network *net, double *edge_out, diag *d)
{
    if (cfg_expect(map, CFG_MAP, d)) return -1;
    for (size_t k = 0; k < map->n; k++) {
        cfg *c = map->kids[k];
        double value;
        int l = network_find_line(net, c->key);
        if (l < 0) return bad_key(c, "a rail line of the network", d);
        if (cfg_as_double(c, 0, 7, &value, d)) return -1;
        for (int e = 0; e < net->n_edges; e++)
            if (net->edges[e].line == l) edge_out[e] = value;
    }
    return 0;
}

static double *zeros(int n)
{
    double *v = calloc((size_t)n + 1, sizeof(double));
    if (!v) abort();
    return v;
}

static int read_raids(cfg *sec, const network *net, checkpoint_params *p, diag *d)
{
    cfg *raids, *trains, *buses, *lodgings, *m;
    if (cfg_get_map(sec, "raids", &raids, d) || cfg_get_map(raids, "trains", &trains, d) ||
        cfg_get_map(raids, "buses", &buses, d) || cfg_get_map(raids, "lodgings", &lodgings, d) ||
        cfg_get_double(trains, "catch", 0, 1, &p->raid_catch[MODE_RAIL], d) ||
        cfg_get_double(buses, "catch", 0, 1, &p->raid_catch[MODE_ROAD], d) ||
        cfg_get_double(lodgings, "catch", 0, 1, &p->hotel_catch, d) ||
        cfg_get_map(trains, "per_week", &m, d) || read_line_raids(m, net, p->edge_raids, d) ||
        cfg_get_map(buses, "per_week", &m, d) ||
        read_places(m, net, 0, 7, MODE_ROAD, p->edge_raids, NULL, d) ||
        cfg_get_map(lodgings, "per_week", &m, d) ||
        network_read_node_values(net, m, 0, 7, p->node_raids, d))
        return -1;
    return 0;
}

int checkpoints_read(cfg *sec, const network *net, checkpoint_params *p, diag *d)
{
    cfg *cp, *modes, *places, *corr, *beta;
    p->edge_strength = zeros(net->n_edges);
    p->node_strength = zeros(net->n_nodes);
    p->edge_raids = zeros(net->n_edges);
    p->node_raids = zeros(net->n_nodes);
    p->protection = zeros(net->n_nodes);
    if (cfg_get_double(sec, "intensity", 0, 100, &p->intensity, d) ||
        cfg_get_map(sec, "checkpoints", &cp, d) || cfg_get_map(cp, "by_mode", &modes, d))
        return -1;
    for (int m = 0; m < MODE_COUNT; m++)
        if (cfg_get_double(modes, mode_names[m], 0, 1, &p->by_mode[m], d)) return -1;
    if (cfg_get_double(cp, "smuggler_factor", 0, 10, &p->smuggler_factor, d) ||
        cfg_get_double(cp, "contacts_factor", 0, 10, &p->contacts_factor, d) ||
        cfg_get_map(cp, "places", &places, d) ||
        read_places(places, net, 0, 100, -1, p->edge_strength, p->node_strength, d) ||
        read_raids(sec, net, p, d) || cfg_get_map(sec, "corruption", &corr, d) ||
        cfg_get_double(corr, "bribe_probability", 0, 1, &p->bribe_probability, d) ||
        cfg_get_int(corr, "bribe_pesos", 0, 10000000, &p->bribe_pesos, d) ||
        cfg_get_double(corr, "handover_probability", 0, 1, &p->handover_probability, d) ||
        cfg_get_double(corr, "handover_with_collusion", 0, 1, &p->handover_with_collusion, d) ||
        cfg_get_map(sec, "grupos_beta", &beta, d) ||
        network_read_node_values(net, beta, 0, 1, p->protection, d))
        return -1;
    if (p->bribe_probability + p->handover_probability > 1) {
        cfg *c = cfg_child(corr, "handover_probability");
        char path[512];
        cfg_path(c, path, sizeof path);
        diag_input(d, c->file, c->line, path,
                   "bribe_probability + handover_probability must be at most 1 (they add up "
                   "to %g)",
                   p->bribe_probability + p->handover_probability);
        return -1;
    }
    return 0;
}

void checkpoints_free(checkpoint_params *p)
{
    free(p->edge_strength);
    free(p->node_strength);
    free(p->edge_raids);
    free(p->node_raids);
    free(p->protection);
}

/* Whether each place is raided today: a stream per place and day, so the answer
 * does not depend on anything else in the run. */
void checkpoints_day_start(sim *s, enforcement_state *st)
{
    const checkpoint_params *p = &st->p->cp;
    const network *net = s->net;
    double u[4];
    for (int e = 0; e < net->n_edges; e++) {
        st->raid_edge[e] = 0;
        if (p->edge_raids[e] <= 0) continue;
        rng_uniform4(s->key, (uint32_t)e, (uint32_t)s->day, RNG_ENF_RAID, 0, u);
        st->raid_edge[e] = u[0] < p->edge_raids[e] / 7.0;
    }
    for (int v = 0; v < net->n_nodes; v++) {
        st->raid_node[v] = 0;
        if (p->node_raids[v] <= 0) continue;
        rng_uniform4(s->key, (uint32_t)(net->n_edges + v), (uint32_t)s->day, RNG_ENF_RAID, 0, u);
        st->raid_node[v] = u[0] < p->node_raids[v] / 7.0;
    }
}

static double clip01(double x)
{
    return x < 0 ? 0 : x > 1 ? 1 : x;
}

double checkpoints_probability(const checkpoint_params *p, const agents *ag, size_t i,
                               double strength, travel_mode mode, double raid)
{
    double pass = (1 - clip01(p->intensity * strength * p->by_mode[mode])) *
                  (1 - clip01(p->intensity * raid));
    double f = 1;
    if (ag->traits[i] & TRAIT_SMUGGLER) f *= p->smuggler_factor;
    if (ag->traits[i] & TRAIT_CONTACTS) f *= p->contacts_factor;
    return clip01((1 - pass) * f);
}

/* Agent i meets enforcement with detection probability `prob` at `place`. */
static void encounter(sim *s, enforcement_state *st, size_t i, double prob, size_t place,
                      uint32_t purpose, uint32_t index, worker *w)
{
    if (prob <= 0) return;
    agents *ag = &s->ag;
    const checkpoint_params *p = &st->p->cp;
    double u[4];
    rng_uniform4(s->key, ag->id[i], (uint32_t)s->day, purpose, index, u);
    if (u[0] >= prob) return;
    sim_incident(s, w, INCIDENT_DETECTION, place);
    /* Officials bought by the groups at this place hand over more of the people they
     * stop (yesterday's collusion, fixed for the day), never more than the share of
     * encounters left after bribes. */
    double handover = p->handover_probability;
    if (p->handover_with_collusion > 0) {
        handover += p->handover_with_collusion * crime_collusion_at(s, place);
        if (handover > 1 - p->bribe_probability) handover = 1 - p->bribe_probability;
    }
    if (u[1] < p->bribe_probability) {
        if (ag->money[i] >= p->bribe_pesos) {
            ag->money[i] -= (int32_t)p->bribe_pesos;
            *enf_extra(w, st->x_bribe_pesos) += p->bribe_pesos;
            w->events[EVENT_BRIBE]++;
            return;
        }
    } else if (u[1] < p->bribe_probability + handover) {
        ag->state[i] = STATE_HANDED_OVER;
        ag->edge[i] = EDGE_NONE;
        ag->flags[i] &= (uint8_t)~AGENT_ON_TRAIN;
        w->events[EVENT_HANDOVER]++;
        return;
    }
    detention_begin(s, st, i, u[2], w);
}

void checkpoints_enter_edge(sim *s, enforcement_state *st, size_t i, int e, worker *w)
{
    const checkpoint_params *p = &st->p->cp;
    double strength = p->edge_strength[e];
    bool raid = st->raid_edge[e];
    if (strength <= 0 && !raid) return;
    if (documents_honoured_edge(&st->p->doc, &s->ag, i, s->net, e, s->day)) return;
    travel_mode mode = s->net->edges[e].mode;
    double prob =
        checkpoints_probability(p, &s->ag, i, strength, mode, raid ? p->raid_catch[mode] : 0);
    encounter(s, st, i, prob, sim_place_edge(s, e), RNG_ENF_EDGE, (uint32_t)e, w);
}

void checkpoints_reach_node(sim *s, enforcement_state *st, size_t i, int v, worker *w)
{
    const checkpoint_params *p = &st->p->cp;
    if (p->node_strength[v] <= 0) return;
    if (documents_honoured_node(&st->p->doc, &s->ag, i, s->net, v, s->day)) return;
    int e = s->ag.edge[i];
    travel_mode mode = e == EDGE_NONE ? MODE_FOOT : s->net->edges[e].mode;
    double prob = checkpoints_probability(p, &s->ag, i, p->node_strength[v], mode, 0);
    encounter(s, st, i, prob, sim_place_node(s, v), RNG_ENF_NODE, (uint32_t)v, w);
}

/* Raids on hotels and lodgings catch migrants waiting at a node at the end of the day. */
void checkpoints_lodgings(sim *s, enforcement_state *st, size_t i, worker *w)
{
    int v = s->ag.node[i];
    if (!st->raid_node[v]) return;
    if (documents_honoured_node(&st->p->doc, &s->ag, i, s->net, v, s->day)) return;
    const checkpoint_params *p = &st->p->cp;
    double prob = checkpoints_probability(p, &s->ag, i, 0, MODE_FOOT, p->hotel_catch);
    encounter(s, st, i, prob, sim_place_node(s, v), RNG_ENF_HOTEL, 0, w);
}
