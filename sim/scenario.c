#include "sim/scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Keys the timeline may not change: they define the run, not a policy. */
static const char *const fixed_keys[] = {"name",     "description", "start_date",
                                         "days",     "seed",        "network",
                                         "timeline", "extends",     "population_scale"};

typedef struct timeline_entry {
    cfg *node;
    int32_t date;
} timeline_entry;

static int read_run_settings(scenario *sc, cfg *root, diag *d)
{
    const char *name, *description = NULL;
    int64_t days, seed;
    cfg *net;
    if (cfg_get_string(root, "name", &name, d) ||
        cfg_opt_string(root, "description", &description, d) ||
        cfg_get_date(root, "start_date", &sc->start, d) ||
        cfg_get_int(root, "days", 1, 36525, &days, d) ||
        cfg_get_int(root, "seed", 0, INT64_MAX, &seed, d) || cfg_get_map(root, "network", &net, d))
        return -1;
    sc->name = strdup(name);
    sc->days = (int)days;
    sc->seed = (uint64_t)seed;
    return network_load(&sc->net, net, d);
}

static int by_date(const void *pa, const void *pb)
{
    const timeline_entry *a = pa, *b = pb;
    if (a->date != b->date) return a->date < b->date ? -1 : 1;
    /* Same date: keep file order (the sort is not stable, so compare positions). */
    return (a->node > b->node) - (a->node < b->node);
}

/* Reads and orders timeline entries. Within one file, dates must not go backwards:
 * that is almost always a typo in a year. */
static int read_timeline(cfg *root, timeline_entry **out, int *n_out, diag *d)
{
    *out = NULL;
    *n_out = 0;
    cfg *list = cfg_child(root, "timeline");
    if (!list) return 0;
    if (cfg_expect(list, CFG_LIST, d)) return -1;
    timeline_entry *v = calloc(list->n + 1, sizeof *v);
    if (!v) abort();
    for (size_t i = 0; i < list->n; i++) {
        cfg *e = list->kids[i];
        if (cfg_expect(e, CFG_MAP, d) || cfg_get_date(e, "date", &v[i].date, d)) goto fail;
        v[i].node = e;
        if (e->n < 2) {
            char path[256];
            cfg_path(e, path, sizeof path);
            diag_input(d, e->file, e->line, path,
                       "a timeline entry needs keys to change after `date`");
            goto fail;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(list->kids[j]->file, e->file) == 0 && v[j].date > v[i].date) {
                char path[256], a[11], b[11];
                cfg_path(cfg_child(e, "date"), path, sizeof path);
                date_format(v[i].date, a);
                date_format(v[j].date, b);
                diag_input(d, e->file, cfg_child(e, "date")->line, path,
                           "dates out of order: %s comes after %s (line %d)", a, b,
                           list->kids[j]->line);
                goto fail;
            }
        }
        for (size_t k = 0; k < e->n; k++) {
            cfg *c = e->kids[k];
            if (strcmp(c->key, "date") == 0) continue;
            for (size_t f = 0; f < sizeof fixed_keys / sizeof *fixed_keys; f++) {
                size_t len = strlen(fixed_keys[f]);
                if (strncmp(c->key, fixed_keys[f], len) == 0 &&
                    (c->key[len] == '\0' || c->key[len] == '.')) {
                    char path[256];
                    cfg_path(c, path, sizeof path);
                    diag_input(d, c->file, c->line, path,
                               "'%s' defines the run and cannot change in the timeline",
                               fixed_keys[f]);
                    goto fail;
                }
            }
        }
    }
    qsort(v, list->n, sizeof *v, by_date);
    *out = v;
    *n_out = (int)list->n;
    return 0;
fail:
    free(v);
    return -1;
}

static int apply_entry(cfg *tree, const cfg *entry, diag *d)
{
    for (size_t k = 0; k < entry->n; k++) {
        const cfg *c = entry->kids[k];
        if (strcmp(c->key, "date") == 0) continue;
        if (cfg_apply_at(tree, c->key, c, d)) return -1;
    }
    return 0;
}

/* Reads every module's parameters from one epoch's tree and checks that nothing in
 * the tree went unread. */
static int read_epoch(scenario *sc, cfg *tree, int epoch, diag *d)
{
    for (size_t f = 0; f < sizeof fixed_keys / sizeof *fixed_keys; f++) {
        cfg *c = cfg_child(tree, fixed_keys[f]);
        if (c) cfg_mark_used(c);
    }
    for (int m = 0; m < model_count; m++) {
        void *p = calloc(1, model_table[m]->params_size ? model_table[m]->params_size : 1);
        if (!p) abort();
        sc->params[epoch * model_count + m] = p;
        if (model_table[m]->read_params(tree, &sc->net, p, d)) return -1;
    }
    return cfg_check_unused(tree, d);
}

int scenario_load(scenario *sc, const char *path, const scenario_overrides *ov, diag *d)
{
    memset(sc, 0, sizeof *sc);
    sc->path = strdup(path);
    sc->tree = cfg_load_scenario(path, d);
    if (!sc->tree) return -1;
    for (int i = 0; i < ov->n_sets; i++)
        if (cfg_set_assignment(sc->tree, ov->sets[i], i + 1, d)) return -1;
    /* Command-line seed and days go into the tree, so the stored scenario repeats
     * the run exactly. */
    char assignment[64];
    if (ov->seed >= 0) {
        snprintf(assignment, sizeof assignment, "seed=%lld", (long long)ov->seed);
        if (cfg_set_assignment(sc->tree, assignment, 0, d)) return -1;
    }
    if (ov->days >= 0) {
        snprintf(assignment, sizeof assignment, "days=%lld", (long long)ov->days);
        if (cfg_set_assignment(sc->tree, assignment, 0, d)) return -1;
    }
    /* Read the run settings on a scratch copy: the stored tree keeps no "used" marks. */
    cfg *base = cfg_copy(sc->tree);
    timeline_entry *tl = NULL;
    int n_tl = 0;
    int rc = -1;
    if (read_run_settings(sc, base, d) || read_timeline(base, &tl, &n_tl, d)) goto done;

    sc->n_epochs = n_tl + 1;
    sc->epoch_day = calloc((size_t)sc->n_epochs, sizeof(int32_t));
    sc->params = calloc((size_t)sc->n_epochs * (size_t)model_count, sizeof(void *));
    if (!sc->epoch_day || !sc->params) abort();
    if (read_epoch(sc, base, 0, d)) goto done;
    cfg *epoch_tree = cfg_copy(sc->tree);
    /* Epoch trees need not carry the timeline itself: copying it for every epoch
     * made a long timeline quadratic (3,000 daily entries took seconds). */
    cfg_remove(epoch_tree, "timeline");
    for (int k = 1; k < sc->n_epochs; k++) {
        int32_t day = tl[k - 1].date - sc->start;
        sc->epoch_day[k] = day < 0 ? 0 : day;
        cfg *fresh = NULL;
        if (apply_entry(epoch_tree, tl[k - 1].node, d) == 0) {
            fresh = cfg_copy(epoch_tree); /* unread copy: marks are per epoch */
            if (read_epoch(sc, fresh, k, d)) {
                cfg_free(fresh);
                fresh = NULL;
            }
        }
        if (!fresh) {
            cfg_free(epoch_tree);
            goto done;
        }
        cfg_free(fresh);
    }
    cfg_free(epoch_tree);
    sc->yaml = cfg_emit(sc->tree);
    rc = 0;
done:
    free(tl);
    cfg_free(base);
    return rc;
}

void scenario_free(scenario *sc)
{
    for (int e = 0; sc->params && e < sc->n_epochs; e++) {
        for (int m = 0; m < model_count; m++) {
            void *p = sc->params[e * model_count + m];
            if (p && model_table[m]->free_params) model_table[m]->free_params(p);
            free(p);
        }
    }
    free(sc->params);
    free(sc->epoch_day);
    network_free(&sc->net);
    cfg_free(sc->tree);
    free(sc->yaml);
    free(sc->name);
    free(sc->path);
    memset(sc, 0, sizeof *sc);
}

int scenario_epoch_of_day(const scenario *sc, int day)
{
    int e = 0;
    while (e + 1 < sc->n_epochs && sc->epoch_day[e + 1] <= day)
        e++;
    return e;
}

const void *scenario_params(const scenario *sc, int epoch, int module_index)
{
    return sc->params[epoch * model_count + module_index];
}
