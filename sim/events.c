#include "sim/events.h"

const char *const event_names[EVENT_COUNT] = {"entry", "arrival", "boarding", "turned_back"};

const char *const event_descriptions[EVENT_COUNT] = {
    "people entering Mexico at a border crossing",
    "people reaching a US-border city",
    "freight-train boardings",
    "people turned back from an edge that closed under them",
};
