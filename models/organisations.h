/* Criminal organisations as "parasitic organisms" (MODEL.md 3.3, seed 002): the
 * daily dynamics of their strength on the places they hold, driven by the revenue
 * they took there, and of the collusion they buy from officials.
 *
 * Strength S[o][q] of organisation o at place q (an edge or a node) is in [0, 1]:
 * 1 is full control, where every encounter runs at the activity's full rate
 * (crime.h). Once a day, in a fixed order (serial, deterministic), from today's
 * revenue R[o][q] in whole pesos:
 *
 *   room    = max(0, 1 - sum over organisations of S[.][q])   (shared territory)
 *   gain    = decay_per_day x R[o][q] / upkeep[o] x room
 *   spread  = expansion_per_day x room x sum over neighbours q' of S[o][q']
 *   loss    = (decay_per_day + anti_crime x (1 - shield x collusion[o])) x S[o][q]
 *           + rivalry_per_day x S[o][q] x (rivals' strength at q)
 *   S[o][q] = clip(S + gain + spread - loss, 0, 1); below extinction_below: 0
 *
 * upkeep[o] is what organisation o must take per day (pesos) to hold one unit of
 * strength against decay: a place where it takes more than upkeep x S / room
 * grows, elsewhere it shrinks. As revenue grows with strength, a place settles
 * where the room left makes revenue and upkeep meet, higher where more migrants
 * (and richer ones) pass.
 *
 * Neighbours of a node are its edges, of an edge its two ends, so an organisation
 * grows along the routes it already holds. Organisations compete twice over: for
 * room on shared places and through rivalry (clashes).
 *
 * Officials take officials_share of each day's revenue (rounded to whole pesos);
 * payments are remembered with a half-life, and collusion[o] = paid / (paid +
 * collusion_half_pesos) in [0, 1) deflects a share `shield` of the anti-crime
 * pressure and makes officials hand more detained migrants to the organisation. */
#ifndef RUMBO_ORGANISATIONS_H
#define RUMBO_ORGANISATIONS_H

#include <stddef.h>
#include <stdint.h>

typedef struct org_dynamics {
    double decay_per_day;        /* share of strength lost each day without revenue */
    double rivalry_per_day;      /* loss per unit of rivals' strength at the place, per day */
    double expansion_per_day;    /* share of a neighbour's strength that spreads per day */
    double extinction_below;     /* strength under this is gone */
    double officials_share;      /* share of revenue paid to officials */
    double collusion_half_pesos; /* remembered payments that buy half of full collusion */
    double collusion_half_life;  /* days for remembered payments to halve */
    double shield;               /* share of anti-crime pressure full collusion deflects */
} org_dynamics;

/* The state the dynamics work on. Places are numbered edges first, then nodes
 * (sim_place_edge / sim_place_node); neighbours of place q are
 * adj[adj_start[q] .. adj_start[q+1]). */
typedef struct org_world {
    int n_org;
    size_t n_places;
    const int *adj_start, *adj;
    double *strength; /* n_org x n_places */
    double *paid;     /* n_org: remembered payments to officials (pesos) */
    double *scratch;  /* n_org x n_places */
    double *room;     /* n_places */
} org_world;

/* Allocates strength, paid and scratch (zeroed) for n_org x n_places. */
void organisations_alloc(org_world *w, int n_org, size_t n_places, const int *adj_start,
                         const int *adj);
void organisations_free(org_world *w);

/* Collusion of organisation o with officials, in [0, 1). */
double organisations_collusion(const org_world *w, const org_dynamics *p, int o);

/* One day: revenue[o * n_places + q] in whole pesos (n_org x n_places), upkeep[o]
 * in pesos per day and unit of strength; fills paid_today[o] (whole pesos paid to
 * officials) when not NULL. */
void organisations_step(org_world *w, const org_dynamics *p, const double *upkeep,
                        double anti_crime, const int64_t *revenue, int64_t *paid_today);

/* Neighbours of every place of a network with n_edges edges (from[e] -> to[e])
 * and n_nodes nodes; malloc'ed arrays the caller frees. */
void organisations_adjacency(int n_edges, int n_nodes, const int *from, const int *to,
                             int **adj_start, int **adj);

#endif
