#include "models/hazard_region.h"

#include <math.h>
#include <string.h>

#include "models/params.h"

/* A two-number list [lo, hi] within [min, max]; `ordered` requires lo < hi. */
static int read_pair(cfg *map, const char *key, double min, double max, bool ordered, double out[2],
                     diag *d)
{
    cfg *list;
    if (cfg_get_list(map, key, &list, d)) return -1;
    if (list->n != 2) return params_fail(list, d, "expected two numbers");
    for (int k = 0; k < 2; k++)
        if (cfg_as_double(list->kids[k], min, max, &out[k], d)) return -1;
    if (ordered && !(out[0] < out[1]))
        return params_fail(list, d, "expected [low, high] with low < high");
    return 0;
}

int hazard_region_read(cfg *c, hazard_region *r, diag *d)
{
    memset(r, 0, sizeof *r);
    if (cfg_expect(c, CFG_MAP, d)) return -1;
    bool box = cfg_child(c, "lat") || cfg_child(c, "lon");
    bool circle = cfg_child(c, "center") || cfg_child(c, "radius_km");
    if (box == circle)
        return params_fail(
            c, d,
            "a region is either a box {lat: [min, max], lon: [min, max]} or a circle "
            "{center: [lat, lon], radius_km: R}");
    double v[2];
    if (box) {
        r->kind = REGION_BOX;
        if (read_pair(c, "lat", -90, 90, true, v, d)) return -1;
        r->lat_min = v[0], r->lat_max = v[1];
        if (read_pair(c, "lon", -180, 180, true, v, d)) return -1;
        r->lon_min = v[0], r->lon_max = v[1];
        return 0;
    }
    r->kind = REGION_CIRCLE;
    cfg *center;
    if (cfg_get_list(c, "center", &center, d)) return -1;
    if (center->n != 2) return params_fail(center, d, "expected [lat, lon]");
    if (cfg_as_double(center->kids[0], -90, 90, &r->lat, d) ||
        cfg_as_double(center->kids[1], -180, 180, &r->lon, d) ||
        cfg_get_double(c, "radius_km", 0.001, 5000, &r->radius_km, d))
        return -1;
    return 0;
}

/* Liang-Barsky clipping in the (lon, lat) plane: the segment meets the box when
 * some parameter t in [0, 1] survives every edge of the box. */
static bool segment_hits_box(const hazard_region *r, double lat_a, double lon_a, double lat_b,
                             double lon_b)
{
    double dx = lon_b - lon_a, dy = lat_b - lat_a;
    double p[4] = {-dx, dx, -dy, dy};
    double q[4] = {lon_a - r->lon_min, r->lon_max - lon_a, lat_a - r->lat_min, r->lat_max - lat_a};
    double t0 = 0, t1 = 1;
    for (int k = 0; k < 4; k++) {
        if (p[k] == 0) {
            if (q[k] < 0) return false; /* parallel to this side and outside it */
            continue;
        }
        double t = q[k] / p[k];
        if (p[k] < 0) {
            if (t > t1) return false;
            if (t > t0) t0 = t;
        } else {
            if (t < t0) return false;
            if (t < t1) t1 = t;
        }
    }
    return t0 <= t1;
}

/* Distance from the circle's centre to the segment in a local flat projection
 * (kilometres; accurate to a few percent over the few hundred km of a storm). */
static bool segment_hits_circle(const hazard_region *r, double lat_a, double lon_a, double lat_b,
                                double lon_b)
{
    const double km_lat = 110.574, km_lon = 111.320 * cos(r->lat * M_PI / 180.0);
    double ax = (lon_a - r->lon) * km_lon, ay = (lat_a - r->lat) * km_lat;
    double bx = (lon_b - r->lon) * km_lon, by = (lat_b - r->lat) * km_lat;
    double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
    double t = len2 > 0 ? -(ax * dx + ay * dy) / len2 : 0;
    if (t < 0) t = 0;
    if (t > 1) t = 1;
    double x = ax + t * dx, y = ay + t * dy;
    return x * x + y * y <= r->radius_km * r->radius_km;
}

bool hazard_region_hits_segment(const hazard_region *r, double lat_a, double lon_a, double lat_b,
                                double lon_b)
{
    return r->kind == REGION_BOX ? segment_hits_box(r, lat_a, lon_a, lat_b, lon_b)
                                 : segment_hits_circle(r, lat_a, lon_a, lat_b, lon_b);
}

bool hazard_region_hits_edge(const hazard_region *r, const network *net, int e)
{
    const node *a = &net->nodes[net->edges[e].from], *b = &net->nodes[net->edges[e].to];
    return hazard_region_hits_segment(r, a->lat, a->lon, b->lat, b->lon);
}
