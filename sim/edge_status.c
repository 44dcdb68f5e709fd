#include "sim/edge_status.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void day_alloc(edge_day *d, int n)
{
    size_t m = (size_t)n + 1;
    d->open = malloc(m * sizeof *d->open);
    d->speed = malloc(m * sizeof *d->speed);
    d->hazard = malloc(m * sizeof *d->hazard);
    d->wait_until = malloc(m * sizeof *d->wait_until);
    if (!d->open || !d->speed || !d->hazard || !d->wait_until) abort();
}

static void day_reset(edge_day *d, int n)
{
    for (int e = 0; e < n; e++) {
        d->open[e] = 1;
        d->speed[e] = 1.0f;
        d->hazard[e] = 1.0f;
        d->wait_until[e] = EDGE_WAIT_NEVER;
    }
    d->n_closed = 0;
}

static void day_free(edge_day *d)
{
    free(d->open);
    free(d->speed);
    free(d->hazard);
    free(d->wait_until);
}

void edge_status_init(edge_status *es, int n_edges)
{
    memset(es, 0, sizeof *es);
    es->n_edges = n_edges;
    day_alloc(&es->today, n_edges);
    day_alloc(&es->next, n_edges);
    day_reset(&es->today, n_edges);
    day_reset(&es->next, n_edges);
}

void edge_status_free(edge_status *es)
{
    day_free(&es->today);
    day_free(&es->next);
    memset(es, 0, sizeof *es);
}

edge_day *edge_status_stage(edge_status *es)
{
    day_reset(&es->next, es->n_edges);
    es->staged = true;
    return &es->next;
}

const edge_day *edge_status_tomorrow(const edge_status *es)
{
    return es->staged ? &es->next : &es->today;
}

bool edge_status_will_change(const edge_status *es)
{
    if (!es->staged) return false;
    for (int e = 0; e < es->n_edges; e++)
        if (es->today.open[e] != es->next.open[e] || es->today.speed[e] != es->next.speed[e] ||
            es->today.hazard[e] != es->next.hazard[e] ||
            (!es->next.open[e] && es->next.wait_until[e] != EDGE_WAIT_NEVER))
            return true;
    return false;
}

void edge_status_advance(edge_status *es)
{
    bool changed = edge_status_will_change(es);
    if (es->staged) {
        edge_day t = es->today;
        es->today = es->next;
        es->next = t;
        es->staged = false;
    }
    es->changed = changed;
}

double edge_day_route_weight(const edge_day *t, int e, int day, double weight)
{
    if (t->open[e]) return weight;
    int32_t until = t->wait_until[e];
    if (until == EDGE_WAIT_NEVER) return INFINITY;
    return weight + (until > day ? until - day : 0);
}
