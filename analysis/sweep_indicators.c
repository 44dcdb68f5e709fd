#include "analysis/sweep_indicators.h"

#include <math.h>
#include <string.h>

enum { DERIVED_SHARE_ARRIVING, DERIVED_IN_MEXICO, DERIVED_COUNT };

static const char *const derived_names[DERIVED_COUNT] = {"share_arriving", "in_mexico_at_end"};
static const char *const derived_descriptions[DERIVED_COUNT] = {
    "arrivals at the US border per entry into Mexico over the run",
    "people still in Mexico (in the system) at the end of the run",
};

size_t sweep_indicators_count(void)
{
    return EVENT_COUNT + DERIVED_COUNT;
}

const char *sweep_indicator_name(size_t i)
{
    return i < EVENT_COUNT ? event_names[i] : derived_names[i - EVENT_COUNT];
}

const char *sweep_indicator_description(size_t i)
{
    return i < EVENT_COUNT ? event_descriptions[i] : derived_descriptions[i - EVENT_COUNT];
}

int sweep_indicator_find(const char *name)
{
    for (size_t i = 0; i < sweep_indicators_count(); i++)
        if (strcmp(sweep_indicator_name(i), name) == 0) return (int)i;
    return -1;
}

static double event_total(const sim *s, const char *name)
{
    for (int k = 0; k < EVENT_COUNT; k++)
        if (strcmp(event_names[k], name) == 0) return (double)s->total_events[k];
    return NAN;
}

double sweep_indicator_value(size_t i, const sim *s)
{
    if (i < EVENT_COUNT) return (double)s->total_events[i];
    switch (i - EVENT_COUNT) {
    case DERIVED_SHARE_ARRIVING: {
        double entries = event_total(s, "entry");
        return entries > 0 ? event_total(s, "arrival") / entries : NAN;
    }
    case DERIVED_IN_MEXICO:
        return (double)s->ag.n;
    default:
        return NAN;
    }
}
