#include "analysis/report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis/compare.h"
#include "analysis/indicators.h"
#include "analysis/plot.h"
#include "analysis/stats.h"
#include "sim/config.h"

enum { MAX_FIGS = 96, TOP_PLACES = 15, BIN_DAYS = 7 };

typedef struct figure {
    char base[96];     /* file name without extension */
    char caption[512]; /* what it shows, for index.html */
    int section;
} figure;

enum { SEC_TIME, SEC_MAP, SEC_PLACE, SEC_COUNT };
static const char *const section_titles[SEC_COUNT] = {"Over time", "The network",
                                                      "By place and mode"};

typedef struct labels {
    char **v;
    size_t n;
} labels;

/* What the report knows about one file. */
typedef struct run_info_r {
    const h5run *r;
    char legend[160]; /* "A: scenario (file)" */
    char brief[160];  /* "A: scenario", or "A: file" when scenario names repeat */
    labels event, outcome, incident, node_label, node_kind, edge_mode, edge_name;
    double *lat, *lon, *edge_from, *edge_to;
    size_t n_nodes, n_edges;
} run_r;

typedef struct report {
    const h5run *runs;
    int n_runs;
    run_r *info;
    const char *dir;
    bool quiet;
    diag *d;
    figure figs[MAX_FIGS];
    int n_figs;
    /* Common dates of every file, for time series: day `ts_first[r]` of file r is
     * date ts_start, for ts_days days. */
    int32_t ts_start;
    int ts_days;
    int ts_first[IND_MAX_RUNS];
    int ts_runs; /* files in the time series: all, or the first alone if dates differ */
} report;

/* ---- small helpers ------------------------------------------------------------------ */

static labels labels_read(const h5run *r, const char *name)
{
    labels l = {0};
    l.v = h5run_strings(r, name, &l.n);
    if (!l.v) l.n = 0;
    return l;
}

static int find(const labels *l, const char *name)
{
    return h5run_find_label(l->v, l->n, name);
}

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

static void run_open(run_r *x, const h5run *r, int k)
{
    memset(x, 0, sizeof *x);
    x->r = r;
    snprintf(x->legend, sizeof x->legend, "%c: %s (%s)", 'A' + k, r->scenario_name,
             base_name(r->path));
    snprintf(x->brief, sizeof x->brief, "%c: %s", 'A' + k, r->scenario_name);
    x->event = labels_read(r, "event_name");
    x->outcome = labels_read(r, "outcome_name");
    x->incident = labels_read(r, "incident_name");
    x->node_label = labels_read(r, "node_label");
    x->node_kind = labels_read(r, "node_kind");
    x->edge_mode = labels_read(r, "edge_mode");
    x->edge_name = labels_read(r, "edge_name");
    size_t n_lon = 0, n_to = 0;
    x->lat = h5run_numbers(r, "node_lat", &x->n_nodes);
    x->lon = h5run_numbers(r, "node_lon", &n_lon);
    x->edge_from = h5run_numbers(r, "edge_from", &x->n_edges);
    x->edge_to = h5run_numbers(r, "edge_to", &n_to);
    if (!x->lat || !x->lon || n_lon != x->n_nodes || x->node_label.n != x->n_nodes) x->n_nodes = 0;
    if (!x->edge_from || !x->edge_to || n_to != x->n_edges) x->n_edges = 0;
}

static void run_close(run_r *x)
{
    labels *all[] = {&x->event,     &x->outcome,   &x->incident, &x->node_label,
                     &x->node_kind, &x->edge_mode, &x->edge_name};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
        h5run_free_strings(all[k]->v, all[k]->n);
    free(x->lat), free(x->lon), free(x->edge_from), free(x->edge_to);
}

static void file_slug(const char *in, char *out, size_t len)
{
    size_t o = 0;
    for (; *in && o + 1 < len; in++) {
        char c = *in;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        out[o++] = ok ? c : '_';
    }
    out[o] = '\0';
}

static figure *fig_add(report *rp, int section, const char *base, const char *caption)
{
    if (rp->n_figs == MAX_FIGS) return NULL;
    figure *f = &rp->figs[rp->n_figs];
    snprintf(f->base, sizeof f->base, "%s", base);
    snprintf(f->caption, sizeof f->caption, "%s", caption);
    f->section = section;
    return f;
}

/* Renders one plot as PNG and SVG; on success records the figure. */
typedef int (*render_fn)(const void *spec, const char *path, char *err, size_t errlen);

static int render(report *rp, int section, const char *base, const char *caption, render_fn fn,
                  const void *spec)
{
    figure *f = fig_add(rp, section, base, caption);
    if (!f) return 0; /* enough figures; the rest would not be read anyway */
    static const char *const ext[2] = {"png", "svg"};
    for (int k = 0; k < 2; k++) {
        char path[4096], err[256] = "";
        snprintf(path, sizeof path, "%s/%s.%s", rp->dir, base, ext[k]);
        if (fn(spec, path, err, sizeof err)) {
            diag_fail(rp->d, EXIT_RUNTIME, "%s: %s", path, err);
            return -1;
        }
        if (!rp->quiet) printf("  %s\n", path);
    }
    rp->n_figs++;
    return 0;
}

static int render_series(const void *s, const char *p, char *e, size_t n)
{
    return plot_time_series(s, p, e, n);
}
static int render_map(const void *s, const char *p, char *e, size_t n)
{
    return plot_network_map(s, p, e, n);
}
static int render_bars(const void *s, const char *p, char *e, size_t n)
{
    return plot_bars(s, p, e, n);
}

/* ---- time series ---------------------------------------------------------------------- */

typedef enum { Q_EVENT, Q_POPULATION, Q_LEFT } qkind;

/* Member m's daily values of a quantity in file x (days values); false if absent. */
static bool daily(const run_r *x, qkind q, const char *name, int m, double *out, diag *d)
{
    const char *ds = q == Q_EVENT ? "events" : q == Q_POPULATION ? "population" : "left";
    int k = q == Q_EVENT ? find(&x->event, name) : q == Q_LEFT ? find(&x->outcome, name) : 0;
    if (k < 0) return false;
    size_t rec;
    double *v = h5run_read(x->r, ds, m, &rec, d);
    if (!v) return false;
    size_t per = q == Q_LEFT && x->outcome.n ? rec / x->outcome.n : rec;
    for (int t = 0; t < x->r->days; t++) {
        const double *row = v + (size_t)t * rec;
        double s = 0;
        if (q == Q_EVENT)
            s = row[k];
        else
            for (size_t j = 0; j < per; j++)
                s += row[(size_t)k * per + j];
        out[t] = s;
    }
    free(v);
    return true;
}

/* One file's line and band: the ensemble mean of 7-day means, and its 95% interval. */
static bool series_of(report *rp, int r, qkind q, const char *name, size_t nb, double *mean,
                      double *lo, double *hi)
{
    const run_r *x = &rp->info[r];
    int members = x->r->n_members;
    double *day = malloc(((size_t)x->r->days + 1) * sizeof *day);
    double *bins = malloc(((size_t)members * nb + 1) * sizeof *bins);
    double *col = malloc(((size_t)members + 1) * sizeof *col);
    if (!day || !bins || !col) abort();
    bool ok = true;
    for (int m = 0; ok && m < members; m++) {
        ok = daily(x, q, name, m, day, rp->d);
        for (size_t b = 0; ok && b < nb; b++) {
            int d0 = (int)b * BIN_DAYS, d1 = d0 + BIN_DAYS;
            if (d1 > rp->ts_days) d1 = rp->ts_days;
            double s = 0;
            for (int t = d0; t < d1; t++)
                s += day[rp->ts_first[r] + t];
            bins[(size_t)m * nb + b] = s / (d1 - d0);
        }
    }
    for (size_t b = 0; ok && b < nb; b++) {
        for (int m = 0; m < members; m++)
            col[m] = bins[(size_t)m * nb + b];
        stats_summary s = stats_summarize(col, (size_t)members);
        mean[b] = s.mean, lo[b] = s.lo, hi[b] = s.hi;
    }
    free(day), free(bins), free(col);
    return ok;
}

static int time_series(report *rp, qkind q, const char *name, const char *title,
                       const char *y_label, const char *base, const char *caption)
{
    size_t nb = (size_t)(rp->ts_days + BIN_DAYS - 1) / BIN_DAYS;
    if (nb == 0) return 0;
    double *buf = malloc((3 * nb * (size_t)rp->ts_runs + nb + 1) * sizeof *buf);
    if (!buf) abort();
    plot_series lines[IND_MAX_RUNS];
    size_t n = 0;
    for (int r = 0; r < rp->ts_runs; r++) {
        double *mean = buf + 3 * nb * n, *lo = mean + nb, *hi = lo + nb;
        if (!series_of(rp, r, q, name, nb, mean, lo, hi)) continue;
        bool band = rp->runs[r].n_members > 1;
        lines[n++] = (plot_series){rp->info[r].legend, mean, band ? lo : NULL, band ? hi : NULL};
    }
    /* A quantity that is zero throughout in every file (deaths in a run without
     * hazards) says nothing a plot could show. */
    bool any = false;
    for (size_t k = 0; k < n && !any; k++)
        for (size_t b = 0; b < nb && !any; b++)
            any = lines[k].mean[b] != 0;
    int rc = 0;
    if (n > 0 && any && !rp->d->failed) {
        double *xday = buf + 3 * nb * (size_t)rp->ts_runs;
        for (size_t b = 0; b < nb; b++) {
            int d0 = (int)b * BIN_DAYS,
                d1 = d0 + BIN_DAYS > rp->ts_days ? rp->ts_days : d0 + BIN_DAYS;
            xday[b] = (d0 + d1 - 1) / 2.0;
        }
        int y, m, d;
        date_from_days(rp->ts_start, &y, &m, &d);
        char ylab[160];
        snprintf(ylab, sizeof ylab, "%s (%d-day mean)", y_label, BIN_DAYS);
        plot_series_spec spec = {.title = title,
                                 .y_label = ylab,
                                 .band_label = "95% interval of the ensemble mean",
                                 .start_year = y,
                                 .start_month = m,
                                 .start_day = d,
                                 .n = nb,
                                 .day = xday,
                                 .n_series = n,
                                 .series = lines};
        rc = render(rp, SEC_TIME, base, caption, render_series, &spec);
    }
    free(buf);
    return rp->d->failed ? -1 : rc;
}

static int all_time_series(report *rp)
{
    if (time_series(rp, Q_POPULATION, "", "People in Mexico (in the system)", "people", "ts_people",
                    "Migrants in the system each day (at places or travelling)."))
        return -1;
    /* Every event any file has, by the name it carries in the output. */
    labels seen = {0};
    for (int r = 0; r < rp->ts_runs; r++)
        for (size_t k = 0; k < rp->info[r].event.n; k++) {
            const char *name = rp->info[r].event.v[k];
            if (h5run_find_label(seen.v, seen.n, name) >= 0) continue;
            seen.v = realloc(seen.v, (seen.n + 1) * sizeof *seen.v);
            if (!seen.v) abort();
            seen.v[seen.n++] = (char *)name;
        }
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < seen.n; k++) {
        char base[96], title[160], caption[256];
        file_slug(seen.v[k], base + 10, sizeof base - 10);
        memcpy(base, "ts_events_", 10);
        snprintf(title, sizeof title, "Events: %s", seen.v[k]);
        snprintf(caption, sizeof caption, "Events of kind \"%s\" per day.", seen.v[k]);
        rc = time_series(rp, Q_EVENT, seen.v[k], title, "events per day", base, caption);
    }
    free(seen.v);
    if (rc == 0)
        rc = time_series(rp, Q_LEFT, "dead", "Deaths", "deaths per day", "ts_deaths",
                         "People who died (any cause), per day.");
    return rc;
}

/* ---- per-place totals -------------------------------------------------------------- */

/* Ensemble mean over members of a per-day dataset summed over the whole run, for the
 * `count` consecutive values starting at `offset` of each day's record. */
static double *run_totals(report *rp, int r, const char *ds, size_t offset, size_t count,
                          bool per_day)
{
    const h5run *run = &rp->runs[r];
    double *tot = calloc(count + 1, sizeof *tot);
    if (!tot) abort();
    for (int m = 0; m < run->n_members; m++) {
        size_t rec;
        double *v = h5run_read(run, ds, m, &rec, rp->d);
        if (!v || offset + count > rec) {
            free(v);
            free(tot);
            return NULL;
        }
        for (int t = 0; t < run->days; t++)
            for (size_t j = 0; j < count; j++)
                tot[j] += v[(size_t)t * rec + offset + j];
        free(v);
    }
    double scale = run->n_members * (per_day && run->days ? run->days : 1);
    for (size_t j = 0; j < count; j++)
        tot[j] /= scale;
    return tot;
}

static int map_mode(const char *mode)
{
    static const char *const names[PLOT_MODE_COUNT] = {[PLOT_MODE_RAIL] = "rail",
                                                       [PLOT_MODE_ROAD] = "road",
                                                       [PLOT_MODE_FOOT] = "foot",
                                                       [PLOT_MODE_RIVER] = "river"};
    for (int k = 0; k < PLOT_MODE_COUNT; k++)
        if (strcmp(mode, names[k]) == 0) return k;
    return PLOT_MODE_COUNT;
}

static int network_map(report *rp, int r)
{
    const run_r *x = &rp->info[r];
    if (x->n_nodes == 0 || !h5run_has(x->r, "population") || !h5run_has(x->r, "edge_flow"))
        return 0;
    size_t states = 0, dims[H5RUN_MAX_DIMS];
    if (h5run_record_shape(x->r, "population", dims) != 2 || dims[0] != x->n_nodes) return 0;
    states = dims[1];
    double *pop_ns = run_totals(rp, r, "population", 0, x->n_nodes * states, true);
    double *flow = x->n_edges ? run_totals(rp, r, "edge_flow", 0, x->n_edges, true) : NULL;
    double *pop = calloc(x->n_nodes + 1, sizeof *pop);
    int *from = calloc(x->n_edges + 1, sizeof *from), *to = calloc(x->n_edges + 1, sizeof *to);
    int *mode = calloc(x->n_edges + 1, sizeof *mode);
    if (!pop || !from || !to || !mode) abort();
    int rc = 0;
    if (pop_ns && (flow || !x->n_edges)) {
        /* People at the place: travelling people count at their edge's origin in
         * `population`, but they are drawn on the edges. */
        labels state = labels_read(x->r, "state_name");
        int travelling = find(&state, "travelling");
        h5run_free_strings(state.v, state.n);
        for (size_t v = 0; v < x->n_nodes; v++)
            for (size_t s = 0; s < states; s++)
                if ((int)s != travelling) pop[v] += pop_ns[v * states + s];
        for (size_t e = 0; e < x->n_edges; e++) {
            from[e] = (int)x->edge_from[e], to[e] = (int)x->edge_to[e];
            mode[e] = e < x->edge_mode.n ? map_mode(x->edge_mode.v[e]) : PLOT_MODE_COUNT;
        }
        char title[256], base[32], caption[512];
        snprintf(title, sizeof title, "%s: mean flows and people", x->brief);
        snprintf(base, sizeof base, "map_%c", 'A' + r);
        snprintf(caption, sizeof caption,
                 "%s. Line width: people setting out along each edge per day (mean over the run "
                 "and the members), coloured by mode; dashed: unused. Circle area: people at each "
                 "place (not travelling) on an average day.",
                 x->legend);
        plot_map_spec spec = {.title = title,
                              .size_label = "people at the place",
                              .flow_label = "people per day",
                              .width = 1000,
                              .height = 720,
                              .n_nodes = x->n_nodes,
                              .lon = x->lon,
                              .lat = x->lat,
                              .size_value = pop,
                              .label = (const char *const *)x->node_label.v,
                              .label_count = 12,
                              .n_edges = x->n_edges,
                              .from = from,
                              .to = to,
                              .flow = flow,
                              .mode = mode};
        rc = render(rp, SEC_MAP, base, caption, render_map, &spec);
    }
    free(pop_ns), free(flow), free(pop), free(from), free(to), free(mode);
    return rp->d->failed ? -1 : rc;
}

/* A place: node v (< n_nodes) or edge e (n_nodes + e), with its value in files A, B. */
typedef struct place {
    char label[160];
    double a, b;
} place;

static int place_desc(const void *p, const void *q)
{
    const place *x = p, *y = q;
    double u = fmax(x->a, x->b), v = fmax(y->a, y->b);
    return u < v ? 1 : u > v ? -1 : strcmp(x->label, y->label);
}

static void edge_label(const run_r *x, size_t e, char *buf, size_t len)
{
    size_t f = (size_t)x->edge_from[e], t = (size_t)x->edge_to[e];
    snprintf(buf, len, "%s \u2192 %s (%s)", f < x->n_nodes ? x->node_label.v[f] : "?",
             t < x->n_nodes ? x->node_label.v[t] : "?",
             e < x->edge_mode.n ? x->edge_mode.v[e] : "?");
}

/* Adds file r's values to the list of places, matched by label. */
static void places_add(place **list, size_t *n, const char *label, int r, double v)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*list)[i].label, label) == 0) {
            if (r == 0)
                (*list)[i].a += v;
            else
                (*list)[i].b += v;
            return;
        }
    *list = realloc(*list, (*n + 1) * sizeof **list);
    if (!*list) abort();
    place *p = &(*list)[(*n)++];
    snprintf(p->label, sizeof p->label, "%s", label);
    p->a = r == 0 ? v : 0;
    p->b = r == 0 ? 0 : v;
}

static int place_bars(report *rp, place *list, size_t n, const char *title, const char *value_label,
                      const char *base, const char *caption)
{
    if (n > 1) qsort(list, n, sizeof *list, place_desc);
    while (n > 0 && fmax(list[n - 1].a, list[n - 1].b) <= 0)
        n--;
    if (n == 0) return 0; /* nothing happened anywhere: no plot */
    if (n > TOP_PLACES) n = TOP_PLACES;
    const char *cat[TOP_PLACES];
    double a[TOP_PLACES], b[TOP_PLACES];
    for (size_t i = 0; i < n; i++)
        cat[i] = list[i].label, a[i] = list[i].a, b[i] = list[i].b;
    bool two = rp->n_runs > 1;
    plot_bar_spec spec = {.title = title,
                          .value_label = value_label,
                          .height = (int)(160 + 44 * n * (two ? 1.5 : 1.0)),
                          .horizontal = true,
                          .n = n,
                          .category = cat,
                          .values = a,
                          .values_b = two ? b : NULL,
                          .name = rp->info[0].brief,
                          .name_b = two ? rp->info[1].brief : NULL};
    if (spec.height < PLOT_MIN_SIZE) spec.height = PLOT_MIN_SIZE;
    return render(rp, SEC_PLACE, base, caption, render_bars, &spec);
}

/* Incidents of kind `kind` (detection, crime, injury) by node and edge. */
static int incidents_by_place(report *rp, const char *kind, const char *title, const char *base,
                              const char *caption)
{
    place *list = NULL;
    size_t n = 0;
    int files = rp->n_runs > 2 ? 2 : rp->n_runs;
    for (int r = 0; r < files; r++) {
        const run_r *x = &rp->info[r];
        int k = find(&x->incident, kind);
        if (k < 0 || x->n_nodes == 0) continue;
        double *nodes =
            run_totals(rp, r, "incidents_node", (size_t)k * x->n_nodes, x->n_nodes, false);
        double *edges = x->n_edges ? run_totals(rp, r, "incidents_edge", (size_t)k * x->n_edges,
                                                x->n_edges, false)
                                   : NULL;
        char label[160];
        for (size_t v = 0; nodes && v < x->n_nodes; v++)
            if (nodes[v] > 0) places_add(&list, &n, x->node_label.v[v], r, nodes[v]);
        for (size_t e = 0; edges && e < x->n_edges; e++)
            if (edges[e] > 0) {
                edge_label(x, e, label, sizeof label);
                places_add(&list, &n, label, r, edges[e]);
            }
        free(nodes), free(edges);
    }
    int rc =
        place_bars(rp, list, n, title, "incidents over the run (ensemble mean)", base, caption);
    free(list);
    return rp->d->failed ? -1 : rc;
}

/* People leaving with `outcome` by node (exits only when exits_only). */
static int left_by_place(report *rp, const char *outcome, bool exits_only, const char *title,
                         const char *value_label, const char *base, const char *caption)
{
    place *list = NULL;
    size_t n = 0;
    int files = rp->n_runs > 2 ? 2 : rp->n_runs;
    for (int r = 0; r < files; r++) {
        const run_r *x = &rp->info[r];
        int o = find(&x->outcome, outcome);
        if (o < 0 || x->n_nodes == 0) continue;
        double *at = run_totals(rp, r, "left_at", (size_t)o * x->n_nodes, x->n_nodes, false);
        for (size_t v = 0; at && v < x->n_nodes; v++) {
            bool is_exit = v < x->node_kind.n && strcmp(x->node_kind.v[v], "exit") == 0;
            if (!exits_only || is_exit) places_add(&list, &n, x->node_label.v[v], r, at[v]);
        }
        free(at);
    }
    int rc = place_bars(rp, list, n, title, value_label, base, caption);
    free(list);
    return rp->d->failed ? -1 : rc;
}

static int mode_shares(report *rp)
{
    place *list = NULL;
    size_t n = 0;
    int files = rp->n_runs > 2 ? 2 : rp->n_runs;
    for (int r = 0; r < files; r++) {
        const run_r *x = &rp->info[r];
        if (x->edge_mode.n == 0) continue;
        double *flow = run_totals(rp, r, "edge_flow", 0, x->edge_mode.n, false);
        double total = 0;
        for (size_t e = 0; flow && e < x->edge_mode.n; e++)
            total += flow[e];
        for (size_t e = 0; flow && total > 0 && e < x->edge_mode.n; e++)
            places_add(&list, &n, x->edge_mode.v[e], r, 100.0 * flow[e] / total);
        free(flow);
    }
    int rc = place_bars(rp, list, n, "Travel modes: share of departures along edges",
                        "% of departures", "bars_modes",
                        "Share of all departures along an edge (a person setting out on one leg "
                        "of the trip) by travel mode, over the whole run.");
    free(list);
    return rp->d->failed ? -1 : rc;
}

static int all_bars(report *rp)
{
    if (incidents_by_place(rp, "detection", "Detections by place", "bars_detections",
                           "Detections by enforcement (checkpoints, raids) at each place or "
                           "edge, over the whole run; the 15 places with most.") ||
        incidents_by_place(rp, "crime", "Crimes against migrants by place", "bars_crimes",
                           "Crimes (robbery, extortion, kidnapping, trafficking...) at each "
                           "place or edge, over the whole run; the 15 places with most.") ||
        incidents_by_place(rp, "injury", "Injuries by place", "bars_injuries",
                           "Injuries at each place or edge, over the whole run.") ||
        left_by_place(rp, "arrived", true, "Arrivals at the US border by city",
                      "people over the run (ensemble mean)", "bars_arrivals",
                      "Where people reached the US border, over the whole run.") ||
        left_by_place(rp, "dead", false, "Deaths by place", "deaths over the run (ensemble mean)",
                      "bars_deaths", "Where people died, over the whole run.") ||
        mode_shares(rp))
        return -1;
    return 0;
}

/* ---- index.html ---------------------------------------------------------------------- */

static const char html_head[] =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<title>rumbo report</title>\n<style>\n"
    "body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}\n"
    "table.compare{border-collapse:collapse;font-size:0.85em}\n"
    "table.compare td,table.compare th{border-bottom:1px solid #ddd;padding:2px 8px;"
    "text-align:right;white-space:nowrap}\n"
    "table.compare td:first-child,table.compare th:first-child{text-align:left;"
    "white-space:normal}\n"
    "table.compare tr.run td{font-weight:bold}\n"
    "table.compare td.sig{background:#fde7c8}\n"
    "figure{margin:1.5em 0}\nfigure img{max-width:100%;border:1px solid #eee}\n"
    "figcaption{font-size:0.9em;color:#555}\n</style>\n</head>\n<body>\n";

static int write_index(report *rp, const ind_table *t)
{
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/index.html", rp->dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        diag_fail(rp->d, EXIT_RUNTIME, "%s: cannot write: %s", tmp, strerror(errno));
        return -1;
    }
    fputs(html_head, f);
    fputs("<h1>rumbo report</h1>\n<ul>\n", f);
    for (int r = 0; r < rp->n_runs; r++) {
        const h5run *run = &rp->runs[r];
        char first[11], last[11];
        date_format(run->start, first);
        date_format(run->start + run->days - 1, last);
        fputs("<li>", f);
        compare_html_text(f, rp->info[r].legend);
        fprintf(f, ": %d member%s, %s to %s</li>\n", run->n_members, run->n_members == 1 ? "" : "s",
                first, last);
    }
    fputs("</ul>\n", f);
    if (rp->ts_runs < rp->n_runs)
        fputs("<p>The files cover different dates: time series show file A only.</p>\n", f);
    if (rp->n_runs > 2) fputs("<p>Bar charts show files A and B only.</p>\n", f);
    fputs("<h2>Headline indicators</h2>\n<p>Each cell: ensemble mean [95% interval of the "
          "mean]. ",
          f);
    if (rp->n_runs > 1)
        fputs("Differences from A: Welch 95% interval; * and shading where it excludes 0. ", f);
    fputs("n/a: the file does not have what the indicator needs (a module that was off). The "
          "same numbers are in <a href=\"compare.csv\">compare.csv</a>.</p>\n",
          f);
    compare_write_html(f, t);
    for (int s = 0; s < SEC_COUNT; s++) {
        bool any = false;
        for (int k = 0; k < rp->n_figs; k++)
            any |= rp->figs[k].section == s;
        if (!any) continue;
        fprintf(f, "<h2>%s</h2>\n", section_titles[s]);
        for (int k = 0; k < rp->n_figs; k++) {
            const figure *g = &rp->figs[k];
            if (g->section != s) continue;
            fprintf(f,
                    "<figure><a href=\"%s.svg\"><img src=\"%s.png\" alt=\"%s\"></a>"
                    "<figcaption>",
                    g->base, g->base, g->base);
            compare_html_text(f, g->caption);
            fputs(" (<a href=\"", f);
            fputs(g->base, f);
            fputs(".svg\">SVG</a>)</figcaption></figure>\n", f);
        }
    }
    fputs("</body>\n</html>\n", f);
    int rc = ferror(f) ? -1 : 0;
    if (fclose(f) != 0) rc = -1;
    if (rc == 0 && rename(tmp, path) != 0) rc = -1;
    if (rc) {
        remove(tmp);
        diag_fail(rp->d, EXIT_RUNTIME, "%s: writing failed: %s", path, strerror(errno));
        return -1;
    }
    if (!rp->quiet) printf("  %s\n", path);
    return 0;
}

static int write_csv(report *rp, const ind_table *t)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/compare.csv", rp->dir);
    FILE *f = fopen(path, "w");
    int rc = f ? compare_write_csv(f, t) : -1;
    if (f && fclose(f) != 0) rc = -1;
    if (rc)
        diag_fail(rp->d, EXIT_RUNTIME, "%s: cannot write: %s", path, strerror(errno));
    else if (!rp->quiet)
        printf("  %s\n", path);
    return rc;
}

/* ---- the whole report ------------------------------------------------------------------ */

static void common_dates(report *rp)
{
    int32_t start = INT32_MIN, end = INT32_MAX;
    for (int r = 0; r < rp->n_runs; r++) {
        const h5run *run = &rp->runs[r];
        if (run->start > start) start = run->start;
        if (run->start + run->days < end) end = run->start + run->days;
    }
    rp->ts_runs = rp->n_runs;
    if (end <= start) { /* no common dates: the first file alone */
        rp->ts_runs = 1;
        start = rp->runs[0].start;
        end = start + rp->runs[0].days;
    }
    rp->ts_start = start;
    rp->ts_days = (int)(end - start);
    for (int r = 0; r < rp->ts_runs; r++)
        rp->ts_first[r] = (int)(start - rp->runs[r].start);
}

static int make_dir(const char *dir, diag *d)
{
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (S_ISDIR(st.st_mode)) return 0;
        diag_input(d, dir, 0, "-o", "exists and is not a directory");
        return -1;
    }
    if (mkdir(dir, 0777) != 0) {
        diag_input(d, dir, 0, "-o", "cannot create the directory: %s", strerror(errno));
        return -1;
    }
    return 0;
}

int report_write(const h5run *runs, int n_runs, const char *dir, bool quiet, diag *d)
{
    if (n_runs < 1 || n_runs > IND_MAX_RUNS) {
        diag_fail(d, EXIT_BAD_INPUT, "a report takes 1 to %d files", IND_MAX_RUNS);
        return -1;
    }
    if (make_dir(dir, d)) return -1;
    report *rp = calloc(1, sizeof *rp);
    run_r *info = calloc((size_t)n_runs, sizeof *info);
    if (!rp || !info) abort();
    *rp =
        (report){.runs = runs, .n_runs = n_runs, .info = info, .dir = dir, .quiet = quiet, .d = d};
    for (int r = 0; r < n_runs; r++)
        run_open(&info[r], &runs[r], r);
    for (int r = 0; r < n_runs; r++) /* same scenario twice (variants): name the files */
        for (int q = 0; q < n_runs; q++)
            if (q != r && strcmp(runs[r].scenario_name, runs[q].scenario_name) == 0)
                snprintf(info[r].brief, sizeof info[r].brief, "%c: %s", 'A' + r,
                         base_name(runs[r].path));
    common_dates(rp);
    ind_table t;
    int rc = indicators_compute(&t, runs, n_runs, d);
    if (rc == 0) {
        rc = all_time_series(rp);
        for (int r = 0; rc == 0 && r < n_runs; r++)
            rc = network_map(rp, r);
        if (rc == 0) rc = all_bars(rp);
        if (rc == 0) rc = write_csv(rp, &t);
        if (rc == 0) rc = write_index(rp, &t);
        indicators_free(&t);
    }
    for (int r = 0; r < n_runs; r++)
        run_close(&info[r]);
    free(info);
    free(rp);
    return rc;
}
