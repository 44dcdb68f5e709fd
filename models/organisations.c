/* Strength and collusion dynamics of criminal organisations: see organisations.h. */
#include "models/organisations.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void *alloc0(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) abort();
    return p;
}

void organisations_alloc(org_world *w, int n_org, size_t n_places, const int *adj_start,
                         const int *adj)
{
    w->n_org = n_org;
    w->n_places = n_places;
    w->adj_start = adj_start;
    w->adj = adj;
    w->strength = alloc0((size_t)n_org * n_places, sizeof(double));
    w->scratch = alloc0((size_t)n_org * n_places, sizeof(double));
    w->paid = alloc0((size_t)n_org, sizeof(double));
    w->room = alloc0(n_places, sizeof(double));
}

void organisations_free(org_world *w)
{
    free(w->strength);
    free(w->scratch);
    free(w->paid);
    free(w->room);
    memset(w, 0, sizeof *w);
}

double organisations_collusion(const org_world *w, const org_dynamics *p, int o)
{
    double paid = w->paid[o];
    return paid > 0 ? paid / (paid + p->collusion_half_pesos) : 0;
}

/* Remembered payments: today's share of revenue in whole pesos, added after the
 * memory of earlier days halves every collusion_half_life days. */
static void pay_officials(org_world *w, const org_dynamics *p, const int64_t *revenue,
                          int64_t *paid_today)
{
    double keep = pow(0.5, 1.0 / p->collusion_half_life);
    for (int o = 0; o < w->n_org; o++) {
        int64_t total = 0;
        for (size_t q = 0; q < w->n_places; q++)
            total += revenue[(size_t)o * w->n_places + q];
        int64_t paid = llround((double)total * p->officials_share);
        w->paid[o] = keep * w->paid[o] + (double)paid;
        if (paid_today) paid_today[o] = paid;
    }
}

static double clip01(double x)
{
    return x < 0 ? 0 : x > 1 ? 1 : x;
}

void organisations_step(org_world *w, const org_dynamics *p, const double *upkeep,
                        double anti_crime, const int64_t *revenue, int64_t *paid_today)
{
    size_t P = w->n_places;
    pay_officials(w, p, revenue, paid_today);
    for (size_t q = 0; q < P; q++) {
        double total = 0;
        for (int o = 0; o < w->n_org; o++)
            total += w->strength[(size_t)o * P + q];
        w->room[q] = clip01(1 - total);
    }
    for (int o = 0; o < w->n_org; o++) {
        const double *S = w->strength + (size_t)o * P;
        double *next = w->scratch + (size_t)o * P;
        double pressure = anti_crime * (1 - p->shield * organisations_collusion(w, p, o));
        for (size_t q = 0; q < P; q++) {
            double near = 0;
            for (int k = w->adj_start[q]; k < w->adj_start[q + 1]; k++)
                near += S[w->adj[k]];
            double rivals = 1 - w->room[q] - S[q];
            double gain = p->decay_per_day * (double)revenue[(size_t)o * P + q] / upkeep[o];
            double x = S[q] + (gain + p->expansion_per_day * near) * w->room[q] -
                       (p->decay_per_day + pressure) * S[q] -
                       p->rivalry_per_day * S[q] * (rivals > 0 ? rivals : 0);
            x = clip01(x);
            next[q] = x < p->extinction_below ? 0 : x;
        }
    }
    memcpy(w->strength, w->scratch, (size_t)w->n_org * P * sizeof(double));
}

void organisations_adjacency(int n_edges, int n_nodes, const int *from, const int *to,
                             int **adj_start, int **adj)
{
    size_t P = (size_t)n_edges + (size_t)n_nodes;
    int *start = alloc0(P + 1, sizeof(int));
    int *list = alloc0(4 * (size_t)n_edges + 1, sizeof(int));
    /* Edge e neighbours its ends; node v neighbours every edge touching it. */
    for (int e = 0; e < n_edges; e++) {
        start[e + 1] += 2;
        start[n_edges + from[e] + 1]++;
        start[n_edges + to[e] + 1]++;
    }
    for (size_t q = 0; q < P; q++)
        start[q + 1] += start[q];
    int *fill = alloc0(P + 1, sizeof(int));
    memcpy(fill, start, P * sizeof(int));
    for (int e = 0; e < n_edges; e++) {
        list[fill[e]++] = n_edges + from[e];
        list[fill[e]++] = n_edges + to[e];
        list[fill[n_edges + from[e]]++] = e;
        list[fill[n_edges + to[e]]++] = e;
    }
    free(fill);
    *adj_start = start;
    *adj = list;
}
