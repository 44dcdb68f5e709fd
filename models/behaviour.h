/* Behaviour: how migrants see the network and choose their way through it.
 *
 * Generalised cost of an edge, in days, for one aversion group:
 *     time x (travel + expected wait) + money x fare / 1000
 *   + injury x expected falls + detection x perceived detection risk
 *   + crime x perceived crime risk            (risks of the edge and of its end node)
 * Cost-to-go tables (days from each node to the nearest destination: a US-border
 * exit, or a Soconusco farm) are built by Dijkstra for every destination class x
 * aversion group (adult alone, family with children, unaccompanied minor) x
 * information class (hearsay, or current through contacts, a smuggler or a
 * shelter), once a day in day_start, never per agent. At a node an agent draws its
 * next edge from a multinomial logit: edge e has weight
 *     exp(-choice_scale x (cost(e) + cost_to_go(end of e) - cost_to_go(here))).
 *
 * Perceived risk is learned, not given: for every edge and node an exponentially
 * weighted count of what happened to migrants there (detections, crimes; reported
 * by other modules through sim_incident) over an exponentially weighted count of
 * migrants who went there, shrunk toward zero by `prior_exposures` pseudo-visits.
 * Word of mouth carries it with a delay: agents with contacts, a smuggler or a
 * recent shelter stay hear the estimate of `delay_days.current` days ago, others
 * that of `delay_days.hearsay` days ago. So enforcement on one corridor raises its
 * learned risk and moves flows elsewhere without any rule saying so.
 *
 * Absent `behaviour:` section: route choice by shortest time (travel + wait), no
 * learned risk, everyone on the best edge. */
#ifndef RUMBO_BEHAVIOUR_H
#define RUMBO_BEHAVIOUR_H

#include <stdbool.h>
#include <stddef.h>

#include "models/models.h"
#include "sim/agents.h"

enum { AVERSION_ADULT, AVERSION_FAMILY, AVERSION_MINOR, AVERSION_COUNT };
enum { DEST_US, DEST_WORK, DEST_COUNT };
enum { INFO_HEARSAY, INFO_CURRENT, INFO_COUNT };
enum { ROUTE_TABLES = DEST_COUNT * AVERSION_COUNT * INFO_COUNT };
enum { RISK_DETECTION, RISK_CRIME, RISK_COUNT };

extern const char *const aversion_names[AVERSION_COUNT];

/* Today's route tables, ROUTE_TABLES x n_edges (x n_nodes for the per-node ones). */
typedef struct route_tables {
    int n_edges, n_nodes;
    float *weight;      /* logit weight of taking the edge from its start; 0 if unusable */
    float *total;       /* cost of the edge + cost-to-go of its end (days); INFINITY if unusable */
    float *stay_bonus;  /* weight factor for riders staying aboard (no wait, no jump) */
    double *cost_to_go; /* days from each node to the destination class */
    /* For agents who can pay every fare out of a node and are not aboard a train: */
    int32_t *max_fare;  /* per node: the dearest fare out of it */
    double *node_sum;   /* sum of the weights out of each node */
    int32_t *node_pick; /* the edge if only one has weight; -1 if none (take `cheapest`) */
    int32_t *cheapest;  /* edge with the lowest total out of each node, -1 if none */
    bool no_bonus; /* every stay_bonus is 1 (fastest-route mode): riders too use the summaries */
} route_tables;

typedef struct sim sim;

const route_tables *behaviour_routes(const sim *s);

/* The table agent i uses (destination x aversion group x information). */
static inline int behaviour_table(const agents *a, size_t i)
{
    unsigned t = a->traits[i];
    int dest = agent_goal(a, i) == GOAL_TRANSIT ? DEST_US : DEST_WORK;
    int aversion = (t & TRAIT_ACCOMPANIED)        ? AVERSION_FAMILY
                   : agent_age(a, i) != AGE_ADULT ? AVERSION_MINOR
                                                  : AVERSION_ADULT;
    int info = (t & (TRAIT_CONTACTS | TRAIT_SMUGGLER)) || (a->flags[i] & AGENT_INFORMED)
                   ? INFO_CURRENT
                   : INFO_HEARSAY;
    return (dest * AVERSION_COUNT + aversion) * INFO_COUNT + info;
}

/* Perceived risk (probability per visit) of a place as the information class hears
 * it today; for tests and outputs. */
double behaviour_perceived(const sim *s, int info, int risk, size_t place);

#endif
