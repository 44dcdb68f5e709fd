/* Regions of the map that a disruption hits: a latitude/longitude box or a circle.
 *
 * Scenario syntax (both in decimal degrees, west longitudes negative):
 *   region: {lat: [14.5, 16.3], lon: [-94.0, -92.0]}          # box
 *   region: {center: [16.24, -93.90], radius_km: 30}         # circle
 * An edge is in a region when any point of the straight segment between its end
 * places is: a washed-out bridge anywhere along a track stops the whole edge. */
#ifndef RUMBO_HAZARD_REGION_H
#define RUMBO_HAZARD_REGION_H

#include <stdbool.h>

#include "sim/config.h"
#include "sim/network.h"

typedef enum { REGION_BOX, REGION_CIRCLE } region_kind;

typedef struct hazard_region {
    region_kind kind;
    double lat_min, lat_max, lon_min, lon_max; /* box */
    double lat, lon, radius_km;                /* circle */
} hazard_region;

/* Reads a region map (`c` is the region's own node); errors name file, line, key. */
int hazard_region_read(cfg *c, hazard_region *r, diag *d);

/* Whether the segment a-b (lat/lon degrees) has a point inside the region. */
bool hazard_region_hits_segment(const hazard_region *r, double lat_a, double lon_a, double lat_b,
                                double lon_b);

/* Whether edge e of `net` is in the region. */
bool hazard_region_hits_edge(const hazard_region *r, const network *net, int e);

#endif
