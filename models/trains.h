/* Boarding a moving freight train: the faster the train, the more often a jump for
 * the ladder fails, and the more often a failed jump ends in a fall (MODEL.md 3.1:
 * "boarding a faster train is harder and riskier (falls, injuries, deaths)").
 *
 * Probabilities are linear in the train's speed between two anchor speeds given in
 * the scenario and held constant outside them. Read as `movement.boarding`; absent,
 * boarding always succeeds and nobody falls. */
#ifndef RUMBO_TRAINS_H
#define RUMBO_TRAINS_H

#include <stdbool.h>

#include "sim/config.h"

typedef struct boarding_params {
    bool on;
    double at_kmh[2];          /* the two anchor speeds */
    double success[2];         /* P(boarding succeeds) at each anchor */
    double fall_if_missed[2];  /* P(fall | missed) at each anchor */
    double death_if_fall;      /* P(death | fall); otherwise injured */
    double injury_days;        /* mean days to recover from a fall */
    double give_up_if_injured; /* P(an injured migrant goes home for good) */
} boarding_params;

/* Reads the optional `boarding` map of the movement section. */
int trains_read_boarding(cfg *movement, boarding_params *b, diag *d);

double trains_board_probability(const boarding_params *b, double speed_kmh);
double trains_fall_probability(const boarding_params *b, double speed_kmh);

/* Expected days lost to waiting for a train that leaves `per_week` times a week
 * when a boarding succeeds with probability p: half an interval until the first
 * departure, then a full interval per missed attempt. INFINITY if it never works. */
double trains_expected_wait(double per_week, double p);

/* Expected falls before a successful boarding: (1 - p) / p missed attempts. */
double trains_expected_falls(const boarding_params *b, double speed_kmh);

#endif
