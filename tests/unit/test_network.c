/* Network loading and validation. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "sim/network.h"

static const char *const good =
    "nodes:\n"
    "  a: {name: A, lat: 14.6, lon: -92.1, kind: origin, region: GT}\n"
    "  b: {name: B, lat: 15.0, lon: -92.5, kind: yard, region: chiapas}\n"
    "  c: {name: C, lat: 27.5, lon: -99.5, kind: exit, region: tamaulipas}\n"
    "edges:\n"
    "  - {from: a, to: b, mode: foot, km: 10}\n"
    "  - {from: a, to: b, mode: road, km: 10}\n"
    "  - {from: b, to: c, mode: rail, line: l1, km: 100}\n";

static int load(const char *text, network *net, diag *d)
{
    memset(net, 0, sizeof *net);
    cfg *root = cfg_parse_text(text, strlen(text), "n.yaml", d);
    if (!root) return -1;
    int rc = network_load(net, root, d);
    if (rc == 0) rc = cfg_check_unused(root, d);
    cfg_free(root);
    return rc;
}

Test(network, loads_nodes_edges_lines_and_adjacency)
{
    network net;
    diag d = {0};
    cr_assert_eq(load(good, &net, &d), 0, "%s", d.msg);
    cr_assert_eq(net.n_nodes, 3);
    cr_assert_eq(net.n_edges, 3);
    cr_assert_eq(net.n_lines, 1);
    cr_assert_str_eq(net.line_names[0], "l1");
    cr_assert_str_eq(net.edges[2].id, "b-c-rail");
    cr_assert_eq(net.edges[2].line, 0);
    cr_assert_eq(net.edges[0].line, -1);
    cr_assert_eq(net.out_start[1] - net.out_start[0], 2, "two edges leave a");
    cr_assert_eq(network_find_node(&net, "c"), 2);
    cr_assert_eq(network_find_node(&net, "zz"), -1);
    cr_assert_eq(net.nodes[1].region, region_find("chiapas"));
    network_free(&net);
}

static void expect_error(const char *from, const char *to, const char *expect)
{
    char text[2048];
    const char *at = strstr(good, from);
    cr_assert_not_null(at, "fixture lacks '%s'", from);
    size_t head = (size_t)(at - good);
    snprintf(text, sizeof text, "%.*s%s%s", (int)head, good, to, at + strlen(from));
    network net;
    diag d = {0};
    int rc = load(text, &net, &d);
    network_free(&net);
    cr_assert_neq(rc, 0, "accepted: %s", text);
    cr_assert(strstr(d.msg, expect), "expected '%s', got '%s'", expect, d.msg);
    cr_assert_eq(d.exit_code, EXIT_BAD_INPUT);
}

Test(network, rejects_each_kind_of_mistake)
{
    expect_error("to: c, mode: rail", "to: cc, mode: rail", "n.yaml:8: key 'edges.2.to': unknown node 'cc'");
    expect_error("km: 100", "km: 0", "key 'edges.2.km': 0 is out of range");
    expect_error("km: 100", "km: -5", "key 'edges.2.km': -5 is out of range");
    expect_error("mode: foot", "mode: plane", "key 'edges.0.mode': unknown value 'plane'");
    expect_error(", line: l1", "", "a rail edge needs `line:`");
    expect_error("mode: road, km: 10", "mode: foot, km: 10", "duplicate edge a-b-foot");
    expect_error("kind: exit", "kind: town", "no node has kind 'exit'");
    expect_error("  b: {name: B", "  a: {name: B", "n.yaml:3: key 'nodes.a': duplicate key");
    expect_error("region: GT", "region: mars", "key 'nodes.a.region': unknown value 'mars'");
    expect_error("lat: 14.6", "lat: 94.6", "key 'nodes.a.lat': 94.6 is out of range");
    expect_error("km: 10}\n  - {from: a, to: b, mode: road",
                 "km: 10, speed: 3}\n  - {from: a, to: b, mode: road", "key 'edges.0.speed': unknown key");
    /* c is unreachable when the only edge into it goes elsewhere. */
    expect_error("from: b, to: c", "from: c, to: b",
                 "key 'network.nodes.a': no US-border exit is reachable from this origin");
}
