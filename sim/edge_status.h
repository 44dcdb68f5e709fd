/* Edge status: the network as disruptions leave it on the day being simulated.
 *
 * MODEL.md 1 gives edges an "open/closed by date" attribute and 3.4 has hurricanes
 * and operators close or slow them. The hazards module (models/hazards.c) decides
 * the status; every module reads it from here:
 *   - movement leaves closed edges out of its route tables, or charges the wait for
 *     their reopening (wait_until), stretches travel times by 1/speed, and sells no
 *     train seats on closed rail edges;
 *   - modules with per-edge risks (injuries, crime, detection) multiply them by
 *     hazard[e].
 * The status is fixed for a whole day: the hazards module stages tomorrow's status
 * (edge_status_stage) in its day_start, and the engine makes it current at the start
 * of the next day (edge_status_advance), before any module's day_start. So the order
 * of the module table does not matter to the readers of today's status, and a
 * day_ahead hook (sim/module.h) knows tomorrow's while it prepares tomorrow
 * (edge_status_tomorrow). With no `hazards:` section the module stages every edge
 * open, at full speed, with hazard factor 1. */
#ifndef RUMBO_EDGE_STATUS_H
#define RUMBO_EDGE_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* wait_until value for a closed edge nobody waits for: it is out of the route tables. */
#define EDGE_WAIT_NEVER INT32_MAX

typedef struct edge_day {
    uint8_t *open;       /* 1 open, 0 closed */
    float *speed;        /* travel-speed factor in (0, 1]: travel time is divided by it */
    float *hazard;       /* multiplier of per-edge hazards (1: as usual) */
    int32_t *wait_until; /* closed edge: simulation day it is expected to reopen, or
                          * EDGE_WAIT_NEVER when migrants do not count on it */
    int n_closed;
} edge_day;

typedef struct edge_status {
    int n_edges;
    edge_day today, next;
    bool staged; /* `next` holds tomorrow's status */
    /* True on a day whose status differs from yesterday's in anything route tables
     * use (open, speed, hazard: the expected falls' cost, or a finite wait that
     * shrinks by a day each day). */
    bool changed;
    /* Offset of the per-node "stranded" counters in each worker's `extra`
     * (reserved by the hazards module; see hazards_blocked). */
    size_t stranded_extra;
} edge_status;

void edge_status_init(edge_status *es, int n_edges);
void edge_status_free(edge_status *es);
/* Tomorrow's status, reset to "all open, normal" for the caller to fill. */
edge_day *edge_status_stage(edge_status *es);
/* Makes the staged status current (engine, start of each day) and sets `changed`. */
void edge_status_advance(edge_status *es);

/* Tomorrow's status as far as it is known: the staged one, else today's (nothing
 * staged: it stays). Known once the hazards module's day_start has run: call these
 * from a day_ahead hook, an agent hook or a day_end hook, not from a day_start. */
const edge_day *edge_status_tomorrow(const edge_status *es);
/* Whether tomorrow's edge_status_advance will set `changed`. */
bool edge_status_will_change(const edge_status *es);

/* Route weight of edge e on simulation day `day` with status t (days): `weight` when
 * open; when closed, the days left until its expected reopening plus `weight`, or
 * infinity. */
double edge_day_route_weight(const edge_day *t, int e, int day, double weight);

#endif
