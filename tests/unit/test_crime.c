/* Criminal networks: strength dynamics (organisations.c) and victimisation hazards
 * (crime.c), checked against the formulas in their headers. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "models/crime.h"
#include "models/organisations.h"
#include "sim/rng.h"

/* A line of two nodes joined by one edge: places 0 (the edge), 1 and 2 (the nodes). */
typedef struct line_world {
    int *adj_start, *adj;
    org_world w;
} line_world;

static void line_init(line_world *lw, int n_org)
{
    int from[1] = {0}, to[1] = {1};
    organisations_adjacency(1, 2, from, to, &lw->adj_start, &lw->adj);
    organisations_alloc(&lw->w, n_org, 3, lw->adj_start, lw->adj);
}

static void line_free(line_world *lw)
{
    organisations_free(&lw->w);
    free(lw->adj_start);
    free(lw->adj);
}

static const org_dynamics DYN = {.decay_per_day = 0.01,
                                 .rivalry_per_day = 0,
                                 .expansion_per_day = 0,
                                 .extinction_below = 1e-6,
                                 .officials_share = 0.2,
                                 .collusion_half_pesos = 1e6,
                                 .collusion_half_life = 30,
                                 .shield = 0.5};

Test(organisations, adjacency_links_edges_and_their_ends)
{
    line_world lw;
    line_init(&lw, 1);
    cr_assert_eq(lw.adj_start[1] - lw.adj_start[0], 2, "the edge has its two ends");
    cr_assert_eq(lw.adj[lw.adj_start[0]], 1);
    cr_assert_eq(lw.adj[lw.adj_start[0] + 1], 2);
    cr_assert_eq(lw.adj_start[2] - lw.adj_start[1], 1, "each node has its edge");
    cr_assert_eq(lw.adj[lw.adj_start[1]], 0);
    cr_assert_eq(lw.adj[lw.adj_start[2]], 0);
    line_free(&lw);
}

Test(organisations, without_revenue_strength_decays_by_the_formula)
{
    line_world lw;
    line_init(&lw, 1);
    lw.w.strength[1] = 0.5;
    int64_t revenue[3] = {0, 0, 0}, paid[1];
    double upkeep[1] = {1000};
    organisations_step(&lw.w, &DYN, upkeep, 0, revenue, paid);
    cr_assert_float_eq(lw.w.strength[1], 0.5 * 0.99, 1e-12);
    cr_assert_eq(lw.w.strength[0], 0, "no expansion when expansion_per_day is 0");
    cr_assert_eq(paid[0], 0);
    line_free(&lw);
}

Test(organisations, revenue_grows_strength_and_more_revenue_more)
{
    double upkeep[1] = {1000}, end[2];
    for (int k = 0; k < 2; k++) {
        line_world lw;
        line_init(&lw, 1);
        lw.w.strength[1] = 0.2;
        int64_t revenue[3] = {0, k == 0 ? 300 : 600, 0};
        for (int day = 0; day < 200; day++)
            organisations_step(&lw.w, &DYN, upkeep, 0, revenue, NULL);
        end[k] = lw.w.strength[1];
        line_free(&lw);
    }
    /* Fixed revenue R: S -> R/upkeep x (1 - S), i.e. S* = r / (1 + r), r = R/upkeep. */
    cr_assert_float_eq(end[0], 0.3 / 1.3, 0.01);
    cr_assert_float_eq(end[1], 0.6 / 1.6, 0.01);
    cr_assert_gt(end[1], end[0]);
}

Test(organisations, one_step_gain_matches_the_formula)
{
    line_world lw;
    line_init(&lw, 1);
    lw.w.strength[1] = 0.4;
    int64_t revenue[3] = {0, 5000, 0};
    double upkeep[1] = {20000};
    organisations_step(&lw.w, &DYN, upkeep, 0, revenue, NULL);
    double expect = 0.4 + 0.01 * 5000.0 / 20000.0 * 0.6 - 0.01 * 0.4;
    cr_assert_float_eq(lw.w.strength[1], expect, 1e-12);
    line_free(&lw);
}

Test(organisations, anti_crime_pressure_shrinks_and_collusion_shields)
{
    double upkeep[1] = {1000};
    int64_t revenue[3] = {0, 0, 0};
    line_world a, b;
    line_init(&a, 1);
    line_init(&b, 1);
    a.w.strength[1] = b.w.strength[1] = 0.5;
    b.w.paid[0] = 1e6; /* half of full collusion */
    organisations_step(&a.w, &DYN, upkeep, 0.1, revenue, NULL);
    organisations_step(&b.w, &DYN, upkeep, 0.1, revenue, NULL);
    cr_assert_float_eq(a.w.strength[1], 0.5 * (1 - 0.01 - 0.1), 1e-12);
    double coll = 1e6 * pow(0.5, 1.0 / 30) / (1e6 * pow(0.5, 1.0 / 30) + 1e6);
    cr_assert_float_eq(b.w.strength[1], 0.5 * (1 - 0.01 - 0.1 * (1 - 0.5 * coll)), 1e-12);
    cr_assert_gt(b.w.strength[1], a.w.strength[1]);
    line_free(&a);
    line_free(&b);
}

Test(organisations, officials_take_their_share_in_whole_pesos)
{
    line_world lw;
    line_init(&lw, 2);
    int64_t revenue[6] = {1, 2, 4, 1000, 0, 3}, paid[2];
    double upkeep[2] = {1000, 1000};
    organisations_step(&lw.w, &DYN, upkeep, 0, revenue, paid);
    cr_assert_eq(paid[0], 1);   /* 7 x 0.2 = 1.4 */
    cr_assert_eq(paid[1], 201); /* 1003 x 0.2 = 200.6 */
    cr_assert_float_eq(lw.w.paid[1], 201, 1e-12);
    cr_assert_gt(organisations_collusion(&lw.w, &DYN, 1), organisations_collusion(&lw.w, &DYN, 0));
    line_free(&lw);
}

Test(organisations, strength_spreads_to_neighbours_and_rivals_clash)
{
    org_dynamics p = DYN;
    p.expansion_per_day = 0.1;
    p.rivalry_per_day = 0.5;
    double upkeep[2] = {1000, 1000};
    int64_t revenue[6] = {0};
    line_world lw;
    line_init(&lw, 2);
    lw.w.strength[1] = 0.5;     /* organisation 0 at node 1 */
    lw.w.strength[3 + 1] = 0.3; /* organisation 1 there too */
    organisations_step(&lw.w, &p, upkeep, 0, revenue, NULL);
    /* Room at node 1 was 0.2; at the edge 1 (empty). */
    cr_assert_float_eq(lw.w.strength[0], 0.1 * 0.5, 1e-12, "spread onto the edge");
    cr_assert_float_eq(lw.w.strength[3], 0.1 * 0.3, 1e-12);
    cr_assert_float_eq(lw.w.strength[1], 0.5 - 0.01 * 0.5 - 0.5 * 0.5 * 0.3, 1e-12);
    cr_assert_float_eq(lw.w.strength[4], 0.3 - 0.01 * 0.3 - 0.5 * 0.3 * 0.5, 1e-12);
    cr_assert_eq(lw.w.strength[2], 0, "two steps away: not yet");
    line_free(&lw);
}

Test(organisations, weak_presence_dies_out)
{
    org_dynamics p = DYN;
    p.extinction_below = 0.05;
    double upkeep[1] = {1000};
    int64_t revenue[3] = {0};
    line_world lw;
    line_init(&lw, 1);
    lw.w.strength[1] = 0.0504;
    organisations_step(&lw.w, &p, upkeep, 0, revenue, NULL);
    cr_assert_eq(lw.w.strength[1], 0);
    line_free(&lw);
}

/* ---- hazards and vulnerability ---------------------------------------------------- */

static crime_params test_params(double *strength)
{
    crime_params p = {.on = true, .n_org = 1};
    p.mix[0][CRIME_ROBBERY] = 0.4;
    p.mix[0][CRIME_KIDNAPPING] = 0.3;
    p.mix[0][CRIME_TRAFFICKING] = 0.3;
    p.rate[CRIME_ROBBERY] = 0.5;
    p.rate[CRIME_EXTORTION] = 1.0;
    p.rate[CRIME_KIDNAPPING] = 0.3;
    p.rate[CRIME_TRAFFICKING] = 0.3;
    p.vul = (vulnerability_params){.female = 1.5,
                                   .child = 1.3,
                                   .adolescent = 1.5,
                                   .unaccompanied_minor = 2.0,
                                   .alone_without_contacts = 1.5,
                                   .with_smuggler = 0.6,
                                   .with_family = 0.8,
                                   .carrying_money = 1.5,
                                   .money_threshold = 3000,
                                   .protection = 0.6};
    p.strength = strength;
    return p;
}

static void one_agent(agents *a, uint8_t traits, int32_t money)
{
    agents_init(a);
    size_t i = agents_spawn(a, 1);
    a->traits[i] = traits;
    a->money[i] = money;
}

Test(crime, zero_strength_means_zero_hazard)
{
    double strength[1] = {0}, h[CRIME_COUNT];
    crime_params p = test_params(strength);
    agents a;
    one_agent(&a, agent_traits(true, AGE_ADOLESCENT, false, false, false, GOAL_TRANSIT), 9000);
    cr_assert_eq(crime_hazards(&p, strength, 1, 0, 0, true, &a, 0, h), 0);
    agents_free(&a);
}

Test(crime, vulnerability_multiplies_as_documented)
{
    double strength[1] = {1};
    crime_params p = test_params(strength);
    agents a;
    one_agent(&a, agent_traits(true, AGE_ADOLESCENT, false, false, false, GOAL_TRANSIT), 5000);
    double prot = 1 - 0.6 * 0.5;
    cr_assert_float_eq(crime_vulnerability(&p, &a, 0, CRIME_TRAFFICKING, 0.5),
                       1.5 * 1.5 * 2.0 * prot, 1e-12);
    cr_assert_float_eq(crime_vulnerability(&p, &a, 0, CRIME_ROBBERY, 0.5),
                       1.5 * 1.5 * 2.0 * 1.5 * prot, 1e-12, "carrying money");
    a.traits[0] = agent_traits(false, AGE_ADULT, false, false, false, GOAL_TRANSIT);
    cr_assert_eq(crime_vulnerability(&p, &a, 0, CRIME_TRAFFICKING, 0), 0, "adult men");
    cr_assert_float_eq(crime_vulnerability(&p, &a, 0, CRIME_KIDNAPPING, 0), 1.5 * 1.5, 1e-12,
                       "alone, no contacts, with money");
    a.traits[0] = agent_traits(false, AGE_ADULT, false, true, true, GOAL_TRANSIT);
    a.money[0] = 0;
    cr_assert_float_eq(crime_vulnerability(&p, &a, 0, CRIME_ROBBERY, 0), 0.6, 1e-12,
                       "with a smuggler");
    double h[CRIME_COUNT];
    cr_assert_eq((crime_hazards(&p, strength, 1, 0, 0, false, &a, 0, h), h[CRIME_EXTORTION]), 0,
                 "extortion only on trains");
    agents_free(&a);
}

/* Unaccompanied girls against adult men with contacts at one place: the share
 * victimised follows 1 - exp(-H) with the hazards the parameters imply. */
Test(crime, unaccompanied_girls_are_victimised_more_by_the_implied_margin)
{
    double strength[1] = {0.4};
    crime_params p = test_params(strength);
    agents a;
    agents_init(&a);
    enum { N = 40000 };
    agents_spawn(&a, 2 * N);
    for (size_t i = 0; i < 2 * N; i++) {
        a.id[i] = (uint32_t)i;
        a.traits[i] = i < N ? agent_traits(true, AGE_ADOLESCENT, false, false, false, GOAL_TRANSIT)
                            : agent_traits(false, AGE_ADULT, false, false, true, GOAL_TRANSIT);
    }
    double Hg = 0.4 * 1.5 * 1.5 * 2.0 * (0.5 * 0.4 + 0.3 * 0.3 + 0.3 * 0.3);
    double Hm = 0.4 * (0.5 * 0.4 + 0.3 * 0.3);
    int hit[2] = {0, 0};
    rng_key key = {99, 0};
    for (size_t i = 0; i < 2 * N; i++) {
        double h[CRIME_COUNT], u[4];
        double H = crime_hazards(&p, strength, 1, 0, 0, false, &a, i, h);
        cr_assert_float_eq(H, i < N ? Hg : Hm, 1e-12);
        rng_uniform4(key, a.id[i], 0, RNG_CRIME, 0, u);
        hit[i >= N] += u[0] < -expm1(-H);
    }
    double pg = -expm1(-Hg), pm = -expm1(-Hm), ratio = pg / pm;
    double og = hit[0] / (double)N, om = hit[1] / (double)N;
    /* Delta-method standard error of the ratio of two binomial shares. */
    double se = ratio * sqrt((1 - pg) / (N * pg) + (1 - pm) / (N * pm));
    cr_assert_gt(ratio, 3, "the parameters imply a wide margin (%g)", ratio);
    cr_assert(fabs(og / om - ratio) < 4 * se, "observed %g, implied %g (se %g)", og / om, ratio,
              se);
    agents_free(&a);
}

Test(crime, relatives_pay_by_nationality_and_contacts)
{
    crime_params p = {.contacts_factor = 1.5};
    p.pay[NAT_HN] = 0.6;
    agents a;
    one_agent(&a, agent_traits(false, AGE_ADULT, false, false, false, GOAL_TRANSIT), 0);
    a.nationality[0] = NAT_HN;
    cr_assert_float_eq(crime_pay_probability(&p, &a, 0), 0.6, 1e-12);
    a.traits[0] |= TRAIT_CONTACTS;
    cr_assert_float_eq(crime_pay_probability(&p, &a, 0), 0.9, 1e-12);
    p.contacts_factor = 3;
    cr_assert_float_eq(crime_pay_probability(&p, &a, 0), 1, 1e-12, "capped at 1");
    agents_free(&a);
}

Test(crime, handed_over_migrants_go_to_the_strongest_kidnappers)
{
    /* Two places, three organisations: 0 robs only, 1 kidnaps a little at place 0,
     * 2 kidnaps more at place 1 only. */
    double strength[6] = {0.9, 0.9, 0.4, 0, 0, 0.3};
    crime_params p = {.n_org = 3};
    p.mix[0][CRIME_ROBBERY] = 1;
    p.mix[1][CRIME_KIDNAPPING] = 0.5;
    p.mix[1][CRIME_ROBBERY] = 0.5;
    p.mix[2][CRIME_KIDNAPPING] = 1;
    cr_assert_eq(crime_handover_captor(&p, strength, 2, 0), 1);
    cr_assert_eq(crime_handover_captor(&p, strength, 2, 1), 2);
    strength[2] = 0;
    strength[5] = 0.1;
    cr_assert_eq(crime_handover_captor(&p, strength, 2, 0), 2, "nobody there: strongest anywhere");
    p.mix[2][CRIME_KIDNAPPING] = 0;
    p.mix[1][CRIME_KIDNAPPING] = 0;
    cr_assert_eq(crime_handover_captor(&p, strength, 2, 0), -1, "nobody kidnaps");
}
