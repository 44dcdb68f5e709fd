#include "models/trains.h"

#include <math.h>

#include "models/params.h"

int trains_read_boarding(cfg *movement, boarding_params *b, diag *d)
{
    cfg *sec = cfg_child(movement, "boarding");
    b->on = sec != NULL;
    if (!sec) return 0;
    if (cfg_get_map(movement, "boarding", &sec, d) ||
        params_list(sec, "at_kmh", 2, 0.1, 200, b->at_kmh, d) ||
        params_list(sec, "success", 2, 0, 1, b->success, d) ||
        params_list(sec, "fall_if_missed", 2, 0, 1, b->fall_if_missed, d) ||
        cfg_get_double(sec, "death_if_fall", 0, 1, &b->death_if_fall, d) ||
        cfg_get_double(sec, "injury_days", 1, 250, &b->injury_days, d) ||
        cfg_get_double(sec, "give_up_if_injured", 0, 1, &b->give_up_if_injured, d))
        return -1;
    if (b->at_kmh[1] <= b->at_kmh[0])
        return params_fail(cfg_child(sec, "at_kmh"), d,
                           "the second anchor speed must be above the first");
    return 0;
}

static double between_anchors(const boarding_params *b, const double y[2], double kmh)
{
    double t = (kmh - b->at_kmh[0]) / (b->at_kmh[1] - b->at_kmh[0]);
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return y[0] + t * (y[1] - y[0]);
}

double trains_board_probability(const boarding_params *b, double speed_kmh)
{
    return b->on ? between_anchors(b, b->success, speed_kmh) : 1.0;
}

double trains_fall_probability(const boarding_params *b, double speed_kmh)
{
    return b->on ? between_anchors(b, b->fall_if_missed, speed_kmh) : 0.0;
}

double trains_expected_wait(double per_week, double p)
{
    if (per_week <= 0 || p <= 0) return INFINITY;
    double interval = 7.0 / per_week;
    return interval * (0.5 + (1 - p) / p);
}

double trains_expected_falls(const boarding_params *b, double speed_kmh)
{
    double p = trains_board_probability(b, speed_kmh);
    if (p <= 0) return 1;
    double falls = (1 - p) / p * trains_fall_probability(b, speed_kmh);
    return falls < 1 ? falls : 1;
}
