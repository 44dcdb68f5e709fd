#include "sim/outcomes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim.h"

const char *const incident_names[INCIDENT_COUNT] = {"detection", "crime", "injury"};

enum { OUTCOME_COUNT = STATE_COUNT - STATE_LIVE_COUNT };

static void register_geometry(sim *s)
{
    const network *net = s->net;
    size_t nn = (size_t)net->n_nodes, ne = (size_t)net->n_edges;
    double *lat = calloc(nn + 1, sizeof *lat), *lon = calloc(nn + 1, sizeof *lon);
    double *km = calloc(ne + 1, sizeof *km);
    int64_t *from = calloc(ne + 1, sizeof *from), *to = calloc(ne + 1, sizeof *to);
    const char **text = calloc(nn + ne + 1, sizeof *text);
    if (!lat || !lon || !km || !from || !to || !text) abort();
    series_set *out = &s->out;
    for (size_t v = 0; v < nn; v++)
        lat[v] = net->nodes[v].lat, lon[v] = net->nodes[v].lon;
    series_add_coord(out, "node_lat", COORD_FLOAT64, "degrees_north", "latitude", "node", lat);
    series_add_coord(out, "node_lon", COORD_FLOAT64, "degrees_east", "longitude", "node", lon);
    for (size_t v = 0; v < nn; v++)
        text[v] = net->nodes[v].name;
    series_add_coord(out, "node_label", COORD_STRING, "", "display name", "node", text);
    for (size_t v = 0; v < nn; v++)
        text[v] = node_kind_names[net->nodes[v].kind];
    series_add_coord(out, "node_kind", COORD_STRING, "", "kind of place", "node", text);
    for (size_t v = 0; v < nn; v++)
        text[v] = region_names[net->nodes[v].region];
    series_add_coord(out, "node_region", COORD_STRING, "", "state (GT: Guatemala)", "node", text);
    for (size_t e = 0; e < ne; e++) {
        from[e] = net->edges[e].from;
        to[e] = net->edges[e].to;
        km[e] = net->edges[e].km;
        text[e] = mode_names[net->edges[e].mode];
    }
    series_add_coord(out, "edge_from", COORD_INT64, "", "index of the origin node", "edge", from);
    series_add_coord(out, "edge_to", COORD_INT64, "", "index of the destination node", "edge", to);
    series_add_coord(out, "edge_mode", COORD_STRING, "", "travel mode", "edge", text);
    series_add_coord(out, "edge_km", COORD_FLOAT64, "km", "length", "edge", km);
    free(lat), free(lon), free(km), free(from), free(to), free(text);
}

void outcomes_register(sim *s)
{
    series_set *out = &s->out;
    register_geometry(s);
    series_add_dim(out, "outcome", "", "ways of leaving the system (final states)", OUTCOME_COUNT,
                   state_names + STATE_LIVE_COUNT);
    series_add_dim(out, "nationality", "", "nationality", NAT_COUNT, nationality_names);
    series_add_dim(out, "incident", "", "kinds of incidents reported at places", INCIDENT_COUNT,
                   incident_names);
    char buf[SIM_TRANSIT_DAYS + 1][16];
    const char *labels[SIM_TRANSIT_DAYS + 1];
    for (int t = 0; t <= SIM_TRANSIT_DAYS; t++) {
        snprintf(buf[t], sizeof buf[t], t < SIM_TRANSIT_DAYS ? "%d" : "%d+", t);
        labels[t] = buf[t];
    }
    series_add_dim(out, "transit", "days", "whole days from entry to arrival (last: or more)",
                   SIM_TRANSIT_DAYS + 1, labels);
    s->s_left = series_add(out, "left", SERIES_INT64, "people per day",
                           "people leaving the system each day by outcome and nationality",
                           (const char *const[]){"outcome", "nationality", NULL});
    s->s_left_at = series_add(out, "left_at", SERIES_INT64, "people per day",
                              "people leaving the system each day by outcome and place",
                              (const char *const[]){"outcome", "node", NULL});
    s->s_transit = series_add(out, "transit_days", SERIES_INT64, "people per day",
                              "arrivals at the US border each day by whole days since entry",
                              (const char *const[]){"transit", NULL});
    s->s_incidents_node = series_add(out, "incidents_node", SERIES_INT64, "incidents per day",
                                     "detections, crimes and injuries at each node each day",
                                     (const char *const[]){"incident", "node", NULL});
    s->s_incidents_edge = series_add(out, "incidents_edge", SERIES_INT64, "incidents per day",
                                     "detections, crimes and injuries on each edge each day",
                                     (const char *const[]){"incident", "edge", NULL});
}

/* A thread's tally of its leavers: left (outcome x nationality), left_at (outcome x
 * node), then transit_days. */
size_t outcomes_tally_size(const sim *s)
{
    return (size_t)OUTCOME_COUNT * (NAT_COUNT + (size_t)s->net->n_nodes) + SIM_TRANSIT_DAYS + 1;
}

void outcomes_tally_leaver(const sim *s, size_t i, int64_t *tally)
{
    const agents *ag = &s->ag;
    size_t o = (size_t)(ag->state[i] - STATE_LIVE_COUNT);
    int64_t *left = tally, *at = left + (size_t)OUTCOME_COUNT * NAT_COUNT;
    int64_t *transit = at + (size_t)OUTCOME_COUNT * (size_t)s->net->n_nodes;
    left[o * NAT_COUNT + ag->nationality[i]]++;
    at[o * (size_t)s->net->n_nodes + ag->node[i]]++;
    if (ag->state[i] == STATE_ARRIVED) {
        int days = s->day - (int)ag->entry_day[i];
        transit[days < 0 ? 0 : days > SIM_TRANSIT_DAYS ? SIM_TRANSIT_DAYS : days]++;
    }
}

void outcomes_record(sim *s)
{
    size_t day = (size_t)s->day, ne = (size_t)s->net->n_edges, nn = (size_t)s->net->n_nodes;
    /* The series are laid out as the tally, one after another: integer sums, in any
     * order the same. */
    int64_t *row[3] = {series_i64(s->s_left, day), series_i64(s->s_left_at, day),
                       series_i64(s->s_transit, day)};
    size_t len[3] = {(size_t)OUTCOME_COUNT * NAT_COUNT, (size_t)OUTCOME_COUNT * nn,
                     SIM_TRANSIT_DAYS + 1};
    for (int t = 0; t < s->n_threads; t++) {
        const int64_t *tally = s->workers[t].left;
        for (int r = 0; r < 3; tally += len[r++])
            for (size_t k = 0; k < len[r]; k++)
                row[r][k] += tally[k];
    }
    int64_t *on_node = series_i64(s->s_incidents_node, day);
    int64_t *on_edge = series_i64(s->s_incidents_edge, day);
    for (size_t k = 0; k < INCIDENT_COUNT; k++) {
        const int64_t *today = s->incidents + k * sim_n_places(s);
        memcpy(on_edge + k * ne, today + sim_place_edge(s, 0), ne * sizeof(int64_t));
        memcpy(on_node + k * nn, today + sim_place_node(s, 0), nn * sizeof(int64_t));
    }
}
