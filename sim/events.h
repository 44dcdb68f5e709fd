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
    EVENT_DETENTION,   /* detained by INM (an event: one person can be detained again) */
    EVENT_BRIBE,       /* paid a bribe at a checkpoint or raid and went on */
    EVENT_HANDOVER,    /* handed by an official to a criminal group */
    EVENT_EXIT_ORDER,  /* released from custody with an exit order (station full) */
    EVENT_DEPORTATION, /* deported by bus (adults) */
    EVENT_MINOR_RETURN, /* unaccompanied minor returned by the child-protection procedure */
    EVENT_REATTEMPT,   /* a deported person set out again */
    EVENT_GAVE_UP,     /* a deported person did not try again (leaves the system) */
    EVENT_HUMANITARIAN_VISA, /* detained person released with a humanitarian visa */
    EVENT_DEATH,             /* died (train fall, crime, hazard...) */
    EVENT_INJURY,            /* injured (e.g. a fall from a train) */
    EVENT_BOARDING_FAILURE,  /* tried to board a moving train and missed */
    EVENT_SETTLED,           /* stayed in Mexico for good */
    EVENT_RETURNED_HOME,     /* went home for good */
    EVENT_SHELTER_ADMISSION, /* admitted to a shelter */
    EVENT_HIRED,             /* started a job contract */
    EVENT_WAGE_DAY,          /* a day's wage paid */
    EVENT_SEASON_HOME,       /* seasonal worker went home for the off-season */
    EVENT_SEASON_BACK,       /* seasonal worker came back for the season */
    EVENT_ROBBERY,           /* robbed (crime) */
    EVENT_EXTORTION,         /* paid a fee to ride the train (crime) */
    EVENT_THROWN_OFF,        /* could not pay the fee and was thrown off the train (crime) */
    EVENT_KIDNAPPING,        /* kidnapped for ransom (crime; also hand-overs by officials) */
    EVENT_TRAFFICKED,        /* trafficked into exploitation (crime) */
    EVENT_RANSOM_PAID,       /* relatives paid a ransom; the captive was released */
    EVENT_RELEASED_UNPAID,   /* released or escaped from kidnappers without a ransom */
    EVENT_KILLED,            /* killed by a criminal group (also counted in death) */
    EVENT_RESCUED,           /* rescued from exploitation by the authorities */
    EVENT_ESCAPED,           /* escaped from exploitation */
    EVENT_COUNT
} event_kind;

extern const char *const event_names[EVENT_COUNT];
extern const char *const event_descriptions[EVENT_COUNT];

#endif
