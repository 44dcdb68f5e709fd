/* Behaviour building blocks: boarding by speed, train waits, trait packing, groups. */
#include <criterion/criterion.h>
#include <math.h>

#include "models/behaviour.h"
#include "models/trains.h"
#include "sim/agents.h"

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
