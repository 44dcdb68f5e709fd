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

typedef struct sim sim;

/* Registers the dimensions, coordinates and series above (after the core ones). */
void outcomes_register(sim *s);

/* Records today's leavers (s->leavers) and incidents: call after every module's
 * day_end and agents_find_leavers, and before the leavers are removed. */
void outcomes_record(sim *s);

#endif
