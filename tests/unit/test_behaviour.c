/* Behaviour building blocks: boarding by speed, train waits, trait packing, groups,
 * and the route tables built a day ahead. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "models/behaviour.h"
#include "models/trains.h"
#include "sim/agents.h"
#include "sim/sim.h"

static const boarding_params board = {.on = true,
                                      .at_kmh = {10, 30},
                                      .success = {0.9, 0.5},
                                      .fall_if_missed = {0.02, 0.1},
                                      .death_if_fall = 0.1,
                                      .injury_days = 30,
                                      .give_up_if_injured = 0.5};

Test(trains, boarding_gets_harder_and_riskier_with_speed)
{
    cr_assert_float_eq(trains_board_probability(&board, 10), 0.9, 1e-12);
    cr_assert_float_eq(trains_board_probability(&board, 20), 0.7, 1e-12);
    cr_assert_float_eq(trains_board_probability(&board, 30), 0.5, 1e-12);
    /* Constant outside the anchors. */
    cr_assert_float_eq(trains_board_probability(&board, 5), 0.9, 1e-12);
    cr_assert_float_eq(trains_board_probability(&board, 80), 0.5, 1e-12);
    cr_assert_float_eq(trains_fall_probability(&board, 20), 0.06, 1e-12);
    for (double v = 5; v < 40; v += 1) {
        cr_assert(trains_board_probability(&board, v + 1) <= trains_board_probability(&board, v));
        cr_assert(trains_expected_falls(&board, v + 1) >= trains_expected_falls(&board, v));
    }
    /* (1 - p) / p missed jumps, each a fall with P(fall | miss). */
    cr_assert_float_eq(trains_expected_falls(&board, 30), 1.0 * 0.1, 1e-12);
}

Test(trains, without_boarding_section_nothing_happens)
{
    boarding_params off = {.on = false};
    cr_assert_eq(trains_board_probability(&off, 60), 1.0);
    cr_assert_eq(trains_fall_probability(&off, 60), 0.0);
    cr_assert_eq(trains_expected_falls(&off, 60), 0.0);
}

Test(trains, expected_wait_counts_missed_departures)
{
    /* Daily trains: half a day to the first; always boarding. */
    cr_assert_float_eq(trains_expected_wait(7, 1.0), 0.5, 1e-12);
    /* Three a week, half the jumps miss: 7/3 x (0.5 + 1). */
    cr_assert_float_eq(trains_expected_wait(3, 0.5), 3.5, 1e-12);
    cr_assert(isinf(trains_expected_wait(0, 1.0)));
    cr_assert(isinf(trains_expected_wait(3, 0.0)));
}

static agents one_agent(uint8_t nat, uint8_t traits, uint8_t flags)
{
    agents a;
    agents_init(&a);
    size_t i = agents_spawn(&a, 1);
    a.nationality[i] = nat;
    a.traits[i] = traits;
    a.flags[i] = flags;
    return a;
}

Test(agents, traits_pack_and_unpack)
{
    for (int age = 0; age < AGE_COUNT; age++)
        for (int goal = 0; goal < GOAL_COUNT; goal++) {
            agents a = one_agent(NAT_SV, agent_traits(true, age, true, false, true, goal), 0);
            cr_assert_eq(agent_age(&a, 0), age);
            cr_assert_eq(agent_goal(&a, 0), goal);
            cr_assert(a.traits[0] & TRAIT_FEMALE);
            cr_assert(a.traits[0] & TRAIT_ACCOMPANIED);
            cr_assert(!(a.traits[0] & TRAIT_SMUGGLER));
            cr_assert(a.traits[0] & TRAIT_CONTACTS);
            agent_set_goal(&a, 0, GOAL_TRANSIT);
            cr_assert_eq(agent_goal(&a, 0), GOAL_TRANSIT);
            cr_assert_eq(agent_age(&a, 0), age, "setting the goal keeps the rest");
            agents_free(&a);
        }
}

Test(agents, groups_are_nationality_sex_age_and_named_so)
{
    agents a = one_agent(NAT_HN, agent_traits(true, AGE_ADOLESCENT, false, false, false, 0), 0);
    int g = agents_group(&a, 0);
    cr_assert_str_eq(group_names[g], "HN_female_adolescent");
    a.nationality[0] = NAT_OTHER;
    a.traits[0] = agent_traits(false, AGE_ADULT, false, false, false, 0);
    cr_assert_eq(agents_group(&a, 0), GROUP_COUNT - 2 * AGE_COUNT + AGE_ADULT);
    cr_assert_str_eq(group_names[agents_group(&a, 0)], "other_male_adult");
    agents_free(&a);
}

Test(behaviour, each_agent_uses_its_groups_table)
{
    /* Adult alone, no contacts, transit: hearsay table of adults going north. */
    agents a = one_agent(NAT_GT, agent_traits(false, AGE_ADULT, false, false, false, 0), 0);
    cr_assert_eq(behaviour_table(&a, 0),
                 (DEST_US * AVERSION_COUNT + AVERSION_ADULT) * INFO_COUNT + INFO_HEARSAY);
    /* An unaccompanied minor with a smuggler hears current risks. */
    a.traits[0] = agent_traits(false, AGE_CHILD, false, true, false, GOAL_TRANSIT);
    cr_assert_eq(behaviour_table(&a, 0),
                 (DEST_US * AVERSION_COUNT + AVERSION_MINOR) * INFO_COUNT + INFO_CURRENT);
    /* A mother with children going to work, informed by a shelter stay. */
    a.traits[0] = agent_traits(true, AGE_ADULT, true, false, false, GOAL_WORK);
    a.flags[0] = AGENT_INFORMED;
    cr_assert_eq(behaviour_table(&a, 0),
                 (DEST_WORK * AVERSION_COUNT + AVERSION_FAMILY) * INFO_COUNT + INFO_CURRENT);
    agents_free(&a);
}

/* ---- route tables built the day before ---- */

/* stan_2005 for 240 days, Stan's closure until `until` (a --set value). */
static void load(scenario *sc, sim *s, int threads, const char *until)
{
    diag d = {0};
    const char *sets[] = {"population_scale=0.05", until};
    scenario_overrides ov = {.sets = sets, .n_sets = 2, .seed = -1, .days = 240};
    cr_assert_eq(scenario_load(sc, "../scenarios/stan_2005.yaml", &ov, &d), 0, "%s", d.msg);
    cr_assert_eq(sim_init(s, sc, 0, threads, &d), 0, "%s", d.msg);
}

static bool same_tables(const route_tables *a, const route_tables *b)
{
    size_t E = (size_t)a->n_edges, V = (size_t)a->n_nodes, T = ROUTE_TABLES;
    return memcmp(a->weight, b->weight, T * E * sizeof(float)) == 0 &&
           memcmp(a->total, b->total, T * E * sizeof(float)) == 0 &&
           memcmp(a->stay_bonus, b->stay_bonus, T * E * sizeof(float)) == 0 &&
           memcmp(a->cost_to_go, b->cost_to_go, T * V * sizeof(double)) == 0 &&
           memcmp(a->max_fare, b->max_fare, V * sizeof(int32_t)) == 0 &&
           memcmp(a->node_sum, b->node_sum, T * V * sizeof(double)) == 0 &&
           memcmp(a->node_pick, b->node_pick, T * V * sizeof(int32_t)) == 0 &&
           memcmp(a->cheapest, b->cheapest, T * V * sizeof(int32_t)) == 0 &&
           a->no_bonus == b->no_bonus;
}

/* Runs stan_2005 with and without tables built the day before and checks that they
 * are the tables the day would build, day after day through Stan's closure (the edge
 * status changes every day: migrants count the days to the reopening) and a new epoch
 * (2006). They are built with tomorrow's edge status (staged by hazards in the
 * morning), so they serve every day of the closure, its first (day 125) and the
 * reopening (day `reopen`) included; only the new epoch's first day, whose parameters
 * nobody knew the day before, builds its own. A day served by the day before shows as
 * the tables changing place. */
static void check_tables_built_the_day_before(const char *until, int reopen)
{
    scenario sa, sb;
    sim ahead, alone;
    load(&sa, &ahead, 2, until);
    load(&sb, &alone, 1, until);
    alone.no_day_ahead = true;
    const int stan = 125, new_year = 214; /* 2005-10-04 and 2006-01-01 */
    int served = 0;
    const float *before = NULL;
    for (int day = 0; day < 240; day++) {
        sim_step(&ahead);
        sim_step(&alone);
        const route_tables *a = behaviour_routes(&ahead), *b = behaviour_routes(&alone);
        cr_assert(same_tables(a, b), "day %d", day);
        cr_assert_eq(ahead.ag.n, alone.ag.n, "day %d", day);
        cr_assert(memcmp(ahead.ag.node, alone.ag.node, ahead.ag.n * sizeof *ahead.ag.node) == 0);
        bool from_the_day_before = day > 0 && a->weight != before;
        served += from_the_day_before;
        if ((day >= stan && day < reopen && day != new_year) || day == reopen)
            cr_expect(from_the_day_before, "day %d: built the day before", day);
        if (day == new_year) cr_expect(!from_the_day_before, "a new epoch builds its own");
        before = a->weight;
    }
    cr_expect_gt(served, 120, "served by the day before on most days (%d of 239)", served);
    sim_free(&ahead);
    sim_free(&alone);
    scenario_free(&sa);
    scenario_free(&sb);
}

Test(behaviour, tables_built_the_day_before_are_the_days_own)
{
    check_tables_built_the_day_before("hazards.events.stan_2005.until=2013-07-01", 240);
}

/* The same when the line reopens on 2005-12-01 (day 183): the day before knew it. */
Test(behaviour, tables_built_the_day_before_serve_a_reopening)
{
    check_tables_built_the_day_before("hazards.events.stan_2005.until=2005-12-01", 183);
}
