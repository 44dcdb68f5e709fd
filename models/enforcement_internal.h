/* Private to the enforcement module (enforcement.c, checkpoints.c, detention.c,
 * documents.c): its parameters, its state and the calls between its files.
 * Other modules use models/enforcement.h. */
#ifndef RUMBO_ENFORCEMENT_INTERNAL_H
#define RUMBO_ENFORCEMENT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "models/detention.h"
#include "models/documents.h"
#include "models/enforcement.h"
#include "sim/sim.h"

/* Random purposes of the module (block RNG_ENFORCEMENT..+15; never renumber). */
enum {
    RNG_ENF_EDGE = RNG_ENFORCEMENT + 0,   /* encounter on entering an edge (index = edge) */
    RNG_ENF_NODE = RNG_ENFORCEMENT + 1,   /* encounter on reaching a node (index = node) */
    RNG_ENF_HOTEL = RNG_ENFORCEMENT + 2,  /* raid on lodgings where the agent waits */
    RNG_ENF_DOCS = RNG_ENFORCEMENT + 3,   /* documents at entry (index = attempt) */
    RNG_ENF_DEPORT = RNG_ENFORCEMENT + 4, /* re-attempt after deportation, and its delay */
    RNG_ENF_RAID = RNG_ENFORCEMENT + 5,   /* whether a place is raided today (subject = place) */
    RNG_ENF_TRAITS = RNG_ENFORCEMENT + 6, /* retired: attributes now come from inflow.people */
};

/* The single grant bit the module uses: an agent asks enforcement for at most one
 * thing a day (a detention place, a shelter place, a transfer or a bus seat), and
 * never on a day it asks movement for a train seat (bit 0). */
enum { ENF_SLOT = 7 };

typedef struct checkpoint_params {
    double intensity;              /* multiplies every checkpoint and raid (timeline lever) */
    double by_mode[MODE_COUNT];    /* detection at a checkpoint of strength 1, by mode */
    double smuggler_factor;        /* multiplies detection for migrants with a smuggler */
    double contacts_factor;        /* ... for migrants with contacts from earlier waves */
    double *edge_strength;         /* per edge */
    double *node_strength;         /* per node */
    double raid_catch[MODE_COUNT]; /* rail: trains, road: buses; per raid and migrant */
    double hotel_catch;            /* per raid on lodgings and migrant waiting there */
    double *edge_raids;            /* raids per week on each edge */
    double *node_raids;            /* raids per week on lodgings at each node */
    double bribe_probability;      /* an official asks for a bribe */
    int64_t bribe_pesos;           /* what it costs; paid if the migrant has it */
    double handover_probability;   /* an official hands the migrant to a criminal group */
    double *protection;            /* Grupos Beta presence per node, 0..1 */
    /* added to handover_probability x criminal collusion at the place (0..1) */
    double handover_with_collusion;
} checkpoint_params;

typedef struct detention_params {
    int64_t *station_places; /* per node; 0: no migration station there */
    int hub;                 /* station from which deportation buses leave */
    int stay_days;           /* days held before the first deportation or transfer */
    double seats_per_day[NAT_COUNT];
    int return_to[NAT_COUNT]; /* node where a deported person is, and starts again */
    int64_t *shelter_places;  /* child-protection (DIF) shelter places per node */
    int minor_stay_days;
    double minor_returns_per_day;
    double reattempt_probability;
    double minor_reattempt_probability;
    double reattempt_delay_days; /* mean, exponential */
    int max_attempts;
} detention_params;

typedef struct enforcement_params {
    bool enabled; /* false when the scenario has no `enforcement:` section */
    checkpoint_params cp;
    detention_params det;
    documents_params doc;
} enforcement_params;

typedef struct enforcement_state {
    const enforcement_params *p;
    uint8_t *raid_edge; /* per edge: raided today */
    uint8_t *raid_node; /* per node: lodgings raided today */
    int *station_of;    /* per node: the station a migrant caught there is taken to, or -1 */
    int *shelter_of;    /* per node: the child-protection shelter for minors caught there */
    int64_t *occupied;  /* per node: station occupancy at the end of yesterday */
    int64_t *sheltered; /* per node: shelter occupancy at the end of yesterday */
    uint32_t res_station, res_shelter, res_deport, res_minor_return;
    /* Worker counter offsets (sim_reserve_extra). */
    size_t x_detained, x_occupied, x_sheltered, x_deported, x_bribe_pesos;
    series *s_detentions, *s_occupancy, *s_shelter, *s_deportations, *s_bribes;
} enforcement_state;

/* checkpoints.c */
int checkpoints_read(cfg *sec, const network *net, checkpoint_params *p, diag *d);
void checkpoints_free(checkpoint_params *p);
void checkpoints_day_start(sim *s, enforcement_state *st);
void checkpoints_enter_edge(sim *s, enforcement_state *st, size_t i, int e, worker *w);
void checkpoints_reach_node(sim *s, enforcement_state *st, size_t i, int v, worker *w);
void checkpoints_lodgings(sim *s, enforcement_state *st, size_t i, worker *w);
/* Detection probability for agent i at a place of strength `strength` (>= 0),
 * crossing by `mode`, plus a raid that catches with probability `raid`. */
double checkpoints_probability(const checkpoint_params *p, const agents *ag, size_t i,
                               double strength, travel_mode mode, double raid);

/* detention.c */
int detention_read(cfg *sec, const network *net, double scale, detention_params *p, diag *d);
void detention_free(detention_params *p);
void detention_day_start(sim *s, enforcement_state *st);
/* A detected migrant whom no official let go: counted as a detention where caught. */
void detention_begin(sim *s, enforcement_state *st, size_t i, double u, worker *w);
void detention_plan(sim *s, enforcement_state *st, size_t i, worker *w);
void detention_act(sim *s, enforcement_state *st, size_t i, worker *w);

/* Counters into the worker (thread-local). */
static inline int64_t *enf_extra(worker *w, size_t offset)
{
    return &w->extra[offset];
}

#endif
