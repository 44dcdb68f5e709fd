/* Engine-level outputs for analysis: what every model's results add up to, recorded
 * by the engine so that scenario comparison and reports do not depend on which
 * modules a scenario switches on.
 *
 *   left[time,outcome,nationality]   people leaving the system (final states)
 *   left_at[time,outcome,node]       ... by the node where they left it
 *   transit_days[time,transit]       arrivals at the US border by days since entry
 *   incidents_node[time,incident,node], incidents_edge[time,incident,edge]
 *                                    detections, crimes, injuries by place
 *
 * plus the network's geometry as per-node and per-edge coordinates (node_lat,
 * node_lon, node_label, node_kind, node_region, edge_from, edge_to, edge_mode,
 * edge_km) so that a report can draw the map from the output alone. */
#ifndef RUMBO_OUTCOMES_H
#define RUMBO_OUTCOMES_H

#include <stddef.h>
#include <stdint.h>

typedef struct sim sim;

/* Registers the dimensions, coordinates and series above (after the core ones). */
void outcomes_register(sim *s);

/* Leavers are counted in the agent pass, by the thread that meets them, while their
 * fields are in its cache (a later pass over the day's leavers missed the cache at
 * each): worker.left holds outcomes_tally_size values, zeroed each day. */
size_t outcomes_tally_size(const sim *s);
/* Counts agent i, in a final state, in a thread's tally. */
void outcomes_tally_leaver(const sim *s, size_t i, int64_t *tally);

/* Records today's leavers (the threads' tallies) and incidents in the output: call
 * once the agent passes and day_end have run. */
void outcomes_record(sim *s);

#endif
