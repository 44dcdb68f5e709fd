/* Headline indicators: the few numbers a sweep keeps from each run.
 *
 * A sweep of thousands of runs cannot keep every time series by default, so each run
 * is summarised by named scalars computed from what the engine counted:
 *
 *   - one per event kind, named as in event_names ("entry", "arrival", "boarding", and
 *     every event a module adds later): the total over the run;
 *   - share_arriving: arrivals at the US border per entry;
 *   - in_mexico_at_end: people still in the system on the last day.
 *
 * Events are looked up by name, so indicators for new events (detentions, robberies,
 * deaths...) appear without changes here. */
#ifndef RUMBO_SWEEP_INDICATORS_H
#define RUMBO_SWEEP_INDICATORS_H

#include <stddef.h>

#include "sim/sim.h"

/* Number of indicators (events first, then the derived ones). */
size_t sweep_indicators_count(void);
const char *sweep_indicator_name(size_t i);
const char *sweep_indicator_description(size_t i);
/* Index of the indicator called `name`, or -1. */
int sweep_indicator_find(const char *name);
/* The value of indicator i for a finished (or stopped) run. */
double sweep_indicator_value(size_t i, const sim *s);

#endif
