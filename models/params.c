#include "models/params.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int params_fail(const cfg *node, diag *d, const char *fmt, ...)
{
    char path[256], msg[512];
    cfg_path(node, path, sizeof path);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_input(d, node->file, node->line, path, "%s", msg);
    return -1;
}

int params_population_scale(cfg *root, double *scale, diag *d)
{
    *scale = 1;
    return cfg_opt_double(root, "population_scale", 1e-3, 1e3, scale, d);
}

double params_scale_capacity(double x, double scale)
{
    double y = x * scale;
    return x > 0 && scale < 1 && y < 1 ? 1 : y;
}

int params_list(cfg *map, const char *key, size_t n, double lo, double hi, double *out, diag *d)
{
    cfg *list;
    if (cfg_get_list(map, key, &list, d)) return -1;
    if (list->n != n) return params_fail(list, d, "expected %zu numbers, found %zu", n, list->n);
    for (size_t i = 0; i < n; i++)
        if (cfg_as_double(list->kids[i], lo, hi, &out[i], d)) return -1;
    return 0;
}

static int find_name(const char *const *names, int n, const char *key)
{
    for (int j = 0; j < n; j++)
        if (strcmp(key, names[j]) == 0) return j;
    return -1;
}

static int unknown_name(const cfg *c, const char *const *names, int n, diag *d)
{
    char list[256] = "";
    for (int j = 0; j < n; j++) {
        strncat(list, j ? ", " : "", sizeof list - strlen(list) - 1);
        strncat(list, names[j], sizeof list - strlen(list) - 1);
    }
    return params_fail(c, d, "unknown name '%s' (expected one of: %s)", c->key, list);
}

int params_shares(cfg *map, const char *const *names, int n, double *out, diag *d)
{
    if (cfg_expect(map, CFG_MAP, d)) return -1;
    for (int j = 0; j < n; j++)
        out[j] = 0;
    double sum = 0;
    for (size_t i = 0; i < map->n; i++) {
        cfg *c = map->kids[i];
        int k = find_name(names, n, c->key);
        if (k < 0) return unknown_name(c, names, n, d);
        if (cfg_as_double(c, 0, 1, &out[k], d)) return -1;
        sum += out[k];
    }
    if (fabs(sum - 1) > 1e-6)
        return params_fail(map, d, "shares must add up to 1 (they add up to %g)", sum);
    return 0;
}

int params_named_maps(cfg *map, const char *key, const char *const *names, int n, cfg **out,
                      diag *d)
{
    cfg *m;
    if (cfg_get_map(map, key, &m, d)) return -1;
    for (size_t i = 0; i < m->n; i++)
        if (find_name(names, n, m->kids[i]->key) < 0) return unknown_name(m->kids[i], names, n, d);
    for (int j = 0; j < n; j++)
        if (cfg_get_map(m, names[j], &out[j], d)) return -1;
    return 0;
}
