#ifndef RUMBO_INFLOW_H
#define RUMBO_INFLOW_H
#include "models/models.h"

/* Entrants per year in these inflow parameters (`rumbo bench` scales it). */
double inflow_per_year(const void *params);
#endif
