/* Movement: agents walk, ride buses and rafts, and jump on freight trains along the
 * network, one day of travel time per day, choosing each next edge by the route
 * tables of models/behaviour.c. */
#ifndef RUMBO_MOVEMENT_H
#define RUMBO_MOVEMENT_H

#include <stdint.h>

#include "models/models.h"
#include "models/trains.h"

typedef struct line_params {
    double departures_per_week;
    double riders_per_train;
    double speed_kmh;
} line_params;

typedef struct movement_params {
    double km_per_day[MODE_COUNT];    /* foot, road, river; rail uses the line speed */
    double fare_per_km[MODE_COUNT];   /* pesos; 0 where the scenario gives none */
    double fare_per_trip[MODE_COUNT]; /* pesos per edge (a raft crossing) */
    line_params *lines;               /* per network line */
    boarding_params boarding;
} movement_params;

/* Facts about an edge that route costs are built from. */
double movement_travel_days(const movement_params *p, const edge *e);
/* Expected days waiting to board (rail; 0 otherwise); INFINITY if no train runs or
 * it has no room. */
double movement_wait_days(const movement_params *p, const edge *e);
/* Whole pesos to set out along the edge. */
int32_t movement_fare(const movement_params *p, const edge *e);
/* Expected falls while trying to board (rail; 0 otherwise). */
double movement_expected_falls(const movement_params *p, const edge *e);

#endif
