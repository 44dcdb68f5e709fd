/* Hurricanes and disruptions (MODEL.md 3.4): dated events and stochastic storms
 * close or slow edges and multiply their hazards; the status lives in
 * sim->edge_status (sim/edge_status.h), which movement and other modules read. */
#ifndef RUMBO_HAZARDS_H
#define RUMBO_HAZARDS_H

#include "sim/sim.h"

/* Movement asks this before agent i sets out from its node along edge e (e < 0:
 * its route tables give no way on). True when a closure stops the agent today: it
 * waits at the node (off any train) and is counted in `stranded` there. Costs one
 * load and a branch when nothing is closed. */
static inline bool hazards_blocked(sim *s, worker *w, size_t i, int e)
{
    const edge_status *es = &s->edge_status;
    if (es->today.n_closed == 0 || (e >= 0 && es->today.open[e])) return false;
    s->ag.flags[i] &= (uint8_t)~AGENT_ON_TRAIN;
    w->extra[es->stranded_extra + s->ag.node[i]]++;
    return true;
}

#endif
