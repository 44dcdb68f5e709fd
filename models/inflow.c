/* Inflow: migrants entering at the border crossings.
 *
 * Each day and for each (crossing, nationality) the number of entries is Poisson
 * with mean  per_year / 365.25 x crossing share x nationality share x month factor.
 * The count is drawn from a stream keyed by (crossing, nationality, day), so it is
 * the same whatever else the run does. New agents get consecutive ids in a fixed
 * order (crossing, then nationality), which keys all their later random draws. */
#include "models/inflow.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim.h"

typedef struct inflow_params {
    double per_year;
    double *crossing_share; /* per node; 0 where nobody enters */
    double nationality_share[NAT_COUNT];
    double month_factor[12]; /* normalised to mean 1 */
} inflow_params;

typedef struct inflow_state {
    gsl_rng *rng;
} inflow_state;

static int read_shares(cfg *map, const char *const *names, int n, double *out, diag *d)
{
    double sum = 0;
    for (size_t i = 0; i < map->n; i++) {
        cfg *c = map->kids[i];
        int k = -1;
        for (int j = 0; j < n; j++)
            if (strcmp(c->key, names[j]) == 0) k = j;
        if (k < 0) {
            char path[256];
            cfg_path(c, path, sizeof path);
            diag_input(d, c->file, c->line, path, "unknown name '%s'", c->key);
            return -1;
        }
        if (cfg_as_double(c, 0, 1, &out[k], d)) return -1;
        sum += out[k];
    }
    if (fabs(sum - 1) > 1e-6) {
        char path[256];
        cfg_path(map, path, sizeof path);
        diag_input(d, map->file, map->line, path, "shares must add up to 1 (they add up to %g)",
                   sum);
        return -1;
    }
    return 0;
}

static int inflow_read(cfg *root, const network *net, void *params, diag *d)
{
    inflow_params *p = params;
    cfg *sec, *cross, *nat, *months = NULL;
    if (cfg_get_map(root, "inflow", &sec, d) ||
        cfg_get_double(sec, "per_year", 0, 1e9, &p->per_year, d) ||
        cfg_get_map(sec, "crossings", &cross, d) || cfg_get_map(sec, "nationalities", &nat, d))
        return -1;
    p->crossing_share = calloc((size_t)net->n_nodes, sizeof(double));
    if (!p->crossing_share) abort();
    if (network_read_node_values(net, cross, 0, 1, p->crossing_share, d)) return -1;
    double sum = 0;
    for (size_t i = 0; i < cross->n; i++) {
        cfg *c = cross->kids[i];
        int v = network_find_node(net, c->key);
        if (net->nodes[v].kind != NODE_ORIGIN && net->nodes[v].kind != NODE_CROSSING) {
            char path[256];
            cfg_path(c, path, sizeof path);
            diag_input(d, c->file, c->line, path,
                       "'%s' is a %s; migrants enter only at origin or crossing nodes", c->key,
                       node_kind_names[net->nodes[v].kind]);
            return -1;
        }
        sum += p->crossing_share[v];
    }
    if (fabs(sum - 1) > 1e-6) {
        char path[256];
        cfg_path(cross, path, sizeof path);
        diag_input(d, cross->file, cross->line, path,
                   "shares must add up to 1 (they add up to %g)", sum);
        return -1;
    }
    if (read_shares(nat, nationality_names, NAT_COUNT, p->nationality_share, d)) return -1;
    for (int m = 0; m < 12; m++) p->month_factor[m] = 1;
    if (cfg_child(sec, "monthly_profile")) {
        if (cfg_get_list(sec, "monthly_profile", &months, d)) return -1;
        if (months->n != 12) {
            char path[256];
            cfg_path(months, path, sizeof path);
            diag_input(d, months->file, months->line, path,
                       "expected 12 monthly factors (January to December), found %zu", months->n);
            return -1;
        }
        double mean = 0;
        for (int m = 0; m < 12; m++) {
            if (cfg_as_double(months->kids[m], 0, 1e6, &p->month_factor[m], d)) return -1;
            mean += p->month_factor[m] / 12;
        }
        if (mean <= 0) {
            char path[256];
            cfg_path(months, path, sizeof path);
            diag_input(d, months->file, months->line, path, "monthly factors are all zero");
            return -1;
        }
        for (int m = 0; m < 12; m++) p->month_factor[m] /= mean;
    }
    return 0;
}

static void inflow_free_params(void *params)
{
    free(((inflow_params *)params)->crossing_share);
}

static int inflow_init(sim *s, void **state, diag *d)
{
    (void)s;
    (void)d;
    inflow_state *st = calloc(1, sizeof *st);
    if (!st) abort();
    st->rng = rng_gsl_alloc();
    *state = st;
    return 0;
}

static void inflow_day_start(sim *s, void *state)
{
    inflow_state *st = state;
    const inflow_params *p = sim_params(s, MODULE_INFLOW);
    int y, m, d;
    sim_date(s, s->day, &y, &m, &d);
    double per_day = p->per_year / 365.25 * p->month_factor[m - 1];
    for (int v = 0; v < s->net->n_nodes; v++) {
        if (p->crossing_share[v] <= 0) continue;
        for (int k = 0; k < NAT_COUNT; k++) {
            double mean = per_day * p->crossing_share[v] * p->nationality_share[k];
            if (mean <= 0) continue;
            rng_gsl_reset(st->rng, s->key, (uint32_t)(v * NAT_COUNT + k), (uint32_t)s->day,
                          RNG_INFLOW);
            unsigned count = gsl_ran_poisson(st->rng, mean);
            size_t first = agents_spawn(&s->ag, count);
            for (size_t i = first; i < first + count; i++) {
                s->ag.id[i] = s->next_id++;
                s->ag.node[i] = (uint16_t)v;
                s->ag.state[i] = STATE_WAITING;
                s->ag.nationality[i] = (uint8_t)k;
                s->ag.entry_day[i] = (uint16_t)s->day;
            }
            s->workers[0].events[EVENT_ENTRY] += count;
        }
    }
}

static void inflow_free_state(void *state)
{
    inflow_state *st = state;
    gsl_rng_free(st->rng);
    free(st);
}

static double inflow_expected(const void *params, int32_t start, int days)
{
    const inflow_params *p = params;
    double total = 0;
    for (int day = 0; day < days; day++) {
        int y, m, d;
        date_from_days(start + day, &y, &m, &d);
        total += p->per_year / 365.25 * p->month_factor[m - 1];
    }
    return total;
}

const module inflow_module = {
    .name = "inflow",
    .params_size = sizeof(inflow_params),
    .read_params = inflow_read,
    .free_params = inflow_free_params,
    .init = inflow_init,
    .day_start = inflow_day_start,
    .free_state = inflow_free_state,
    .expected_entries = inflow_expected,
};
