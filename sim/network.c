#include "sim/network.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const node_kind_names[NODE_KIND_COUNT] = {"origin", "crossing", "hub", "checkpoint",
                                                      "yard",   "town",     "exit"};
const char *const mode_names[MODE_COUNT] = {"foot", "road", "rail", "river"};

/* Mexican states on the routes, plus Guatemala. Regions matter to policy: the
 * regional visitor card is honoured only in Chiapas, Tabasco, Campeche and
 * Quintana Roo. */
const char *const region_names[] = {
    "GT",       "chiapas",    "tabasco",         "campeche",       "quintana_roo",
    "oaxaca",   "veracruz",   "puebla",          "tlaxcala",       "mexico",
    "cdmx",     "queretaro",  "guanajuato",      "jalisco",        "slp",
    "coahuila", "nuevo_leon", "tamaulipas",      "durango",        "chihuahua",
    "sinaloa",  "sonora",     "baja_california", "aguascalientes", "zacatecas",
    "nayarit",  "michoacan",  "hidalgo",
};
const int region_count = (int)(sizeof region_names / sizeof region_names[0]);

static char *dup_str(const char *s)
{
    char *p = malloc(strlen(s) + 1);
    if (!p) abort();
    return strcpy(p, s);
}

int network_find_node(const network *net, const char *id)
{
    for (int i = 0; i < net->n_nodes; i++)
        if (strcmp(net->nodes[i].id, id) == 0) return i;
    return -1;
}

int network_find_line(const network *net, const char *name)
{
    for (int i = 0; i < net->n_lines; i++)
        if (strcmp(net->line_names[i], name) == 0) return i;
    return -1;
}

int region_find(const char *name)
{
    for (int i = 0; i < region_count; i++)
        if (strcmp(region_names[i], name) == 0) return i;
    return -1;
}

static int load_nodes(network *net, cfg *nodes, diag *d)
{
    net->n_nodes = (int)nodes->n;
    net->nodes = calloc(nodes->n ? nodes->n : 1, sizeof *net->nodes);
    if (!net->nodes) abort();
    for (size_t i = 0; i < nodes->n; i++) {
        cfg *c = nodes->kids[i];
        node *v = &net->nodes[i];
        v->id = dup_str(c->key);
        if (cfg_expect(c, CFG_MAP, d)) return -1;
        const char *name, *region;
        int kind;
        if (cfg_get_string(c, "name", &name, d) || cfg_get_double(c, "lat", -90, 90, &v->lat, d) ||
            cfg_get_double(c, "lon", -180, 180, &v->lon, d) ||
            cfg_get_enum(c, "kind", node_kind_names, NODE_KIND_COUNT, &kind, d) ||
            cfg_get_string(c, "region", &region, d))
            return -1;
        v->name = dup_str(name);
        v->kind = (node_kind)kind;
        v->region = region_find(region);
        if (v->region < 0) {
            cfg_get_enum(c, "region", region_names, region_count, &v->region, d);
            return -1;
        }
    }
    return 0;
}

static int load_edge(network *net, cfg *c, edge *e, diag *d)
{
    const char *from, *to, *line = NULL;
    int mode;
    if (cfg_expect(c, CFG_MAP, d) || cfg_get_string(c, "from", &from, d) ||
        cfg_get_string(c, "to", &to, d) ||
        cfg_get_enum(c, "mode", mode_names, MODE_COUNT, &mode, d) ||
        cfg_get_double(c, "km", 1e-3, 1e5, &e->km, d) || cfg_opt_string(c, "line", &line, d))
        return -1;
    char path[512];
    cfg_path(c, path, sizeof path);
    e->from = network_find_node(net, from);
    e->to = network_find_node(net, to);
    if (e->from < 0 || e->to < 0) {
        cfg *bad = cfg_child(c, e->from < 0 ? "from" : "to");
        char key[600];
        snprintf(key, sizeof key, "%s.%s", path, bad->key);
        diag_input(d, bad->file, bad->line, key, "unknown node '%s' (edge to nowhere)", bad->text);
        return -1;
    }
    if (e->from == e->to) {
        diag_input(d, c->file, c->line, path, "edge from '%s' to itself", from);
        return -1;
    }
    e->mode = (travel_mode)mode;
    e->line = -1;
    if (mode == MODE_RAIL && !line) {
        diag_input(d, c->file, c->line, path, "a rail edge needs `line:` (the operator's line)");
        return -1;
    }
    if (mode != MODE_RAIL && line) {
        cfg *l = cfg_child(c, "line");
        diag_input(d, l->file, l->line, path, "only rail edges belong to a line");
        return -1;
    }
    if (line) {
        e->line = network_find_line(net, line);
        if (e->line < 0) {
            net->line_names = realloc(net->line_names, (size_t)(net->n_lines + 1) * sizeof(char *));
            if (!net->line_names) abort();
            net->line_names[net->n_lines] = dup_str(line);
            e->line = net->n_lines++;
        }
    }
    char id[256];
    snprintf(id, sizeof id, "%s-%s-%s", net->nodes[e->from].id, net->nodes[e->to].id,
             mode_names[mode]);
    e->id = dup_str(id);
    return 0;
}

static void build_adjacency(network *net)
{
    net->out_start = calloc((size_t)net->n_nodes + 1, sizeof(int));
    net->out_edges = malloc(((size_t)net->n_edges + 1) * sizeof(int));
    if (!net->out_start || !net->out_edges) abort();
    for (int e = 0; e < net->n_edges; e++)
        net->out_start[net->edges[e].from + 1]++;
    for (int v = 0; v < net->n_nodes; v++)
        net->out_start[v + 1] += net->out_start[v];
    int *fill = malloc(((size_t)net->n_nodes + 1) * sizeof(int));
    if (!fill) abort();
    memcpy(fill, net->out_start, (size_t)net->n_nodes * sizeof(int));
    for (int e = 0; e < net->n_edges; e++)
        net->out_edges[fill[net->edges[e].from]++] = e;
    free(fill);
}

/* Every place where migrants enter must have some path to the US border, or the
 * model would silently pile people up there. */
static int check_exits_reachable(const network *net, cfg *section, diag *d)
{
    int n = net->n_nodes, found_exit = 0, found_entry = 0;
    char *reach = calloc((size_t)n, 1);
    int *stack = malloc((size_t)n * sizeof(int));
    if (!reach || !stack) abort();
    for (int v = 0; v < n; v++)
        found_exit |= net->nodes[v].kind == NODE_EXIT;
    /* Backward search from all exits over incoming edges. */
    int top = 0;
    for (int v = 0; v < n; v++)
        if (net->nodes[v].kind == NODE_EXIT) reach[v] = 1, stack[top++] = v;
    while (top > 0) {
        int v = stack[--top];
        for (int e = 0; e < net->n_edges; e++) {
            int u = net->edges[e].from;
            if (net->edges[e].to == v && !reach[u]) reach[u] = 1, stack[top++] = u;
        }
    }
    int rc = 0;
    cfg *nodes = cfg_child(section, "nodes");
    if (!found_exit) {
        diag_input(d, nodes->file, nodes->line, "network.nodes",
                   "no node has kind 'exit' (a US-border city)");
        rc = -1;
    }
    for (int v = 0; rc == 0 && v < n; v++) {
        node_kind k = net->nodes[v].kind;
        if (k != NODE_ORIGIN && k != NODE_CROSSING) continue;
        found_entry = 1;
        if (!reach[v]) {
            cfg *c = cfg_child(nodes, net->nodes[v].id);
            char key[300];
            snprintf(key, sizeof key, "network.nodes.%s", net->nodes[v].id);
            diag_input(d, c->file, c->line, key, "no US-border exit is reachable from this %s",
                       node_kind_names[k]);
            rc = -1;
        }
    }
    if (rc == 0 && !found_entry) {
        diag_input(d, nodes->file, nodes->line, "network.nodes",
                   "no node has kind 'origin' or 'crossing' (where migrants enter)");
        rc = -1;
    }
    free(reach);
    free(stack);
    return rc;
}

int network_load(network *net, cfg *section, diag *d)
{
    memset(net, 0, sizeof *net);
    cfg *nodes, *edges;
    if (cfg_expect(section, CFG_MAP, d) || cfg_get_map(section, "nodes", &nodes, d) ||
        cfg_get_list(section, "edges", &edges, d) || load_nodes(net, nodes, d))
        return -1;
    if (net->n_nodes == 0) {
        diag_input(d, nodes->file, nodes->line, "network.nodes", "no nodes");
        return -1;
    }
    /* Agents store node and edge indices in 16 bits (sim/agents.h), and EDGE_NONE
     * takes the last edge value. */
    if (net->n_nodes > UINT16_MAX || edges->n >= UINT16_MAX) {
        bool many_nodes = net->n_nodes > UINT16_MAX;
        cfg *c = many_nodes ? nodes : edges;
        diag_input(d, c->file, c->line, many_nodes ? "network.nodes" : "network.edges",
                   "%zu %s: at most %d are supported", many_nodes ? nodes->n : edges->n,
                   many_nodes ? "nodes" : "edges", many_nodes ? UINT16_MAX : UINT16_MAX - 1);
        return -1;
    }
    net->n_edges = (int)edges->n;
    net->edges = calloc(edges->n ? edges->n : 1, sizeof *net->edges);
    if (!net->edges) abort();
    for (size_t i = 0; i < edges->n; i++)
        if (load_edge(net, edges->kids[i], &net->edges[i], d)) return -1;
    for (int i = 0; i < net->n_edges; i++) {
        for (int j = 0; j < i; j++) {
            if (strcmp(net->edges[i].id, net->edges[j].id) != 0) continue;
            cfg *c = edges->kids[i];
            char path[512];
            cfg_path(c, path, sizeof path);
            diag_input(d, c->file, c->line, path, "duplicate edge %s (also at line %d)",
                       net->edges[i].id, edges->kids[j]->line);
            return -1;
        }
    }
    build_adjacency(net);
    return check_exits_reachable(net, section, d);
}

void network_free(network *net)
{
    for (int i = 0; i < net->n_nodes; i++) {
        free(net->nodes[i].id);
        free(net->nodes[i].name);
    }
    for (int i = 0; i < net->n_edges; i++)
        free(net->edges[i].id);
    for (int i = 0; i < net->n_lines; i++)
        free(net->line_names[i]);
    free(net->nodes);
    free(net->edges);
    free(net->line_names);
    free(net->out_start);
    free(net->out_edges);
    memset(net, 0, sizeof *net);
}

/* The node an entry of a node-keyed map names; -1 (reported) if none. */
static int listed_node(const network *net, cfg *c, diag *d)
{
    int v = network_find_node(net, c->key);
    if (v < 0) {
        char path[512];
        cfg_path(c, path, sizeof path);
        diag_input(d, c->file, c->line, path, "unknown node '%s'", c->key);
    }
    return v;
}

int network_read_node_values(const network *net, cfg *map, double lo, double hi, double *out,
                             diag *d)
{
    if (cfg_expect(map, CFG_MAP, d)) return -1;
    for (size_t i = 0; i < map->n; i++) {
        int v = listed_node(net, map->kids[i], d);
        if (v < 0 || cfg_as_double(map->kids[i], lo, hi, &out[v], d)) return -1;
    }
    return 0;
}

int network_read_node_counts(const network *net, cfg *map, int64_t lo, int64_t hi, int64_t *out,
                             diag *d)
{
    if (cfg_expect(map, CFG_MAP, d)) return -1;
    for (size_t i = 0; i < map->n; i++) {
        int v = listed_node(net, map->kids[i], d);
        if (v < 0 || cfg_as_int(map->kids[i], lo, hi, &out[v], d)) return -1;
    }
    return 0;
}
