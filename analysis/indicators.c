#include "analysis/indicators.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/config.h"

/* The headline indicators (issue 7, MODEL.md section 4). Add one with one line.
 * Sources name events as the output's `event_name` spells them, with '|' between
 * alternatives, so an indicator works whichever module (or version) writes it. */
/* Victimisation is counted per 1,000 people entering Mexico in the same period. */
#define PER_1000 "per 1,000 entrants"

/* clang-format off */
const indicator indicator_table[] = {
    /* name, kind, source, unit, per year (false: whole run only) */
    {"entries into Mexico", IND_EVENTS, "entry", "people", true},
    {"detention events", IND_EVENTS, "detention|detained|apprehension", "events", true},
    {"deportations", IND_EVENTS, "deportation|deported", "events", true},
    {"arrivals at the US border", IND_LEFT_BY_NATIONALITY, "arrived", "people", true},
    {"victimisation: robbery", IND_EVENTS_PER_1000, "robbery|robbed", PER_1000, true},
    {"victimisation: extortion", IND_EVENTS_PER_1000, "extortion|extorted", PER_1000, true},
    {"victimisation: kidnapping", IND_EVENTS_PER_1000, "kidnapping|kidnapped", PER_1000, true},
    {"victimisation: trafficking", IND_EVENTS_PER_1000, "trafficking|trafficked", PER_1000, true},
    {"victimisation: sexual violence", IND_EVENTS_PER_1000, "sexual_assault|rape", PER_1000, true},
    {"deaths", IND_LEFT, "dead", "people", true},
    {"injuries", IND_EVENTS, "injury|injured", "events", true},
    {"median transit days (arrivals)", IND_TRANSIT_MEDIAN, "", "days", true},
    {"mode share of departures", IND_FLOW_SHARE_BY_MODE, "", "%", true},
    {"corridor: departures by state", IND_FLOW_SHARE_BY_STATE, "", "%", true},
    {"corridor: arrivals by border city", IND_LEFT_SHARE_BY_EXIT, "arrived", "% of arrivals", true},
    {"people in Mexico (daily mean)", IND_POPULATION_MEAN, "", "people", true},
    {"events", IND_EVERY_EVENT, "", "events", false},
};
/* clang-format on */
const int indicator_count = (int)(sizeof indicator_table / sizeof indicator_table[0]);

/* Datasets an indicator reads, loaded once per member. */
enum {
    DS_EVENTS,
    DS_LEFT,
    DS_LEFT_AT,
    DS_TRANSIT,
    DS_FLOW,
    DS_POP,
    DS_INC_NODE,
    DS_INC_EDGE,
    DS_COUNT
};
static const char *const ds_names[DS_COUNT] = {"events",         "left",          "left_at",
                                               "transit_days",   "edge_flow",     "population",
                                               "incidents_node", "incidents_edge"};

typedef struct labels {
    char **v;
    size_t n;
} labels;

/* What one file offers: its label lists, and the current member's datasets. */
typedef struct run_ctx {
    const h5run *r;
    labels event, outcome, nationality, incident, edge_mode, node_region, node_kind, node_label;
    double *edge_from;
    size_t n_edge_from;
    double *data[DS_COUNT];
    size_t record[DS_COUNT];
} run_ctx;

static labels labels_read(const h5run *r, const char *name)
{
    labels l = {0};
    l.v = h5run_strings(r, name, &l.n);
    if (!l.v) l.n = 0;
    return l;
}

static void ctx_open(run_ctx *c, const h5run *r)
{
    memset(c, 0, sizeof *c);
    c->r = r;
    c->event = labels_read(r, "event_name");
    c->outcome = labels_read(r, "outcome_name");
    c->nationality = labels_read(r, "nationality_name");
    c->incident = labels_read(r, "incident_name");
    c->edge_mode = labels_read(r, "edge_mode");
    c->node_region = labels_read(r, "node_region");
    c->node_kind = labels_read(r, "node_kind");
    c->node_label = labels_read(r, "node_label");
    c->edge_from = h5run_numbers(r, "edge_from", &c->n_edge_from);
    if (!c->edge_from) c->n_edge_from = 0;
}

static void ctx_drop_member(run_ctx *c)
{
    for (int k = 0; k < DS_COUNT; k++)
        free(c->data[k]), c->data[k] = NULL;
}

static int ctx_load_member(run_ctx *c, int member, diag *d)
{
    ctx_drop_member(c);
    for (int k = 0; k < DS_COUNT; k++) {
        c->data[k] = h5run_read(c->r, ds_names[k], member, &c->record[k], d);
        if (d->failed) return -1;
    }
    return 0;
}

static void ctx_close(run_ctx *c)
{
    ctx_drop_member(c);
    labels *all[] = {&c->event,     &c->outcome,     &c->nationality, &c->incident,
                     &c->edge_mode, &c->node_region, &c->node_kind,   &c->node_label};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
        h5run_free_strings(all[k]->v, all[k]->n);
    free(c->edge_from);
}

static int find(const labels *l, const char *names)
{
    return h5run_find_label(l->v, l->n, names);
}

/* ---- categories -------------------------------------------------------------- */

typedef struct cats {
    char **v;
    size_t n, cap;
} cats;

static void cats_add(cats *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->v[i], name) == 0) return;
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 16;
        c->v = realloc(c->v, c->cap * sizeof *c->v);
        if (!c->v) abort();
    }
    c->v[c->n] = strdup(name);
    if (!c->v[c->n++]) abort();
}

static bool is_exit(const run_ctx *c, size_t v)
{
    return v < c->node_kind.n && strcmp(c->node_kind.v[v], "exit") == 0;
}

/* The state an edge starts in, or NULL. */
static const char *edge_state(const run_ctx *c, size_t e)
{
    if (e >= c->n_edge_from) return NULL;
    size_t v = (size_t)c->edge_from[e];
    return v < c->node_region.n ? c->node_region.v[v] : NULL;
}

static void categories_of(const indicator *ind, const run_ctx *c, cats *out)
{
    switch (ind->kind) {
    case IND_LEFT_BY_NATIONALITY:
        for (size_t k = 0; k < c->nationality.n; k++)
            cats_add(out, c->nationality.v[k]);
        if (c->nationality.n) cats_add(out, "all");
        break;
    case IND_LEFT_SHARE_BY_EXIT:
        for (size_t v = 0; v < c->node_label.n; v++)
            if (is_exit(c, v)) cats_add(out, c->node_label.v[v]);
        break;
    case IND_FLOW_SHARE_BY_MODE:
        for (size_t e = 0; e < c->edge_mode.n; e++)
            cats_add(out, c->edge_mode.v[e]);
        break;
    case IND_FLOW_SHARE_BY_STATE:
        for (size_t e = 0; e < c->n_edge_from; e++)
            if (edge_state(c, e)) cats_add(out, edge_state(c, e));
        break;
    case IND_EVERY_EVENT:
        for (size_t k = 0; k < c->event.n; k++)
            cats_add(out, c->event.v[k]);
        break;
    default:
        cats_add(out, "");
        break;
    }
}

/* ---- values -------------------------------------------------------------------- */

/* Sum over days [d0, d1) of column `col` of a days x record dataset. */
static double sum_col(const double *x, size_t record, int d0, int d1, size_t col)
{
    double s = 0;
    for (int t = d0; t < d1; t++)
        s += x[(size_t)t * record + col];
    return s;
}

static double sum_event(const run_ctx *c, const char *names, int d0, int d1)
{
    int k = find(&c->event, names);
    if (k < 0 || !c->data[DS_EVENTS]) return NAN;
    return sum_col(c->data[DS_EVENTS], c->record[DS_EVENTS], d0, d1, (size_t)k);
}

/* People leaving with outcome o: nationality k, or all when k < 0. */
static double sum_left(const run_ctx *c, int o, int k, int d0, int d1)
{
    const double *x = c->data[DS_LEFT];
    size_t nn = c->nationality.n;
    if (!x || o < 0 || c->record[DS_LEFT] != c->outcome.n * nn) return NAN;
    double s = 0;
    for (size_t j = 0; j < nn; j++)
        if (k < 0 || (size_t)k == j)
            s += sum_col(x, c->record[DS_LEFT], d0, d1, (size_t)o * nn + j);
    return s;
}

static double share_by_exit(const run_ctx *c, const indicator *ind, const char *cat, int d0, int d1)
{
    const double *x = c->data[DS_LEFT_AT];
    int o = find(&c->outcome, ind->source), at = find(&c->node_label, cat);
    size_t nn = c->node_label.n;
    if (!x || o < 0 || at < 0 || c->record[DS_LEFT_AT] != c->outcome.n * nn) return NAN;
    double here = 0, total = 0;
    for (size_t v = 0; v < nn; v++) {
        if (!is_exit(c, v)) continue;
        double s = sum_col(x, c->record[DS_LEFT_AT], d0, d1, (size_t)o * nn + v);
        total += s;
        if ((int)v == at) here = s;
    }
    return total > 0 ? 100.0 * here / total : NAN;
}

/* Median of the arrivals' transit days, from the per-day histogram. With an even
 * count it is the mean of the two middle values, as for raw data. */
static double transit_median(const run_ctx *c, int d0, int d1)
{
    const double *x = c->data[DS_TRANSIT];
    size_t bins = c->record[DS_TRANSIT];
    if (!x || bins == 0) return NAN;
    double *hist = calloc(bins, sizeof *hist);
    if (!hist) abort();
    double total = 0;
    for (int t = d0; t < d1; t++)
        for (size_t b = 0; b < bins; b++)
            hist[b] += x[(size_t)t * bins + b];
    for (size_t b = 0; b < bins; b++)
        total += hist[b];
    double result = NAN;
    if (total > 0) {
        double lo_rank = floor((total - 1) / 2), hi_rank = floor(total / 2), seen = 0;
        double lo = NAN, hi = NAN;
        for (size_t b = 0; b < bins && isnan(hi); b++) {
            seen += hist[b];
            if (isnan(lo) && seen > lo_rank) lo = (double)b;
            if (seen > hi_rank) hi = (double)b;
        }
        result = (lo + hi) / 2;
    }
    free(hist);
    return result;
}

static double flow_share(const run_ctx *c, bool by_mode, const char *cat, int d0, int d1)
{
    const double *x = c->data[DS_FLOW];
    size_t ne = c->record[DS_FLOW];
    if (!x || (by_mode ? c->edge_mode.n : c->n_edge_from) != ne) return NAN;
    double here = 0, total = 0;
    bool known = false;
    for (size_t e = 0; e < ne; e++) {
        const char *group = by_mode ? c->edge_mode.v[e] : edge_state(c, e);
        double s = sum_col(x, ne, d0, d1, e);
        total += s;
        if (group && strcmp(group, cat) == 0) here += s, known = true;
    }
    return known && total > 0 ? 100.0 * here / total : NAN;
}

static double incidents(const run_ctx *c, const char *names, int d0, int d1)
{
    int k = find(&c->incident, names);
    if (k < 0 || (!c->data[DS_INC_NODE] && !c->data[DS_INC_EDGE])) return NAN;
    double s = 0;
    for (int which = DS_INC_NODE; which <= DS_INC_EDGE; which++) {
        const double *x = c->data[which];
        size_t rec = c->record[which], per = c->incident.n ? rec / c->incident.n : 0;
        if (!x) continue;
        for (size_t j = 0; j < per; j++)
            s += sum_col(x, rec, d0, d1, (size_t)k * per + j);
    }
    return s;
}

static double population_mean(const run_ctx *c, int d0, int d1)
{
    const double *x = c->data[DS_POP];
    if (!x || d1 <= d0) return NAN;
    double s = 0;
    for (size_t j = 0; j < c->record[DS_POP]; j++)
        s += sum_col(x, c->record[DS_POP], d0, d1, j);
    return s / (d1 - d0);
}

static double value(const indicator *ind, const char *cat, const run_ctx *c, int d0, int d1)
{
    switch (ind->kind) {
    case IND_EVENTS:
        return sum_event(c, ind->source, d0, d1);
    case IND_EVENTS_PER_1000: {
        double e = sum_event(c, ind->source, d0, d1), n = sum_event(c, "entry", d0, d1);
        return n > 0 ? 1000.0 * e / n : NAN;
    }
    case IND_LEFT:
        return sum_left(c, find(&c->outcome, ind->source), -1, d0, d1);
    case IND_LEFT_BY_NATIONALITY: {
        int k = strcmp(cat, "all") == 0 ? -1 : find(&c->nationality, cat);
        if (k < 0 && strcmp(cat, "all") != 0) return NAN;
        return sum_left(c, find(&c->outcome, ind->source), k, d0, d1);
    }
    case IND_LEFT_SHARE_BY_EXIT:
        return share_by_exit(c, ind, cat, d0, d1);
    case IND_TRANSIT_MEDIAN:
        return transit_median(c, d0, d1);
    case IND_FLOW_SHARE_BY_MODE:
        return flow_share(c, true, cat, d0, d1);
    case IND_FLOW_SHARE_BY_STATE:
        return flow_share(c, false, cat, d0, d1);
    case IND_INCIDENTS:
        return incidents(c, ind->source, d0, d1);
    case IND_POPULATION_MEAN:
        return population_mean(c, d0, d1);
    case IND_EVERY_EVENT:
        return sum_event(c, cat, d0, d1);
    }
    return NAN;
}

/* Does file c have what the row needs? (Checked on labels and dataset names, so an
 * absent source is n/a even where a value would come out as 0.) */
static bool present(const indicator *ind, const char *cat, const run_ctx *c)
{
    const h5run *r = c->r;
    switch (ind->kind) {
    case IND_EVENTS:
        return h5run_has(r, "events") && find(&c->event, ind->source) >= 0;
    case IND_EVENTS_PER_1000:
        return h5run_has(r, "events") && find(&c->event, ind->source) >= 0 &&
               find(&c->event, "entry") >= 0;
    case IND_LEFT:
        return h5run_has(r, "left") && find(&c->outcome, ind->source) >= 0;
    case IND_LEFT_BY_NATIONALITY:
        return h5run_has(r, "left") && find(&c->outcome, ind->source) >= 0 &&
               (strcmp(cat, "all") == 0 || find(&c->nationality, cat) >= 0);
    case IND_LEFT_SHARE_BY_EXIT:
        return h5run_has(r, "left_at") && find(&c->outcome, ind->source) >= 0 &&
               find(&c->node_label, cat) >= 0;
    case IND_TRANSIT_MEDIAN:
        return h5run_has(r, "transit_days");
    case IND_FLOW_SHARE_BY_MODE:
        return h5run_has(r, "edge_flow") && find(&c->edge_mode, cat) >= 0;
    case IND_FLOW_SHARE_BY_STATE:
        return h5run_has(r, "edge_flow") && c->n_edge_from && find(&c->node_region, cat) >= 0;
    case IND_INCIDENTS:
        return (h5run_has(r, "incidents_node") || h5run_has(r, "incidents_edge")) &&
               find(&c->incident, ind->source) >= 0;
    case IND_POPULATION_MEAN:
        return h5run_has(r, "population");
    case IND_EVERY_EVENT:
        return h5run_has(r, "events") && find(&c->event, cat) >= 0;
    }
    return false;
}

/* ---- periods ------------------------------------------------------------------- */

static int year_of(int32_t date)
{
    int y, m, d;
    date_from_days(date, &y, &m, &d);
    return y;
}

static void make_periods(ind_table *t)
{
    int32_t first = INT32_MAX, end = INT32_MIN;
    for (int r = 0; r < t->n_runs; r++) {
        if (t->runs[r].start < first) first = t->runs[r].start;
        if (t->runs[r].start + t->runs[r].days > end) end = t->runs[r].start + t->runs[r].days;
    }
    int y0 = year_of(first), y1 = year_of(end - 1);
    t->periods = calloc((size_t)(y1 - y0 + 2), sizeof *t->periods);
    if (!t->periods) abort();
    for (int y = y0; y <= y1; y++) {
        ind_period *p = &t->periods[t->n_periods++];
        p->first = date_to_days(y, 1, 1);
        p->end = date_to_days(y + 1, 1, 1);
        for (int r = 0; r < t->n_runs; r++)
            if (t->runs[r].start > p->first || t->runs[r].start + t->runs[r].days < p->end)
                p->partial = true;
        snprintf(p->label, sizeof p->label, p->partial ? "%d (part)" : "%d", y);
    }
    ind_period *all = &t->periods[t->n_periods++];
    all->whole_run = true;
    all->first = first;
    all->end = end;
    snprintf(all->label, sizeof all->label, "whole run");
}

/* Days [d0, d1) of file r that fall in period p (d1 <= d0: none). */
static void period_days(const ind_period *p, const h5run *r, int *d0, int *d1)
{
    if (p->whole_run) {
        *d0 = 0, *d1 = r->days;
        return;
    }
    int32_t a = p->first - r->start, b = p->end - r->start;
    *d0 = a < 0 ? 0 : (int)a;
    *d1 = b > r->days ? r->days : (int)b;
}

/* ---- table --------------------------------------------------------------------- */

static ind_row *add_row(ind_table *t, size_t *cap, int ind, const char *cat)
{
    if ((size_t)t->n_rows == *cap) {
        *cap = *cap ? 2 * *cap : 64;
        t->rows = realloc(t->rows, *cap * sizeof *t->rows);
        if (!t->rows) abort();
    }
    ind_row *row = &t->rows[t->n_rows++];
    memset(row, 0, sizeof *row);
    row->indicator = ind;
    snprintf(row->category, sizeof row->category, "%s", cat);
    for (int r = 0; r < t->n_runs; r++) {
        size_t n = (size_t)t->n_periods * (size_t)t->runs[r].n_members;
        row->values[r] = malloc((n + 1) * sizeof(double));
        if (!row->values[r]) abort();
        for (size_t k = 0; k < n; k++)
            row->values[r][k] = NAN;
    }
    return row;
}

static void build_rows(ind_table *t, run_ctx *ctx)
{
    size_t cap = 0;
    for (int i = 0; i < indicator_count; i++) {
        cats c = {0};
        for (int r = 0; r < t->n_runs; r++)
            categories_of(&indicator_table[i], &ctx[r], &c);
        if (c.n == 0) add_row(t, &cap, i, ""); /* absent everywhere: one n/a row */
        for (size_t k = 0; k < c.n; k++) {
            ind_row *row = add_row(t, &cap, i, c.v[k]);
            for (int r = 0; r < t->n_runs; r++)
                row->present[r] = present(&indicator_table[i], c.v[k], &ctx[r]);
            free(c.v[k]);
        }
        free(c.v);
    }
}

static int fill_run(ind_table *t, int r, run_ctx *c, diag *d)
{
    const h5run *run = &t->runs[r];
    for (int m = 0; m < run->n_members; m++) {
        if (ctx_load_member(c, m, d)) return -1;
        for (int k = 0; k < t->n_rows; k++) {
            ind_row *row = &t->rows[k];
            const indicator *ind = &indicator_table[row->indicator];
            if (!row->present[r]) continue;
            for (int p = 0; p < t->n_periods; p++) {
                int d0, d1;
                period_days(&t->periods[p], run, &d0, &d1);
                if (d1 <= d0 || (!ind->per_year && !t->periods[p].whole_run)) continue;
                row->values[r][(size_t)p * (size_t)run->n_members + (size_t)m] =
                    value(ind, row->category, c, d0, d1);
            }
        }
    }
    ctx_drop_member(c);
    return 0;
}

int indicators_compute(ind_table *t, const h5run *runs, int n_runs, diag *d)
{
    memset(t, 0, sizeof *t);
    if (n_runs < 1 || n_runs > IND_MAX_RUNS) {
        diag_fail(d, EXIT_BAD_INPUT, "can compute indicators for 1 to %d files, not %d",
                  IND_MAX_RUNS, n_runs);
        return -1;
    }
    t->n_runs = n_runs;
    t->runs = runs;
    make_periods(t);
    run_ctx ctx[IND_MAX_RUNS];
    for (int r = 0; r < n_runs; r++)
        ctx_open(&ctx[r], &runs[r]);
    build_rows(t, ctx);
    int rc = 0;
    for (int r = 0; rc == 0 && r < n_runs; r++)
        rc = fill_run(t, r, &ctx[r], d);
    for (int r = 0; r < n_runs; r++)
        ctx_close(&ctx[r]);
    if (rc) indicators_free(t);
    return rc;
}

void indicators_free(ind_table *t)
{
    for (int k = 0; k < t->n_rows; k++)
        for (int r = 0; r < t->n_runs; r++)
            free(t->rows[k].values[r]);
    free(t->rows);
    free(t->periods);
    memset(t, 0, sizeof *t);
}

void ind_row_label(const ind_row *row, char *buf, size_t len)
{
    const char *name = indicator_table[row->indicator].name;
    if (row->category[0])
        snprintf(buf, len, "%s: %s", name, row->category);
    else
        snprintf(buf, len, "%s", name);
}
