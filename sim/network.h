/* The multimodal network: places (nodes) and one directed edge per mode between
 * consecutive places. Geography only; what runs on it (train schedules, shelter beds,
 * checkpoints) belongs to the model modules, keyed by node id or line name. */
#ifndef RUMBO_NETWORK_H
#define RUMBO_NETWORK_H

#include "sim/config.h"

typedef enum {
    NODE_ORIGIN,     /* Guatemalan town where migrants start */
    NODE_CROSSING,   /* Mexican border crossing */
    NODE_HUB,        /* Tapachula */
    NODE_CHECKPOINT, /* INM checkpoint zone */
    NODE_YARD,       /* rail yard or junction */
    NODE_TOWN,
    NODE_EXIT, /* US-border city: reaching it ends the journey */
    NODE_KIND_COUNT
} node_kind;

typedef enum { MODE_FOOT, MODE_ROAD, MODE_RAIL, MODE_RIVER, MODE_COUNT } travel_mode;

extern const char *const node_kind_names[NODE_KIND_COUNT];
extern const char *const mode_names[MODE_COUNT];
extern const char *const region_names[];
extern const int region_count;

typedef struct node {
    char *id;   /* snake_case key in the scenario */
    char *name; /* display name with accents */
    double lat, lon;
    node_kind kind;
    int region; /* index into region_names */
} node;

typedef struct edge {
    int from, to;
    travel_mode mode;
    int line; /* index into network.line_names for rail; -1 otherwise */
    double km;
    char *id; /* "from-to-mode" */
} edge;

typedef struct network {
    node *nodes;
    int n_nodes;
    edge *edges;
    int n_edges;
    char **line_names;
    int n_lines;
    /* Outgoing edges of node v: out_edges[out_start[v] .. out_start[v+1]). */
    int *out_start, *out_edges;
} network;

/* Builds the network from the scenario's `network:` map and validates it: unknown
 * or duplicate names, dangling edges, non-positive lengths, and crossings from which
 * no exit can be reached are errors. */
int network_load(network *net, cfg *section, diag *d);
void network_free(network *net);

/* Node index by id, or -1. */
int network_find_node(const network *net, const char *id);
int network_find_line(const network *net, const char *name);
int region_find(const char *name);

/* Reads a map keyed by node id (e.g. shelter capacities) as doubles into
 * out[n_nodes] (entries absent from the map are left as they are). Unknown node
 * ids are errors. */
int network_read_node_values(const network *net, cfg *map, double lo, double hi, double *out,
                             diag *d);
/* The same for whole numbers (places, counts). */
int network_read_node_counts(const network *net, cfg *map, int64_t lo, int64_t hi, int64_t *out,
                             diag *d);

#endif
