#include "models/hurricane_generator.h"
#include "models/params.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    PURPOSE_COUNT = RNG_HAZARD + 1,
    PURPOSE_STORM = RNG_HAZARD + 2,
    PURPOSE_DAMAGE = RNG_HAZARD + 3
};

static int read_season(cfg *c, hurricane_params *p, diag *d)
{
    cfg *list;
    if (cfg_get_list(c, "season", &list, d)) return -1;
    if (list->n != HURRICANE_SEASON_MONTHS)
        return params_fail(list, d, "expected 6 monthly weights (June to November), found %zu",
                           list->n);
    double sum = 0;
    for (int m = 0; m < HURRICANE_SEASON_MONTHS; m++) {
        if (cfg_as_double(list->kids[m], 0, 1e6, &p->season[m], d)) return -1;
        sum += p->season[m];
    }
    if (sum <= 0) return params_fail(list, d, "the season weights are all zero");
    for (int m = 0; m < HURRICANE_SEASON_MONTHS; m++)
        p->season[m] /= sum;
    return 0;
}

static int read_modes(cfg *c, hurricane_params *p, diag *d)
{
    cfg *list;
    if (cfg_get_list(c, "modes", &list, d)) return -1;
    if (list->n == 0)
        return params_fail(list, d, "name the modes storms damage (e.g. [rail, road])");
    for (size_t i = 0; i < list->n; i++) {
        cfg *m = list->kids[i];
        int k = -1;
        if (cfg_expect(m, CFG_SCALAR, d)) return -1;
        for (int j = 0; j < MODE_COUNT; j++)
            if (strcmp(m->text, mode_names[j]) == 0) k = j;
        if (k < 0) {
            char path[256];
            cfg_path(m, path, sizeof path);
            diag_input(d, m->file, m->line, path,
                       "unknown mode '%s' (expected foot, road, rail or river)", m->text);
            return -1;
        }
        p->damages[k] = true;
    }
    return 0;
}

static int read_classes(cfg *c, hurricane_params *p, diag *d)
{
    cfg *map;
    if (cfg_get_map(c, "classes", &map, d)) return -1;
    if (map->n == 0) return params_fail(map, d, "at least one intensity class is needed");
    p->classes = calloc(map->n, sizeof *p->classes);
    if (!p->classes) abort();
    double sum = 0;
    for (size_t i = 0; i < map->n; i++) {
        cfg *k = map->kids[i];
        hurricane_class *hc = &p->classes[p->n_classes++];
        hc->name = strdup(k->key);
        if (!hc->name) abort();
        if (cfg_expect(k, CFG_MAP, d) || cfg_get_double(k, "share", 0, 1, &hc->share, d) ||
            cfg_get_double(k, "radius_km", 1, 2000, &hc->radius_km, d) ||
            cfg_get_double(k, "close_probability", 0, 1, &hc->close_probability, d) ||
            repair_time_read(k, "repair_days", &hc->repair, d))
            return -1;
        sum += hc->share;
    }
    if (fabs(sum - 1) > 1e-6)
        return params_fail(map, d, "class shares must add up to 1 (they add up to %g)", sum);
    return 0;
}

int hurricane_read(cfg *c, hurricane_params *p, diag *d)
{
    memset(p, 0, sizeof *p);
    p->on = true;
    cfg *box;
    if (cfg_expect(c, CFG_MAP, d) ||
        cfg_get_double(c, "landfalls_per_year", 0, 20, &p->landfalls_per_year, d) ||
        read_season(c, p, d) || cfg_get_map(c, "landfall_box", &box, d) ||
        hazard_region_read(box, &p->landfall_box, d))
        return -1;
    if (p->landfall_box.kind != REGION_BOX)
        return params_fail(box, d, "landfall_box must be a box {lat: [min, max], lon: [min, max]}");
    return read_modes(c, p, d) || read_classes(c, p, d) ? -1 : 0;
}

void hurricane_free(hurricane_params *p)
{
    for (int i = 0; i < p->n_classes; i++)
        free(p->classes[i].name);
    free(p->classes);
    memset(p, 0, sizeof *p);
}

int hurricane_poisson(double mean, double u)
{
    double term = exp(-mean), cdf = term;
    int n = 0;
    while (u >= cdf && n < HURRICANE_MAX_PER_YEAR) {
        n++;
        term *= mean / n;
        cdf += term;
        if (term <= 0) break; /* u within rounding of 1: stop at the mode's tail */
    }
    return n;
}

static int days_in_month(int year, int month)
{
    int next_y = month == 12 ? year + 1 : year, next_m = month == 12 ? 1 : month + 1;
    return date_to_days(next_y, next_m, 1) - date_to_days(year, month, 1);
}

/* One uniform picks the month by the season weights, and what is left of it (rescaled
 * to [0, 1)) picks the day within the month. */
static int32_t season_date(const hurricane_params *p, int year, double u)
{
    int m = 0;
    double cum = 0;
    while (m < HURRICANE_SEASON_MONTHS - 1 && (p->season[m] <= 0 || u >= cum + p->season[m])) {
        cum += p->season[m];
        m++;
    }
    double frac = p->season[m] > 0 ? (u - cum) / p->season[m] : 0;
    if (frac < 0) frac = 0;
    int month = HURRICANE_FIRST_MONTH + m, len = days_in_month(year, month);
    int day = (int)(frac * len);
    if (day >= len) day = len - 1;
    return date_to_days(year, month, 1) + day;
}

static int pick_class(const hurricane_params *p, double u)
{
    double cum = 0;
    for (int k = 0; k < p->n_classes - 1; k++) {
        cum += p->classes[k].share;
        if (u < cum) return k;
    }
    return p->n_classes - 1;
}

static int by_date(const void *a, const void *b)
{
    const storm *x = a, *y = b;
    return (x->date > y->date) - (x->date < y->date);
}

int hurricane_year(const hurricane_params *p, rng_key key, int year, storm *out)
{
    if (!p->on || p->landfalls_per_year <= 0) return 0;
    double u[4];
    rng_uniform4(key, (uint32_t)year, 0, PURPOSE_COUNT, 0, u);
    int n = hurricane_poisson(p->landfalls_per_year, u[0]);
    const hazard_region *b = &p->landfall_box;
    for (int k = 0; k < n; k++) {
        rng_uniform4(key, (uint32_t)year, 0, PURPOSE_STORM, (uint32_t)k, u);
        out[k].date = season_date(p, year, u[0]);
        out[k].cls = pick_class(p, u[1]);
        out[k].lat = b->lat_min + u[2] * (b->lat_max - b->lat_min);
        out[k].lon = b->lon_min + u[3] * (b->lon_max - b->lon_min);
    }
    /* Insertion sort: stable, so storms on the same date keep their draw order. */
    for (int k = 1; k < n; k++)
        for (int j = k; j > 0 && by_date(&out[j - 1], &out[j]) > 0; j--) {
            storm t = out[j];
            out[j] = out[j - 1];
            out[j - 1] = t;
        }
    return n;
}

int hurricane_damage(const hurricane_params *p, rng_key key, int year, int k, const storm *st,
                     const network *net, storm_damage *out)
{
    const hurricane_class *hc = &p->classes[st->cls];
    hazard_region impact = {
        .kind = REGION_CIRCLE, .lat = st->lat, .lon = st->lon, .radius_km = hc->radius_km};
    int n = 0;
    for (int e = 0; e < net->n_edges; e++) {
        if (!p->damages[net->edges[e].mode] || !hazard_region_hits_edge(&impact, net, e)) continue;
        double u[4];
        rng_uniform4(key, (uint32_t)year, (uint32_t)k, PURPOSE_DAMAGE, (uint32_t)e, u);
        if (u[0] >= hc->close_probability) continue;
        out[n++] =
            (storm_damage){e, st->date, st->date + repair_time_draw(&hc->repair, u[1], u[2])};
    }
    return n;
}
