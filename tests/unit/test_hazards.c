/* Tests for the hazards building blocks: regions on the map, repair times, and the
 * stochastic hurricane generator (landfall rate, season, classes, reproducibility),
 * and what counts as a change of the edge status. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "models/hazard_region.h"
#include "models/hurricane_generator.h"
#include "models/repair_time.h"
#include "sim/edge_status.h"

/* ---- regions ---- */

static const hazard_region box = {
    .kind = REGION_BOX, .lat_min = 15, .lat_max = 16, .lon_min = -94, .lon_max = -93};

Test(hazard_region, box_contains_inner_segment)
{
    cr_expect(hazard_region_hits_segment(&box, 15.2, -93.8, 15.8, -93.2));
}

Test(hazard_region, box_catches_segment_crossing_it_with_both_ends_outside)
{
    /* From west of the box to east of it at lat 15.5: both ends outside. */
    cr_expect(hazard_region_hits_segment(&box, 15.5, -95, 15.5, -92));
    /* Diagonal through a corner region. */
    cr_expect(hazard_region_hits_segment(&box, 14.5, -94.2, 16.5, -92.8));
}

Test(hazard_region, box_misses_segment_outside)
{
    cr_expect_not(hazard_region_hits_segment(&box, 16.1, -95, 16.1, -92));   /* north of it */
    cr_expect_not(hazard_region_hits_segment(&box, 14, -94.5, 15.4, -95.9)); /* south-west */
    /* The line through the segment crosses the box, but the segment stops short. */
    cr_expect_not(hazard_region_hits_segment(&box, 15.5, -96, 15.5, -94.1));
}

Test(hazard_region, circle_uses_distance_to_segment_not_to_ends)
{
    /* Circle of 20 km at (15, -93); a north-south segment 0.1 deg of longitude away
     * (about 10.7 km at 15 N) passes within the radius though both ends are ~110 km off. */
    hazard_region c = {.kind = REGION_CIRCLE, .lat = 15, .lon = -93, .radius_km = 20};
    cr_expect(hazard_region_hits_segment(&c, 14, -92.9, 16, -92.9));
    /* 0.3 deg away (~32 km): outside. */
    cr_expect_not(hazard_region_hits_segment(&c, 14, -92.7, 16, -92.7));
    /* Degenerate segment (a point) 10 km north: inside. */
    cr_expect(hazard_region_hits_segment(&c, 15.09, -93, 15.09, -93));
}

static cfg *parse(const char *yaml)
{
    diag d = {0};
    cfg *root = cfg_parse_text(yaml, strlen(yaml), "test.yaml", &d);
    cr_assert_not_null(root, "%s", d.msg);
    return root;
}

Test(hazard_region, reader_rejects_out_of_range_and_unordered_boxes)
{
    const char *bad[] = {
        "r: {lat: [14, 95], lon: [-94, -92]}",               /* latitude out of range */
        "r: {lat: [16, 14], lon: [-94, -92]}",               /* not low < high */
        "r: {lat: [14, 16], lon: [-94]}",                    /* one number */
        "r: {center: [15, -93], radius_km: 0}",              /* zero radius */
        "r: {lat: [14, 16], lon: [-94, -92], radius_km: 5}", /* both kinds */
    };
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        cfg *root = parse(bad[k]);
        hazard_region r;
        diag d = {0};
        cr_expect_neq(hazard_region_read(cfg_child(root, "r"), &r, &d), 0, "%s", bad[k]);
        cr_expect(strstr(d.msg, "test.yaml:1") != NULL, "%s -> %s", bad[k], d.msg);
        cfg_free(root);
    }
}

/* ---- repair times ---- */

Test(repair_time, fixed_and_lognormal_median)
{
    repair_time fixed = {.days = 8};
    cr_expect_eq(repair_time_draw(&fixed, 0.3, 0.7), 8);
    repair_time ln = {.lognormal = true, .median = 45, .sigma = 0.5};
    /* z = 0 when cos(2 pi u2) = 0: the median itself. */
    cr_expect_eq(repair_time_draw(&ln, 0.5, 0.25), 45);
    /* Empirical median over a grid of uniforms. */
    int below = 0, n = 0;
    for (int a = 0; a < 100; a++)
        for (int b = 0; b < 100; b++, n++)
            below += repair_time_draw(&ln, (a + 0.5) / 100, (b + 0.5) / 100) < 45;
    cr_expect(fabs((double)below / n - 0.5) < 0.03, "share below the median %g", (double)below / n);
}

/* ---- hurricane generator ---- */

static const char generator_yaml[] =
    "hurricanes:\n"
    "  landfalls_per_year: 1.7\n"
    "  season: [1, 2, 3, 5, 4, 1]\n"
    "  landfall_box: {lat: [14.5, 21.5], lon: [-98, -87]}\n"
    "  modes: [rail, road]\n"
    "  classes:\n"
    "    tropical_storm: {share: 0.6, radius_km: 60, close_probability: 0.3, repair_days: 5}\n"
    "    hurricane: {share: 0.4, radius_km: 120, close_probability: 0.7,\n"
    "                repair_days: {distribution: lognormal, median: 60, sigma: 1}}\n";

static void read_generator(hurricane_params *p, cfg **root)
{
    *root = parse(generator_yaml);
    diag d = {0};
    cr_assert_eq(hurricane_read(cfg_child(*root, "hurricanes"), p, &d), 0, "%s", d.msg);
}

Test(hurricane_generator, mean_landfalls_per_year_matches_the_rate)
{
    hurricane_params p;
    cfg *root;
    read_generator(&p, &root);
    storm s[HURRICANE_MAX_PER_YEAR];
    const int years = 1000;
    long total = 0, by_class[2] = {0}, by_month[13] = {0};
    for (int y = 0; y < years; y++) {
        int n = hurricane_year(&p, (rng_key){12345, 0}, 3000 + y, s);
        total += n;
        for (int k = 0; k < n; k++) {
            int yy, mm, dd;
            date_from_days(s[k].date, &yy, &mm, &dd);
            cr_assert_eq(yy, 3000 + y);
            cr_assert(mm >= 6 && mm <= 11, "landfall in month %d", mm);
            cr_assert(k == 0 || s[k - 1].date <= s[k].date, "storms in date order");
            cr_assert(s[k].lat >= 14.5 && s[k].lat <= 21.5 && s[k].lon >= -98 && s[k].lon <= -87);
            by_class[s[k].cls]++;
            by_month[mm]++;
        }
    }
    double mean = (double)total / years, se = sqrt(1.7 / years);
    printf("hurricane generator: %ld landfalls in %d years, mean %.3f per year (parameter 1.7, "
           "standard error %.3f); tropical storms %.3f of landfalls (share 0.6); "
           "September %.3f (weight 5/16 = 0.3125)\n",
           total, years, mean, se, (double)by_class[0] / total, (double)by_month[9] / total);
    cr_expect(fabs(mean - 1.7) < 4 * se, "mean %g per year, rate 1.7", mean);
    cr_expect(fabs((double)by_class[0] / total - 0.6) < 0.05);
    cr_expect(fabs((double)by_month[9] / total - 5.0 / 16) < 0.05);
    hurricane_free(&p);
    cfg_free(root);
}

/* 100,000 simulated years per rate: the standard error is under 1% of the rate. */
Test(hurricane_generator, mean_landfalls_follow_the_rate_parameter)
{
    hurricane_params p;
    cfg *root;
    read_generator(&p, &root);
    storm s[HURRICANE_MAX_PER_YEAR];
    const double rates[] = {0.3, 1.0, 2.4, 6.0};
    const int years = 100000;
    for (size_t r = 0; r < sizeof rates / sizeof *rates; r++) {
        p.landfalls_per_year = rates[r];
        long total = 0;
        for (int y = 0; y < years; y++)
            total += hurricane_year(&p, (rng_key){99, 0}, 1000 + y, s);
        double mean = (double)total / years, se = sqrt(rates[r] / years);
        printf("hurricane generator: rate %.1f per year -> mean %.3f over %d years (standard "
               "error %.3f)\n",
               rates[r], mean, years, se);
        cr_expect(fabs(mean - rates[r]) < 4 * se, "rate %g: mean %g", rates[r], mean);
    }
    hurricane_free(&p);
    cfg_free(root);
}

Test(hurricane_generator, same_seed_same_storms_other_seed_other_storms)
{
    hurricane_params p;
    cfg *root;
    read_generator(&p, &root);
    storm a[HURRICANE_MAX_PER_YEAR], b[HURRICANE_MAX_PER_YEAR];
    int differ = 0;
    for (int y = 2000; y < 2050; y++) {
        int na = hurricane_year(&p, (rng_key){7, 0}, y, a);
        int nb = hurricane_year(&p, (rng_key){7, 0}, y, b);
        cr_assert_eq(na, nb);
        cr_assert_eq(memcmp(a, b, (size_t)na * sizeof *a), 0, "year %d differs between runs", y);
        int nc = hurricane_year(&p, (rng_key){8, 0}, y, b);
        differ += nc != na || (na > 0 && a[0].date != b[0].date);
    }
    cr_expect_gt(differ, 10, "another seed should draw other storms (%d of 50 years differ)",
                 differ);
    hurricane_free(&p);
    cfg_free(root);
}

Test(hurricane_generator, zero_rate_draws_nothing)
{
    hurricane_params p;
    cfg *root;
    read_generator(&p, &root);
    p.landfalls_per_year = 0;
    storm s[HURRICANE_MAX_PER_YEAR];
    for (int y = 0; y < 100; y++)
        cr_expect_eq(hurricane_year(&p, (rng_key){1, 0}, y, s), 0);
    hurricane_free(&p);
    cfg_free(root);
}

Test(hurricane_generator, poisson_inversion_has_the_right_mean_and_zero_share)
{
    double sum = 0, zeros = 0;
    const int n = 20000;
    for (int k = 0; k < n; k++) {
        int x = hurricane_poisson(0.8, (k + 0.5) / n);
        sum += x;
        zeros += x == 0;
    }
    cr_expect(fabs(sum / n - 0.8) < 0.01, "mean %g", sum / n);
    cr_expect(fabs(zeros / n - exp(-0.8)) < 0.001, "P(0) %g", zeros / n);
}

Test(hurricane_generator, reader_rejects_bad_shares_and_season)
{
    const char *bad[] = {
        "hurricanes: {landfalls_per_year: 1, season: [1, 1, 1], landfall_box: {lat: [14, 16], "
        "lon: [-94, -92]}, modes: [rail], classes: {a: {share: 1, radius_km: 50, "
        "close_probability: 0.5, repair_days: 3}}}",
        "hurricanes: {landfalls_per_year: 1, season: [1, 1, 1, 1, 1, 1], landfall_box: {lat: "
        "[14, 16], lon: [-94, -92]}, modes: [rail], classes: {a: {share: 0.5, radius_km: 50, "
        "close_probability: 0.5, repair_days: 3}}}",
        "hurricanes: {landfalls_per_year: 1, season: [1, 1, 1, 1, 1, 1], landfall_box: "
        "{center: [15, -93], radius_km: 50}, modes: [rail], classes: {a: {share: 1, "
        "radius_km: 50, close_probability: 0.5, repair_days: 3}}}",
        "hurricanes: {landfalls_per_year: 1, season: [1, 1, 1, 1, 1, 1], landfall_box: {lat: "
        "[14, 16], lon: [-94, -92]}, modes: [boat], classes: {a: {share: 1, radius_km: 50, "
        "close_probability: 0.5, repair_days: 3}}}",
    };
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        cfg *root = parse(bad[k]);
        hurricane_params p;
        diag d = {0};
        cr_expect_neq(hurricane_read(cfg_child(root, "hurricanes"), &p, &d), 0, "case %zu", k);
        cr_expect(strstr(d.msg, "test.yaml:1") && strstr(d.msg, "hurricanes."), "case %zu: %s", k,
                  d.msg);
        hurricane_free(&p);
        cfg_free(root);
    }
}

/* ---- edge status ---- */

/* The next day: edge 0 closed (reopening expected on `until`), edge 2 at half speed. */
static void advance_closed(edge_status *es, int32_t until)
{
    edge_day *t = edge_status_stage(es);
    t->speed[2] = 0.5f;
    t->open[0] = 0;
    t->wait_until[0] = until;
    edge_status_advance(es);
}

/* Route tables are rebuilt only on a day whose status `changed` (models/behaviour.c):
 * each thing they read must count. The hazard factor once did not, and a
 * hazard_factor-only event left the expected falls' cost at yesterday's. */
Test(edge_status, a_change_of_open_speed_hazard_or_finite_wait_is_a_change)
{
    edge_status es;
    edge_status_init(&es, 3);
    edge_status_stage(&es);
    edge_status_advance(&es);
    cr_expect_not(es.changed, "all open and normal, as before");
    edge_status_advance(&es);
    cr_expect_not(es.changed, "nothing staged: today's status stays");

    edge_status_stage(&es)->hazard[1] = 2;
    edge_status_advance(&es);
    cr_expect(es.changed, "hazard factor 1 to 2");
    edge_status_stage(&es)->hazard[1] = 2;
    edge_status_advance(&es);
    cr_expect_not(es.changed, "the same hazard factor again");

    edge_status_stage(&es)->speed[2] = 0.5f;
    edge_status_advance(&es);
    cr_expect(es.changed, "speed, and the hazard factor back to 1");

    advance_closed(&es, EDGE_WAIT_NEVER);
    cr_expect(es.changed, "closed");
    advance_closed(&es, EDGE_WAIT_NEVER);
    cr_expect_not(es.changed, "closed for good, as yesterday");
    advance_closed(&es, 40);
    cr_expect(es.changed, "a finite wait shrinks every day");
    edge_status_free(&es);
}

/* A day_ahead hook builds tomorrow's route tables from edge_status_tomorrow when
 * edge_status_will_change says they would differ (models/behaviour.c): both must say
 * today what tomorrow's advance will make of the status. */
Test(edge_status, tomorrow_and_will_change_foretell_the_advance)
{
    edge_status es;
    edge_status_init(&es, 3);
    cr_expect_eq(edge_status_tomorrow(&es), &es.today, "nothing staged: today's stays");
    cr_expect_not(edge_status_will_change(&es));
    /* all normal; hazard 1 to 2; the same again; closed for good; closed with a wait;
     * the same wait, a day nearer: a change every day */
    const bool expected[6] = {false, true, false, true, true, true};
    for (int step = 0; step < 6; step++) {
        edge_day *t = edge_status_stage(&es);
        if (step == 1 || step == 2) t->hazard[1] = 2; /* a change, then the same */
        if (step >= 3) t->open[0] = 0;                /* closed */
        if (step >= 4) t->wait_until[0] = 40;         /* with a wait: every day */
        cr_expect_eq(edge_status_tomorrow(&es), t, "step %d: the staged status", step);
        bool foretold = edge_status_will_change(&es);
        cr_expect_eq(foretold, expected[step], "step %d", step);
        uint8_t open0 = t->open[0];
        edge_status_advance(&es);
        cr_expect_eq(foretold, es.changed, "step %d", step);
        cr_expect_eq(es.today.open[0], open0, "step %d: tomorrow's became today's", step);
    }
    edge_status_advance(&es); /* nothing staged */
    cr_expect_not(es.changed);
    edge_status_free(&es);
}
