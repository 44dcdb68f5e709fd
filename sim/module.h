/* The one interface between the engine and a model module (DESIGN.md).
 *
 * A module owns a section of the scenario (its parameters), may keep a private
 * state, and takes part in each simulated day at fixed points:
 *
 *   day_start   serial, once: spawn agents, open train departures, set capacities,
 *               stage tomorrow's edge status (hazards)
 *   agent_new   parallel, per agent spawned today: who the newcomer is
 *   agent_plan  parallel, per agent: decide; ask for capacity-limited resources
 *   (engine)    resolve every resource by per-agent random priority
 *   agent_act   parallel, per agent: act on what was granted; move; count events
 *   day_ahead   by one thread done planning, beside the others' agent hooks
 *   day_end     serial, once: fold the day's counts into module state and outputs
 *
 * agent_plan and agent_act may touch only agent i, read shared data that is fixed
 * for the day, and write counters through the worker (thread-local, integer). That
 * is what makes a run identical for any number of threads, and in whatever order
 * the agents are visited (the engine visits a chunk's agents grouped by state).
 * Capacity is asked for (sim_request) in agent_plan only: the engine resolves the
 * requests once, between the passes, and empties the lists before the next day's
 * plan.
 *
 * Day hooks may spawn agents (day_start) and change them before the agent passes,
 * but day_end must not change an agent: the engine counts the day's leavers in the
 * act pass (sim.c count_leaver), and an agent ended later would be counted on the
 * wrong day. Nor may day_end read one: on a small day another thread removes the
 * day's leavers from the store meanwhile. */
#ifndef RUMBO_MODULE_H
#define RUMBO_MODULE_H

#include <stddef.h>
#include <stdint.h>

#include "sim/config.h"
#include "sim/network.h"

typedef struct sim sim;
typedef struct worker worker;

typedef struct module {
    const char *name;
    size_t params_size;
    /* Reads this module's parameters from the whole resolved scenario tree (one
     * call per timeline epoch) into `params` (zeroed, params_size bytes). */
    int (*read_params)(cfg *root, const network *net, void *params, diag *d);
    void (*free_params)(void *params); /* optional: frees what read_params allocated */
    /* Optional hooks (NULL when unused). */
    /* init allocates the module's state; whatever of it carries over from one day to
     * the next must be registered with sim_persist (sim/persist.h) so that checkpoints
     * save and restore it. */
    int (*init)(sim *s, void **state, diag *d);
    void (*day_start)(sim *s, void *state);
    /* Called for each agent spawned by today's day_start hooks, in the plan pass
     * before the agent's agent_plan hooks, by the thread that plans it: the per-agent
     * part of spawning (drawing attributes), shared by the threads without a parallel
     * region of its own. No day_start may read what it sets (day_start hooks run
     * before it). */
    void (*agent_new)(sim *s, void *state, size_t i, worker *w);
    void (*agent_plan)(sim *s, void *state, size_t i, worker *w);
    void (*agent_act)(sim *s, void *state, size_t i, worker *w);
    /* The agent states (STATES(...) bits, sim/agents.h) in which agent_plan and
     * agent_act have anything to do; the engine does not call them for an agent in
     * any other state. Most agents on most days are on the road, at work or held,
     * so this spares most of the calls. 0: every state. agent_act sees the state
     * as the hooks before it left it. */
    uint32_t plan_states, act_states;
    /* Optional: work for tomorrow's day_start done today, so that it is not a serial
     * step of tomorrow: by the first thread done planning, while it would otherwise
     * wait for the others and for the capacity resolution (alone, at the start of its
     * act pass). Other threads may be in any agent hook meanwhile: it may read only
     * what no agent hook writes, and write only what none reads. Which thread runs it,
     * and when, varies: its result may depend on neither, and the day_start that uses
     * it must check that it still holds (the behaviour module's route tables, built
     * from what migrants will hear tomorrow and tomorrow's edge status, are used only
     * if the epoch stays as it is). */
    void (*day_ahead)(sim *s, void *state);
    void (*day_end)(sim *s, void *state);
    /* Encounters, called by the movement module from its agent_act (so, in parallel,
     * for agent i only) when agent i sets out along edge e or reaches node v. A hook
     * may change the agent's state (detained, kidnapped, dead...); movement then
     * stops moving the agent for the day. A hook may also stop the agent at the start
     * of edge e by setting its edge to EDGE_NONE (thrown off a train). Checkpoints,
     * crime and hazards live here. */
    void (*agent_enter_edge)(sim *s, void *state, size_t i, int e, worker *w);
    void (*agent_reach_node)(sim *s, void *state, size_t i, int v, worker *w);
    void (*free_state)(void *state);
    /* Optional: why agent i, restored from a checkpoint, holds a value that no agent
     * of this module's could (a damaged or edited file), naming the field; NULL if
     * none. The fields it reads by index (organisations, documents) are checked so. */
    const char *(*agent_check)(const sim *s, const void *state, size_t i);
    /* Optional: agents this module brings into the run over `days` days starting at
     * `start` (days since 1970), for `rumbo check` and memory estimates. */
    double (*expected_entries)(const void *params, int32_t start, int days);
} module;

/* The table of modules, in the order their hooks run (models/models.c). */
extern const module *const model_table[];
extern const int model_count;

#endif
