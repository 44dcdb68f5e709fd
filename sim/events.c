#include "sim/events.h"

const char *const event_names[EVENT_COUNT] = {
    "entry",     "arrival",  "boarding",         "turned_back", "detention",
    "bribe",     "handover", "exit_order",       "deportation", "minor_return",
    "reattempt", "gave_up",  "humanitarian_visa"};

const char *const event_descriptions[EVENT_COUNT] = {
    "people entering Mexico at a border crossing",
    "people reaching a US-border city",
    "freight-train boardings",
    "people turned back from an edge that closed under them",
    "detentions by INM (events, as INM counts them)",
    "bribes paid to officials at checkpoints and raids",
    "migrants handed by officials to criminal groups",
    "releases from custody with an exit order because the station was full",
    "deportations of adults by bus",
    "returns of unaccompanied minors by the child-protection procedure",
    "deported people setting out again",
    "deported people who did not try again (leave the system)",
    "detained people released with a humanitarian visa",
};
