#include "analysis/sweep.h"

#include <gsl/gsl_rng.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/sweep_indicators.h"
#include "analysis/sobol.h"
#include "sim/scenario.h"
#include "sim/sim.h"

const char *const sweep_design_names[SWEEP_DESIGN_COUNT] = {"grid", "lhs", "saltelli"};

/* Keys a sweep may not vary: they change the shape or the calendar of every output. */
static const char *const fixed_keys[] = {"days", "start_date", "network", "name"};

static const char *const ishigami_keys[3] = {"x1", "x2", "x3"};

/* Upper bound on runs: a sweep file row per run must stay addressable and sane. */
#define SWEEP_MAX_RUNS 100000000u

static char *xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p) abort();
    return p;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) abort();
    return p;
}

static int fail_node(diag *d, const cfg *c, const char *fmt, const char *detail)
{
    char path[512];
    cfg_path(c, path, sizeof path);
    diag_input(d, c->file, c->line, path, fmt, detail);
    return -1;
}

static char *relative_to(const char *spec_path, const char *rel)
{
    if (rel[0] == '/') return xstrdup(rel);
    char *copy = xstrdup(spec_path);
    const char *dir = dirname(copy);
    size_t n = strlen(dir) + strlen(rel) + 2;
    char *out = xcalloc(n, 1);
    snprintf(out, n, "%s/%s", dir, rel);
    free(copy);
    return out;
}

/* ---- reading the spec ---------------------------------------------------------------- */

/* "key=value" for --set: plain scalars as written, quoted ones re-quoted for YAML. */
static char *assignment_of(const cfg *c)
{
    const char *v = c->text ? c->text : "";
    size_t n = strlen(c->key) + 2 * strlen(v) + 8;
    char *out = xcalloc(n, 1);
    size_t at = (size_t)snprintf(out, n, "%s=", c->key);
    if (c->plain) {
        snprintf(out + at, n - at, "%s", v);
        return out;
    }
    out[at++] = '\'';
    for (const char *p = v; *p; p++) {
        if (*p == '\'') out[at++] = '\'';
        out[at++] = *p;
    }
    out[at++] = '\'';
    out[at] = '\0';
    return out;
}

static int read_sets(sweep_spec *sp, cfg *root, diag *d)
{
    cfg *set = cfg_child(root, "set");
    if (!set) return 0;
    if (cfg_get_map(root, "set", &set, d)) return -1;
    if (sp->ishigami) {
        if (cfg_opt_double(set, "a", -1e6, 1e6, &sp->ish_a, d) ||
            cfg_opt_double(set, "b", -1e6, 1e6, &sp->ish_b, d))
            return -1;
        return 0; /* anything else is reported by cfg_check_unused */
    }
    sp->sets = xcalloc(set->n + 1, sizeof(char *));
    for (size_t i = 0; i < set->n; i++) {
        cfg *c = set->kids[i];
        if (c->kind != CFG_SCALAR)
            return fail_node(d, c, "%sgive one value per dotted key (e.g. a.b.c: 1)", "");
        cfg_mark_used(c);
        sp->sets[sp->n_sets++] = assignment_of(c);
    }
    return 0;
}

static int read_numbers(cfg *list, double *out, diag *d)
{
    for (size_t i = 0; i < list->n; i++)
        if (cfg_as_double(list->kids[i], -1e300, 1e300, &out[i], d)) return -1;
    return 0;
}

static int check_key(const sweep_spec *sp, cfg *c, diag *d)
{
    if (sp->ishigami) {
        for (int i = 0; i < 3; i++)
            if (strcmp(c->key, ishigami_keys[i]) == 0) return 0;
        return fail_node(d, c, "the ishigami model has parameters x1, x2 and x3%s", "");
    }
    for (size_t f = 0; f < sizeof fixed_keys / sizeof *fixed_keys; f++) {
        size_t len = strlen(fixed_keys[f]);
        if (strncmp(c->key, fixed_keys[f], len) == 0 && (c->key[len] == '\0' || c->key[len] == '.'))
            return fail_node(d, c,
                             "'%s' defines the shape of every run and cannot be varied "
                             "(fix it under `set:` instead)",
                             fixed_keys[f]);
    }
    return 0;
}

static int read_param(sweep_spec *sp, cfg *c, size_t j, diag *d)
{
    sweep_param *p = &sp->params[j];
    design_param *dp = &sp->dparams[j];
    p->key = xstrdup(c->key);
    p->line = c->line;
    for (size_t i = 0; i < j; i++)
        if (strcmp(sp->params[i].key, c->key) == 0)
            return fail_node(d, c, "parameter given twice%s", "");
    if (check_key(sp, c, d) || cfg_expect(c, CFG_MAP, d)) return -1;
    bool has_range = cfg_child(c, "range") != NULL, has_values = cfg_child(c, "values") != NULL;
    if (has_range == has_values)
        return fail_node(d, c, "give either `range: [lo, hi]` or `values: [...]`%s", "");
    cfg *list;
    if (has_values) {
        if (cfg_get_list(c, "values", &list, d)) return -1;
        if (list->n == 0) return fail_node(d, list, "the list of values is empty%s", "");
        p->values = xcalloc(list->n, sizeof(double));
        if (read_numbers(list, p->values, d)) return -1;
        dp->values = p->values;
        dp->nvalues = list->n;
        return 0;
    }
    if (cfg_get_list(c, "range", &list, d)) return -1;
    double lh[2];
    if (list->n != 2) return fail_node(d, list, "a range is [lo, hi]%s", "");
    if (read_numbers(list, lh, d)) return -1;
    if (lh[0] > lh[1]) return fail_node(d, list, "lo must not exceed hi%s", "");
    dp->lo = lh[0];
    dp->hi = lh[1];
    if (sp->design == SWEEP_GRID) {
        int64_t levels;
        if (cfg_get_int(c, "levels", 1, 1000000, &levels, d)) return -1;
        dp->levels = (size_t)levels;
    }
    return 0;
}

static int read_params(sweep_spec *sp, cfg *root, diag *d)
{
    cfg *params;
    if (cfg_get_map(root, "parameters", &params, d)) return -1;
    if (params->n == 0) return fail_node(d, params, "no parameters to vary%s", "");
    sp->k = params->n;
    sp->params = xcalloc(sp->k, sizeof *sp->params);
    sp->dparams = xcalloc(sp->k, sizeof *sp->dparams);
    for (size_t j = 0; j < sp->k; j++)
        if (read_param(sp, params->kids[j], j, d)) return -1;
    if (sp->design == SWEEP_SALTELLI && sp->k > DESIGN_SALTELLI_MAX_K) {
        char msg[80];
        snprintf(msg, sizeof msg, "a saltelli design takes at most %d parameters",
                 DESIGN_SALTELLI_MAX_K);
        return fail_node(d, params, "%s", msg);
    }
    return 0;
}

static int read_indicators(sweep_spec *sp, cfg *root, diag *d)
{
    cfg *list = NULL;
    if (cfg_child(root, "indicators") && cfg_get_list(root, "indicators", &list, d)) return -1;
    if (sp->ishigami) {
        sp->m = 1;
        sp->ind = xcalloc(1, sizeof(int));
        sp->ind_names = xcalloc(1, sizeof(char *));
        sp->ind_names[0] = xstrdup("y");
        for (size_t i = 0; list && i < list->n; i++) {
            cfg *c = list->kids[i];
            cfg_mark_used(c);
            if (c->kind != CFG_SCALAR || strcmp(c->text, "y") != 0)
                return fail_node(d, c, "the ishigami model has one indicator, y%s", "");
        }
        return 0;
    }
    sp->m = list ? list->n : sweep_indicators_count();
    if (sp->m == 0) return fail_node(d, list, "no indicators to keep%s", "");
    sp->ind = xcalloc(sp->m, sizeof(int));
    sp->ind_names = xcalloc(sp->m, sizeof(char *));
    for (size_t i = 0; i < sp->m; i++) {
        int idx = (int)i;
        if (list) {
            cfg *c = list->kids[i];
            cfg_mark_used(c);
            idx = c->kind == CFG_SCALAR ? sweep_indicator_find(c->text) : -1;
            if (idx < 0) {
                char known[1024];
                size_t at = 0;
                known[0] = '\0';
                for (size_t k = 0; k < sweep_indicators_count() && at < sizeof known; k++)
                    at += (size_t)snprintf(known + at, sizeof known - at, "%s%s", k ? ", " : "",
                                           sweep_indicator_name(k));
                return fail_node(d, c, "unknown indicator (known: %s)", known);
            }
            for (size_t j = 0; j < i; j++)
                if (sp->ind[j] == idx) return fail_node(d, c, "indicator given twice%s", "");
        }
        sp->ind[i] = idx;
        sp->ind_names[i] = xstrdup(sweep_indicator_name((size_t)idx));
    }
    return 0;
}

static int read_settings(sweep_spec *sp, cfg *root, diag *d)
{
    int design;
    int64_t v;
    if (cfg_get_enum(root, "design", sweep_design_names, SWEEP_DESIGN_COUNT, &design, d)) return -1;
    sp->design = (sweep_design)design;
    if (sp->design != SWEEP_GRID) {
        if (cfg_get_int(root, "samples", sp->design == SWEEP_SALTELLI ? 2 : 1, SWEEP_MAX_RUNS, &v,
                        d))
            return -1;
        sp->samples = (size_t)v;
    }
    v = 1;
    if (cfg_opt_int(root, "replicates", 1, 1000000, &v, d)) return -1;
    sp->replicates = (size_t)v;
    v = 1;
    if (cfg_opt_int(root, "seed", 0, INT64_MAX, &v, d)) return -1;
    sp->seed = (uint64_t)v;
    if (sp->design == SWEEP_SALTELLI) {
        v = 1000;
        if (cfg_opt_int(root, "bootstrap", 0, 1000000, &v, d)) return -1;
        sp->bootstrap = (size_t)v;
    }
    if (cfg_opt_bool(root, "store_series", &sp->store_series, d)) return -1;
    if (sp->store_series && sp->ishigami)
        return fail_node(d, cfg_child(root, "store_series"),
                         "the ishigami model has no time series%s", "");
    return 0;
}

static int build_design(sweep_spec *sp, cfg *root, diag *d)
{
    size_t rows = 0;
    switch (sp->design) {
    case SWEEP_GRID:
        rows = design_grid_rows(sp->dparams, sp->k);
        break;
    case SWEEP_LHS:
        rows = sp->samples;
        break;
    case SWEEP_SALTELLI:
        rows = design_saltelli_rows(sp->k, sp->samples);
        break;
    default:
        break;
    }
    if (rows == 0 || rows > SWEEP_MAX_RUNS / sp->replicates) {
        cfg *at = cfg_child(root, sp->design == SWEEP_GRID ? "parameters" : "samples");
        char msg[96];
        snprintf(msg, sizeof msg, "the design has too many runs (at most %u)", SWEEP_MAX_RUNS);
        return fail_node(d, at, "%s", msg);
    }
    sp->points = rows;
    sp->runs = rows * sp->replicates;
    sp->rows = xcalloc(rows * sp->k, sizeof(double));
    int rc = -1;
    if (sp->design == SWEEP_GRID) {
        rc = design_grid(sp->dparams, sp->k, sp->rows);
    } else if (sp->design == SWEEP_LHS) {
        gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
        if (!r) abort();
        gsl_rng_set(r, (unsigned long)sp->seed);
        rc = design_lhs(sp->dparams, sp->k, rows, r, sp->rows);
        gsl_rng_free(r);
    } else {
        rc = design_saltelli(sp->dparams, sp->k, sp->samples, sp->rows);
    }
    if (rc) return fail_node(d, root, "cannot build the design%s", "");
    return 0;
}

/* ---- validating against the scenario --------------------------------------------------- */

static int load_with(const sweep_spec *sp, scenario *sc, const char *const *extra, int n_extra,
                     diag *d)
{
    const char **sets = xcalloc((size_t)(sp->n_sets + n_extra), sizeof(char *));
    for (int i = 0; i < sp->n_sets; i++)
        sets[i] = sp->sets[i];
    for (int i = 0; i < n_extra; i++)
        sets[sp->n_sets + i] = extra[i];
    scenario_overrides ov = {sets, sp->n_sets + n_extra, -1, -1};
    int rc = scenario_load(sc, sp->scenario_path, &ov, d);
    free(sets);
    return rc;
}

static char *param_assignment(const sweep_param *p, double v)
{
    size_t n = strlen(p->key) + 40;
    char *out = xcalloc(n, 1);
    snprintf(out, n, "%s=%.17g", p->key, v);
    return out;
}

/* The scenario must accept each parameter at both ends of its range (at every value of a
 * list): ranges are intervals, so the values in between are then valid too. */
static int check_param_values(const sweep_spec *sp, size_t j, diag *d)
{
    const sweep_param *p = &sp->params[j];
    const design_param *dp = &sp->dparams[j];
    size_t n = dp->values ? dp->nvalues : 2;
    for (size_t i = 0; i < n; i++) {
        double v = dp->values ? dp->values[i] : (i == 0 ? dp->lo : dp->hi);
        char *a = param_assignment(p, v);
        scenario sc;
        diag inner = {0};
        int rc = load_with(sp, &sc, (const char *const *)&a, 1, &inner);
        scenario_free(&sc);
        free(a);
        if (rc) {
            char key[300];
            snprintf(key, sizeof key, "parameters.%s", p->key);
            diag_input(d, sp->path, p->line, key, "the scenario rejects the value %.17g: %s", v,
                       inner.msg);
            return -1;
        }
    }
    return 0;
}

/* Records the shape of the outputs from a run set up but not simulated. */
static int read_layout(sweep_spec *sp, scenario *sc, diag *d)
{
    sp->days = sc->days;
    if (!sp->store_series) return 0;
    sim s;
    if (sim_init(&s, sc, 0, 1, d)) {
        sim_free(&s);
        return -1;
    }
    sp->n_series = (size_t)s.out.n;
    sp->series = xcalloc(sp->n_series, sizeof *sp->series);
    for (int i = 0; i < s.out.n; i++) {
        const series *sr = &s.out.items[i];
        sweep_series *o = &sp->series[i];
        snprintf(o->name, sizeof o->name, "%s", sr->name);
        o->type = sr->type;
        o->record = sr->record;
        o->ndims = sr->ndims;
        for (int k = 0; k < sr->ndims; k++) {
            o->dims[k] = s.out.dims[sr->dims[k]].size;
            snprintf(o->dim_names[k], sizeof o->dim_names[k], "%s", s.out.dims[sr->dims[k]].name);
        }
    }
    sim_free(&s);
    return 0;
}

static int check_scenario(sweep_spec *sp, cfg *root, diag *d)
{
    scenario sc;
    diag inner = {0};
    if (load_with(sp, &sc, NULL, 0, &inner)) {
        scenario_free(&sc);
        cfg *at = cfg_child(root, "scenario");
        char msg[1200];
        snprintf(msg, sizeof msg, "the base scenario (with `set`) is invalid: %s", inner.msg);
        return fail_node(d, at, "%s", msg);
    }
    sp->scenario_yaml = xstrdup(sc.yaml);
    int rc = read_layout(sp, &sc, d);
    scenario_free(&sc);
    for (size_t j = 0; rc == 0 && j < sp->k; j++)
        rc = check_param_values(sp, j, d);
    return rc;
}

/* ---- loading ------------------------------------------------------------------------- */

static int read_model(sweep_spec *sp, cfg *root, diag *d)
{
    const char *scen = NULL, *model = NULL;
    if (cfg_opt_string(root, "scenario", &scen, d) || cfg_opt_string(root, "model", &model, d))
        return -1;
    if ((scen != NULL) == (model != NULL)) {
        diag_input(d, sp->path, 1, "scenario",
                   "give either `scenario: FILE` (a base scenario) or `model: ishigami`");
        return -1;
    }
    if (model) {
        if (strcmp(model, "ishigami") != 0)
            return fail_node(d, cfg_child(root, "model"),
                             "unknown model (the only built-in model is ishigami)%s", "");
        sp->ishigami = true;
        sp->ish_a = 7;
        sp->ish_b = 0.1;
        sp->scenario_yaml = xstrdup("ishigami");
        return 0;
    }
    sp->scenario_path = relative_to(sp->path, scen);
    return 0;
}

int sweep_load(sweep_spec *sp, const char *path, diag *d)
{
    memset(sp, 0, sizeof *sp);
    sp->path = xstrdup(path);
    cfg *root = cfg_parse_file(path, d);
    if (!root) return -1;
    int rc = -1;
    if (cfg_expect(root, CFG_MAP, d) || read_model(sp, root, d) || read_sets(sp, root, d) ||
        read_settings(sp, root, d) || read_params(sp, root, d) || read_indicators(sp, root, d) ||
        cfg_check_unused(root, d) || build_design(sp, root, d))
        goto done;
    if (!sp->ishigami && check_scenario(sp, root, d)) goto done;
    sp->text = cfg_emit(root);
    rc = 0;
done:
    cfg_free(root);
    return rc;
}

void sweep_free(sweep_spec *sp)
{
    for (size_t j = 0; sp->params && j < sp->k; j++) {
        free(sp->params[j].key);
        free(sp->params[j].values);
    }
    for (int i = 0; i < sp->n_sets; i++)
        free(sp->sets[i]);
    for (size_t i = 0; sp->ind_names && i < sp->m; i++)
        free(sp->ind_names[i]);
    free(sp->params);
    free(sp->dparams);
    free(sp->sets);
    free(sp->ind);
    free(sp->ind_names);
    free(sp->series);
    free(sp->rows);
    free(sp->scenario_path);
    free(sp->scenario_yaml);
    free(sp->text);
    free(sp->path);
    memset(sp, 0, sizeof *sp);
}

/* ---- running ------------------------------------------------------------------------- */

size_t sweep_result_bytes(const sweep_spec *sp)
{
    size_t bytes = sp->m * sizeof(double);
    for (size_t i = 0; i < sp->n_series; i++)
        bytes += (size_t)sp->days * sp->series[i].record * 8;
    return bytes;
}

const double *sweep_sample_params(const sweep_spec *sp, size_t sample)
{
    return sp->rows + (sample / sp->replicates) * sp->k;
}

static void run_ishigami(const sweep_spec *sp, size_t sample, double *y)
{
    double x[3] = {0, 0, 0};
    const double *row = sweep_sample_params(sp, sample);
    for (size_t j = 0; j < sp->k; j++)
        for (int i = 0; i < 3; i++)
            if (strcmp(sp->params[j].key, ishigami_keys[i]) == 0) x[i] = row[j];
    y[0] = sobol_ishigami(x, sp->ish_a, sp->ish_b);
}

static void collect(const sweep_spec *sp, const sim *s, void *result)
{
    double *ind = result;
    for (size_t i = 0; i < sp->m; i++)
        ind[i] = sweep_indicator_value((size_t)sp->ind[i], s);
    unsigned char *bytes = (unsigned char *)(ind + sp->m);
    for (size_t i = 0; i < sp->n_series; i++) {
        size_t n = (size_t)sp->days * sp->series[i].record * 8;
        if (series_read(&s->out.items[i], bytes)) abort(); /* memory corrupted */
        bytes += n;
    }
}

int sweep_run_sample(const sweep_spec *sp, size_t sample, int threads, sweep_stop_fn stop,
                     void *stop_ctx, void *result, diag *d)
{
    if (sp->ishigami) {
        run_ishigami(sp, sample, result);
        return 0;
    }
    const double *row = sweep_sample_params(sp, sample);
    char **extra = xcalloc(sp->k, sizeof(char *));
    for (size_t j = 0; j < sp->k; j++)
        extra[j] = param_assignment(&sp->params[j], row[j]);
    scenario sc;
    sim s;
    int rc = -1;
    bool have_sim = false;
    diag inner = {0};
    if (load_with(sp, &sc, (const char *const *)extra, (int)sp->k, &inner) ||
        sim_init(&s, &sc, (uint32_t)(sample % sp->replicates), threads, &inner)) {
        diag_fail(d, EXIT_BAD_INPUT, "sample %zu: %s", sample, inner.msg);
        goto done;
    }
    have_sim = true;
    rc = 0;
    while (s.day < sc.days && rc == 0) {
        sim_step(&s);
        if (stop && stop(stop_ctx)) rc = 1;
    }
    if (rc == 0) collect(sp, &s, result);
done:
    if (have_sim) sim_free(&s);
    scenario_free(&sc);
    for (size_t j = 0; j < sp->k; j++)
        free(extra[j]);
    free(extra);
    return rc;
}
