/* Hurricanes and disruptions (MODEL.md 3.4).
 *
 * Dated events and stochastic hurricanes close or slow edges and multiply their
 * hazards for a repair period. Each morning this module works out the next day's
 * status of every edge and stages it in sim->edge_status; the engine makes it
 * current the next morning, so the whole day (every module, every thread) sees one
 * status. Movement then:
 *   - re-plans everyone at a node: its route tables are recomputed whenever the
 *     status changes, with closed edges left out, or (wait_for_repairs: true)
 *     charged the days until they reopen, so short closures make people wait and
 *     long ones send them round;
 *   - stops anyone about to set out along a closed edge (hazards_blocked): they wait
 *     at the node and are counted in `stranded[time,node]`.
 * Agents on an edge when it closes are TURNED BACK to the edge's origin node, where
 * they re-plan the same day (day_start below). We turn them back rather than leave
 * them on the edge because a closure can last years (Stan's track was out for about
 * eight): people on a washed-out stretch walk back to the last town, they do not
 * sit on the track. The walk back is not charged; they lose the progress made on
 * the edge. Nobody is lost: the agent stays in the store, in a live state, at a
 * node (tests/cli/test_hazards.py checks conservation through closures). A slowdown
 * applies to people who set out on the edge while it lasts, not to those already on it.
 *
 * Scenario section (absent: no events, no storms, every edge open):
 *   hazards:
 *     wait_for_repairs: true     # migrants know when a closed edge reopens
 *     events:                    # optional; map of named events
 *       NAME:
 *         date: YYYY-MM-DD       # first day of the disruption
 *         until: YYYY-MM-DD      # first day back to normal, or instead:
 *         repair_days: 8         #   fixed days, or {distribution: lognormal, median, sigma}
 *         edges: [from-to-mode, ...]   # which edges: by id, and/or all edges that
 *         lines: [chiapas_mayab]       #   belong to these rail lines AND lie in this
 *         region: {lat: [a, b], lon: [c, d]} or {center: [lat, lon], radius_km: r}
 *         modes: [rail]                #   region AND have these modes (filters given)
 *         close: true            # what it does: close, and/or slow, and/or
 *         speed_factor: 0.5      #   travel time / 0.5
 *         hazard_factor: 2       #   per-edge hazards x 2 (read by risk modules)
 *     hurricanes: {...}          # optional; models/hurricane_generator.h
 * A drawn repair time is a pure function of (seed, member, event name): Philox
 * stream RNG_HAZARD + 0, subject = FNV-1a hash of the name. */
#include "models/hazards.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/hazard_region.h"
#include "models/hurricane_generator.h"
#include "models/models.h"
#include "models/repair_time.h"
#include "models/params.h"

enum { PURPOSE_EVENT_REPAIR = RNG_HAZARD + 0 };

typedef struct hazard_event {
    char *name;
    uint32_t subject; /* keys the event's repair-time draw */
    int32_t date;     /* days since 1970 */
    int32_t until;    /* reopening date, or -1: drawn from `repair` */
    repair_time repair;
    bool close;
    double speed, hazard;
    int *edges;
    int n_edges;
} hazard_event;

typedef struct hazards_params {
    bool on;
    bool wait_for_repairs;
    hazard_event *events;
    int n_events;
    hurricane_params hurricanes;
} hazards_params;

typedef struct hazards_state {
    storm_damage *damage; /* closures by drawn storms, all years so far */
    size_t n_damage, cap_damage;
    int last_year;     /* storms are drawn up to this calendar year */
    uint8_t *was_open; /* yesterday's status, to find edges that close today */
    uint8_t *closes;   /* per edge: closes today */
    series *s_open, *s_speed, *s_hazard, *s_stranded, *s_turned_back, *s_landfalls;
} hazards_state;

/* ---- parameters -------------------------------------------------------------- */

static uint32_t fnv1a(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

/* Scalars of an optional list, each checked by `find` (-1: unknown, with message). */
typedef int (*name_finder)(const network *net, const char *name);

static int find_edge(const network *net, const char *id)
{
    for (int e = 0; e < net->n_edges; e++)
        if (strcmp(net->edges[e].id, id) == 0) return e;
    return -1;
}

static int find_mode(const network *net, const char *name)
{
    (void)net;
    for (int m = 0; m < MODE_COUNT; m++)
        if (strcmp(mode_names[m], name) == 0) return m;
    return -1;
}

static int read_names(cfg *ev, const char *key, const network *net, name_finder find,
                      const char *unknown, bool *mark, int n_mark, bool *given, diag *d)
{
    *given = false;
    if (!cfg_child(ev, key)) return 0;
    cfg *list;
    if (cfg_get_list(ev, key, &list, d)) return -1;
    if (list->n == 0) return params_fail(list, d, "empty list");
    for (size_t i = 0; i < list->n; i++) {
        cfg *c = list->kids[i];
        if (cfg_expect(c, CFG_SCALAR, d)) return -1;
        int k = find(net, c->text);
        if (k < 0 || k >= n_mark) return params_fail(c, d, unknown, c->text);
        mark[k] = true;
    }
    *given = true;
    return 0;
}

/* Which edges an event hits: the listed ids, plus every edge that passes all the
 * filters given (lines, region, modes). */
static int read_selection(cfg *ev, const network *net, hazard_event *h, diag *d)
{
    int ne = net->n_edges;
    bool *by_id = calloc((size_t)ne + 1, 1), *line = calloc((size_t)net->n_lines + 1, 1);
    bool mode[MODE_COUNT] = {0}, have_ids, have_lines, have_modes, have_region = false;
    hazard_region region;
    if (!by_id || !line) abort();
    int rc = -1;
    if (read_names(ev, "edges", net, find_edge, "unknown edge '%s' (ids are from-to-mode)", by_id,
                   ne, &have_ids, d) ||
        read_names(ev, "lines", net, network_find_line, "no rail edge uses line '%s'", line,
                   net->n_lines, &have_lines, d) ||
        read_names(ev, "modes", net, find_mode, "unknown mode '%s' (foot, road, rail, river)", mode,
                   MODE_COUNT, &have_modes, d))
        goto done;
    cfg *r = cfg_child(ev, "region");
    if (r) {
        if (hazard_region_read(r, &region, d)) goto done;
        have_region = true;
    }
    bool filtered = have_lines || have_modes || have_region;
    if (!have_ids && !filtered) {
        params_fail(ev, d, "say which edges the event hits: edges, lines, region and/or modes");
        goto done;
    }
    h->edges = malloc(((size_t)ne + 1) * sizeof(int));
    if (!h->edges) abort();
    for (int e = 0; e < ne; e++) {
        const edge *ed = &net->edges[e];
        bool hit = filtered && (!have_lines || (ed->line >= 0 && line[ed->line])) &&
                   (!have_modes || mode[ed->mode]) &&
                   (!have_region || hazard_region_hits_edge(&region, net, e));
        if (by_id[e] || hit) h->edges[h->n_edges++] = e;
    }
    if (h->n_edges == 0) {
        params_fail(ev, d,
                    "the event hits no edge of the network (check its lines, region and modes)");
        goto done;
    }
    rc = 0;
done:
    free(by_id);
    free(line);
    return rc;
}

static int read_repair(cfg *ev, hazard_event *h, diag *d)
{
    bool until = cfg_child(ev, "until") != NULL, days = cfg_child(ev, "repair_days") != NULL;
    if (until == days)
        return params_fail(ev, d, "give either `until:` (reopening date) or `repair_days:`");
    h->until = -1;
    if (days) return repair_time_read(ev, "repair_days", &h->repair, d);
    if (cfg_get_date(ev, "until", &h->until, d)) return -1;
    if (h->until <= h->date)
        return params_fail(cfg_child(ev, "until"), d, "the reopening date must come after `date`");
    return 0;
}

static int read_effect(cfg *ev, hazard_event *h, diag *d)
{
    h->speed = 1;
    h->hazard = 1;
    if (cfg_opt_bool(ev, "close", &h->close, d) ||
        cfg_opt_double(ev, "speed_factor", 0.01, 1, &h->speed, d) ||
        cfg_opt_double(ev, "hazard_factor", 0, 1000, &h->hazard, d))
        return -1;
    if (!h->close && h->speed == 1 && h->hazard == 1)
        return params_fail(ev, d,
                           "the event does nothing: give close: true, speed_factor < 1 or "
                           "hazard_factor != 1");
    return 0;
}

static int read_event(cfg *ev, const network *net, hazard_event *h, diag *d)
{
    h->name = strdup(ev->key);
    if (!h->name) abort();
    h->subject = fnv1a(ev->key);
    if (cfg_expect(ev, CFG_MAP, d) || cfg_get_date(ev, "date", &h->date, d) ||
        read_repair(ev, h, d) || read_effect(ev, h, d) || read_selection(ev, net, h, d))
        return -1;
    return 0;
}

static int hazards_read(cfg *root, const network *net, void *params, diag *d)
{
    hazards_params *p = params;
    cfg *sec = cfg_child(root, "hazards");
    if (!sec) return 0; /* no section: no disruptions */
    p->on = true;
    if (cfg_get_map(root, "hazards", &sec, d) ||
        cfg_get_bool(sec, "wait_for_repairs", &p->wait_for_repairs, d))
        return -1;
    cfg *events = cfg_child(sec, "events"), *storms = cfg_child(sec, "hurricanes");
    if (!events && !storms)
        return params_fail(sec, d,
                           "give `events:` (dated disruptions) and/or `hurricanes:` (a "
                           "stochastic generator), or drop the section");
    if (events) {
        if (cfg_get_map(sec, "events", &events, d)) return -1;
        p->events = calloc(events->n + 1, sizeof *p->events);
        if (!p->events) abort();
        for (size_t i = 0; i < events->n; i++) {
            p->n_events++;
            if (read_event(events->kids[i], net, &p->events[i], d)) return -1;
        }
    }
    if (storms && hurricane_read(storms, &p->hurricanes, d)) return -1;
    return 0;
}

static void hazards_free_params(void *params)
{
    hazards_params *p = params;
    for (int i = 0; i < p->n_events; i++) {
        free(p->events[i].name);
        free(p->events[i].edges);
    }
    free(p->events);
    hurricane_free(&p->hurricanes);
}

/* ---- daily status -------------------------------------------------------------- */

/* First day back to normal after event h (days since 1970). */
static int32_t event_end(const sim *s, const hazard_event *h)
{
    if (h->until >= 0) return h->until;
    double u[4];
    rng_uniform4(s->key, h->subject, 0, PURPOSE_EVENT_REPAIR, 0, u);
    return h->date + repair_time_draw(&h->repair, u[0], u[1]);
}

static void close_edge(edge_day *t, int e, int32_t until_day, bool wait)
{
    if (t->open[e]) {
        t->open[e] = 0;
        t->n_closed++;
        t->wait_until[e] = wait ? until_day : EDGE_WAIT_NEVER;
    } else if (wait && t->wait_until[e] != EDGE_WAIT_NEVER && until_day > t->wait_until[e]) {
        t->wait_until[e] = until_day; /* open again only when the last closure ends */
    }
}

static void add_damage(hazards_state *st, const storm_damage *dmg, int n)
{
    if (st->n_damage + (size_t)n > st->cap_damage) {
        st->cap_damage = 2 * (st->n_damage + (size_t)n) + 16;
        st->damage = realloc(st->damage, st->cap_damage * sizeof *st->damage);
        if (!st->damage) abort();
    }
    memcpy(st->damage + st->n_damage, dmg, (size_t)n * sizeof *dmg);
    st->n_damage += (size_t)n;
}

/* Draws the storms of every calendar year up to the one of simulation day `day`, with
 * the generator parameters in force on that day: a year's storms are drawn on its
 * first simulated day, so a timeline change of `hazards.hurricanes` takes effect from
 * the next 1 January. Storms of years before the start year are not drawn: a run
 * begins with the network as the scenario has it. */
static void draw_storms(sim *s, hazards_state *st, const hurricane_params *hp, int day)
{
    int y, m, dd;
    sim_date(s, day, &y, &m, &dd);
    if (st->last_year == 0) {
        sim_date(s, 0, &st->last_year, &m, &dd);
        st->last_year--;
    }
    storm storms[HURRICANE_MAX_PER_YEAR];
    storm_damage *dmg = malloc(((size_t)s->net->n_edges + 1) * sizeof *dmg);
    if (!dmg) abort();
    for (int year = st->last_year + 1; year <= y; year++) {
        int n = hp->on ? hurricane_year(hp, s->key, year, storms) : 0;
        for (int k = 0; k < n; k++) {
            int32_t landfall_day = storms[k].date - s->sc->start;
            if (st->s_landfalls && landfall_day >= 0 && landfall_day < s->sc->days)
                series_i64(st->s_landfalls, (size_t)landfall_day)[storms[k].cls]++;
            add_damage(st, dmg, hurricane_damage(hp, s->key, year, k, &storms[k], s->net, dmg));
        }
    }
    st->last_year = y;
    free(dmg);
}

/* Works out the status of simulation day `day` and stages it (and records it). */
static void stage_day(sim *s, hazards_state *st, int day)
{
    const hazards_params *p =
        scenario_params(s->sc, scenario_epoch_of_day(s->sc, day), MODULE_HAZARDS);
    edge_day *t = edge_status_stage(&s->edge_status);
    int32_t date = s->sc->start + day;
    draw_storms(s, st, &p->hurricanes, day);
    if (p->on) {
        for (int i = 0; i < p->n_events; i++) {
            const hazard_event *h = &p->events[i];
            if (date < h->date) continue;
            int32_t end = event_end(s, h);
            if (date >= end) continue;
            for (int k = 0; k < h->n_edges; k++) {
                int e = h->edges[k];
                if (h->close) close_edge(t, e, end - s->sc->start, p->wait_for_repairs);
                t->speed[e] *= (float)h->speed;
                t->hazard[e] *= (float)h->hazard;
            }
        }
        for (size_t k = 0; k < st->n_damage; k++) {
            const storm_damage *dm = &st->damage[k];
            if (date >= dm->from && date < dm->until)
                close_edge(t, dm->edge, dm->until - s->sc->start, p->wait_for_repairs);
        }
    }
    int64_t *open = series_i64(st->s_open, (size_t)day);
    double *speed = series_f64(st->s_speed, (size_t)day),
           *hz = series_f64(st->s_hazard, (size_t)day);
    for (int e = 0; e < s->net->n_edges; e++) {
        open[e] = t->open[e];
        speed[e] = t->speed[e];
        hz[e] = t->hazard[e];
    }
}

/* ---- hooks ---------------------------------------------------------------------- */

/* Storm classes must be the same wherever the timeline has a generator: they label
 * an output dimension. */
static int check_classes(const sim *s, const hurricane_params **first, diag *d)
{
    *first = NULL;
    for (int k = 0; k < s->sc->n_epochs; k++) {
        const hazards_params *p = scenario_params(s->sc, k, MODULE_HAZARDS);
        const hurricane_params *hp = &p->hurricanes;
        if (!hp->on) continue;
        if (!*first) {
            *first = hp;
            continue;
        }
        bool same = hp->n_classes == (*first)->n_classes;
        for (int c = 0; same && c < hp->n_classes; c++)
            same = strcmp(hp->classes[c].name, (*first)->classes[c].name) == 0;
        if (!same) {
            diag_fail(d, EXIT_BAD_INPUT,
                      "%s: key 'hazards.hurricanes.classes': the timeline must keep the same "
                      "storm classes, in the same order, in every epoch",
                      s->sc->path);
            return -1;
        }
    }
    return 0;
}

static void register_outputs(sim *s, hazards_state *st, const hurricane_params *hp)
{
    st->s_open = series_add(&s->out, "edge_open", SERIES_INT64, "1 open, 0 closed",
                            "whether each edge is open (hazards: closures by events and storms)",
                            (const char *const[]){"edge", NULL});
    st->s_speed = series_add(&s->out, "edge_speed", SERIES_FLOAT64, "factor",
                             "travel-speed factor of each edge (1 normal; travel time / factor)",
                             (const char *const[]){"edge", NULL});
    st->s_hazard = series_add(&s->out, "edge_hazard", SERIES_FLOAT64, "factor",
                              "multiplier of per-edge hazards set by disruptions (1 normal)",
                              (const char *const[]){"edge", NULL});
    st->s_stranded = series_add(&s->out, "stranded", SERIES_INT64, "people",
                                "people held at each node that day because their way on was "
                                "closed (waiting for a repair, or cut off)",
                                (const char *const[]){"node", NULL});
    st->s_turned_back = series_add(&s->out, "turned_back", SERIES_INT64, "people per day",
                                   "people turned back to each node from an edge that closed "
                                   "under them",
                                   (const char *const[]){"node", NULL});
    if (!hp) return;
    const char **labels = malloc((size_t)hp->n_classes * sizeof *labels);
    if (!labels) abort();
    for (int c = 0; c < hp->n_classes; c++)
        labels[c] = hp->classes[c].name;
    series_add_dim(&s->out, "hurricane_class", "", "intensity classes of generated storms",
                   (size_t)hp->n_classes, labels);
    free(labels);
    st->s_landfalls = series_add(&s->out, "hurricane_landfalls", SERIES_INT64, "storms per day",
                                 "landfalls drawn by the stochastic hurricane generator",
                                 (const char *const[]){"hurricane_class", NULL});
}

static int hazards_init(sim *s, void **state, diag *d)
{
    const hurricane_params *hp;
    if (check_classes(s, &hp, d)) return -1;
    hazards_state *st = calloc(1, sizeof *st);
    if (!st) abort();
    *state = st;
    size_t nodes = (size_t)s->net->n_nodes;
    s->edge_status.stranded_extra = sim_reserve_extra(s, nodes);
    st->was_open = malloc((size_t)s->net->n_edges + 1);
    st->closes = malloc((size_t)s->net->n_edges + 1);
    if (!st->was_open || !st->closes) abort();
    memset(st->was_open, 1, (size_t)s->net->n_edges + 1);
    /* What carries over from day to day, for checkpoints (sim/persist.h); `closes` is
     * recomputed each morning. */
    sim_persist_dynamic(s, "hazards.damage", (void **)&st->damage, &st->n_damage, &st->cap_damage,
                        sizeof *st->damage);
    sim_persist(s, "hazards.last_year", &st->last_year, sizeof st->last_year, 1);
    sim_persist(s, "hazards.was_open", st->was_open, 1, (size_t)s->net->n_edges + 1);
    register_outputs(s, st, hp);
    stage_day(s, st, 0);
    return 0;
}

/* Turns back agents travelling on an edge that closes today (see the top). A serial
 * pass over the agents, made only on days when some edge closes (nobody can set out
 * on a closed edge, so only a new closure finds people on one); it runs before the
 * planning pass, so they re-plan from the node today, train seats included. */
static void turn_back(sim *s, hazards_state *st)
{
    const edge_day *t = &s->edge_status.today;
    bool any = false;
    for (int e = 0; e < s->net->n_edges; e++) {
        st->closes[e] = st->was_open[e] && !t->open[e];
        any |= st->closes[e];
        st->was_open[e] = t->open[e];
    }
    if (!any) return;
    agents *ag = &s->ag;
    int64_t *back = series_i64(st->s_turned_back, (size_t)s->day);
    for (size_t i = 0; i < ag->n; i++) {
        if (ag->state[i] != STATE_TRAVELLING || !st->closes[ag->edge[i]]) continue;
        ag->state[i] = STATE_WAITING; /* at ag->node[i], the edge's origin */
        ag->edge[i] = EDGE_NONE;
        ag->days_left[i] = 0;
        ag->flags[i] &= (uint8_t)~AGENT_ON_TRAIN;
        back[ag->node[i]]++;
        s->workers[0].events[EVENT_TURNED_BACK]++;
    }
}

/* Today's closures turn people back; tomorrow's status is staged now, not at the
 * day's end: it depends on dates, parameters and storms alone, and a day_ahead hook
 * building tomorrow's route tables beside today's agent passes needs it (a closure
 * migrants wait for changes the tables every day). */
static void hazards_day_start(sim *s, void *state)
{
    hazards_state *st = state;
    turn_back(s, st);
    if (s->day + 1 < s->sc->days) stage_day(s, st, s->day + 1);
}

static void hazards_day_end(sim *s, void *state)
{
    hazards_state *st = state;
    int64_t *stranded = series_i64(st->s_stranded, (size_t)s->day);
    for (int v = 0; v < s->net->n_nodes; v++)
        stranded[v] = sim_extra_total(s, s->edge_status.stranded_extra + (size_t)v);
}

static void hazards_free_state(void *state)
{
    hazards_state *st = state;
    free(st->damage);
    free(st->was_open);
    free(st->closes);
    free(st);
}

const module hazards_module = {
    .name = "hazards",
    .params_size = sizeof(hazards_params),
    .read_params = hazards_read,
    .free_params = hazards_free_params,
    .init = hazards_init,
    .day_start = hazards_day_start,
    .day_end = hazards_day_end,
    .free_state = hazards_free_state,
};
