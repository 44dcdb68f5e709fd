#include "models/repair_time.h"

#include <math.h>
#include <string.h>

/* Upper limit of any repair: a century, so that day arithmetic cannot overflow. */
#define REPAIR_MAX_DAYS 36525.0

static const char *const distributions[] = {"lognormal"};

int repair_time_read(cfg *map, const char *key, repair_time *r, diag *d)
{
    memset(r, 0, sizeof *r);
    cfg *c = cfg_child(map, key);
    if (c && c->kind == CFG_MAP) {
        int dist;
        cfg *m;
        r->lognormal = true;
        return cfg_get_map(map, key, &m, d) ||
                       cfg_get_enum(m, "distribution", distributions, 1, &dist, d) ||
                       cfg_get_double(m, "median", 1, REPAIR_MAX_DAYS, &r->median, d) ||
                       cfg_get_double(m, "sigma", 0, 5, &r->sigma, d)
                   ? -1
                   : 0;
    }
    return cfg_get_double(map, key, 1, REPAIR_MAX_DAYS, &r->days, d);
}

int repair_time_draw(const repair_time *r, double u1, double u2)
{
    double days = r->days;
    if (r->lognormal) {
        /* Box-Muller; 1 - u1 is in (0, 1], so the log is finite. */
        double z = sqrt(-2.0 * log(1.0 - u1)) * cos(2.0 * M_PI * u2);
        days = r->median * exp(r->sigma * z);
    }
    days = round(days);
    if (days < 1) days = 1;
    if (days > REPAIR_MAX_DAYS) days = REPAIR_MAX_DAYS;
    return (int)days;
}
