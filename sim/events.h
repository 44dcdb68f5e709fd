/* Events counted per day (`events[time,event]`). Detentions and the like are events,
 * not people: one person can be detained twice, as INM counts them. Add new events
 * at the end and give them a name in events.c. */
#ifndef RUMBO_EVENTS_H
#define RUMBO_EVENTS_H

typedef enum {
    EVENT_ENTRY,    /* entered Mexico at a crossing */
    EVENT_ARRIVAL,  /* reached a US-border exit */
    EVENT_BOARDING, /* boarded a freight train */
    EVENT_TURNED_BACK, /* turned back from an edge that closed under them (hazards) */
    EVENT_COUNT
} event_kind;

extern const char *const event_names[EVENT_COUNT];
extern const char *const event_descriptions[EVENT_COUNT];

#endif
