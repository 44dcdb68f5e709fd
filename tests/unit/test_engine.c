/* Engine building blocks: random streams, capacity resolution, agent storage. */
#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>
#include <string.h>

#include "sim/agents.h"
#include "sim/capacity.h"
#include "sim/rng.h"

Test(rng, draws_are_a_pure_function_of_key_and_counter)
{
    rng_key k = {42, 0};
    double a[4], b[4], c[4], m[4];
    rng_uniform4(k, 7, 100, RNG_MOVE, 0, a);
    rng_uniform4(k, 7, 100, RNG_MOVE, 0, b);
    cr_assert(memcmp(a, b, sizeof a) == 0, "same counter, same numbers");
    rng_uniform4(k, 7, 101, RNG_MOVE, 0, c);
    cr_assert(memcmp(a, c, sizeof a) != 0, "another day, other numbers");
    rng_uniform4((rng_key){42, 1}, 7, 100, RNG_MOVE, 0, m);
    cr_assert(memcmp(a, m, sizeof a) != 0, "another member, other numbers");
    rng_uniform4((rng_key){43, 0}, 7, 100, RNG_MOVE, 0, m);
    cr_assert(memcmp(a, m, sizeof a) != 0, "another seed, other numbers");
    for (int i = 0; i < 4; i++)
        cr_assert(a[i] >= 0 && a[i] < 1);
}

Test(rng, uniforms_have_the_right_mean)
{
    rng_key k = {1, 0};
    double sum = 0;
    int n = 0;
    for (uint32_t id = 0; id < 50000; id++) {
        double u[4];
        rng_uniform4(k, id, 3, RNG_MOVE, 0, u);
        for (int i = 0; i < 4; i++)
            sum += u[i], n++;
    }
    /* Standard error of the mean of 200,000 uniforms is 0.00065. */
    cr_assert_float_eq(sum / n, 0.5, 0.004);
}

Test(rng, gsl_adapter_is_reproducible)
{
    gsl_rng *r = rng_gsl_alloc();
    rng_key k = {9, 0};
    rng_gsl_reset(r, k, 3, 10, RNG_INFLOW);
    unsigned first = gsl_ran_poisson(r, 50.0);
    double g1 = gsl_ran_gaussian(r, 1.0);
    rng_gsl_reset(r, k, 3, 10, RNG_INFLOW);
    cr_assert_eq(gsl_ran_poisson(r, 50.0), first);
    cr_assert_float_eq(gsl_ran_gaussian(r, 1.0), g1, 0.0);
    double mean = 0;
    for (uint32_t day = 0; day < 2000; day++) {
        rng_gsl_reset(r, k, 3, day, RNG_INFLOW);
        mean += gsl_ran_poisson(r, 50.0) / 2000.0;
    }
    cr_assert_float_eq(mean, 50.0, 0.6); /* sd of the mean is 0.16 */
    gsl_rng_free(r);
}

/* Capacity goes to the lowest priorities, whatever the order of the requests and
 * however they are split across threads. */
Test(capacity, grants_by_priority_independent_of_thread_split)
{
    capacity_table t = {0};
    uint32_t base = capacity_register(&t, 2);
    t.capacity[base] = 3;
    t.capacity[base + 1] = 0;
    uint8_t grants_a[10] = {0}, grants_b[10] = {0};
    cap_request reqs[10];
    for (uint32_t i = 0; i < 10; i++)
        reqs[i] =
            (cap_request){.resource = base + (i == 9), .priority = (i * 7919u) % 10u, .index = i};
    /* Split one: everything on one thread, in order. */
    cap_requests one[1] = {{0}};
    for (int i = 0; i < 10; i++)
        cap_requests_push(&one[0], reqs[i]);
    uint32_t ids[10];
    for (uint32_t i = 0; i < 10; i++)
        ids[i] = 100 + i;
    capacity_resolve(&t, (cap_requests *const[]){&one[0]}, 1, ids, grants_a);
    cr_assert_eq(t.granted[base], 3);
    cr_assert_eq(t.requested[base], 9);
    cr_assert_eq(t.granted[base + 1], 0, "zero capacity grants nothing");
    /* Split two: reversed, across three threads. */
    cap_requests three[3] = {{0}};
    for (int i = 9; i >= 0; i--)
        cap_requests_push(&three[i % 3], reqs[i]);
    capacity_resolve(&t, (cap_requests *const[]){&three[0], &three[1], &three[2]}, 3, ids,
                     grants_b);
    cr_assert(memcmp(grants_a, grants_b, sizeof grants_a) == 0);
    /* The three granted are the three lowest priorities among resource `base`. */
    int granted = 0;
    for (int i = 0; i < 9; i++) {
        if (grants_a[i]) {
            granted++;
            cr_assert_leq(reqs[i].priority, 3u, "priorities 0, 2 and 3 are the lowest");
        }
    }
    cr_assert_eq(granted, 3);
    cr_assert_eq(grants_a[9], 0);
    /* Equal priorities: the lower agent id comes first, wherever it is stored. */
    uint8_t grants_c[10] = {0};
    t.capacity[base] = 1;
    ids[4] = 7;
    ids[6] = 5;
    reqs[4].priority = reqs[6].priority = 0; /* i = 0 has priority 0 too, id 100 */
    for (int i = 0; i < 9; i++)
        cap_requests_push(&three[i % 3], reqs[i]);
    capacity_resolve(&t, (cap_requests *const[]){&three[0], &three[1], &three[2]}, 3, ids,
                     grants_c);
    for (int i = 0; i < 10; i++)
        cr_assert_eq(grants_c[i] != 0, i == 6, "agent %d", i);
    free(one[0].v);
    for (int k = 0; k < 3; k++)
        free(three[k].v);
    capacity_free(&t);
}

Test(agents, spawn_and_compact_keep_every_stayer_and_its_fields)
{
    agents a;
    agents_init(&a);
    size_t first = agents_spawn(&a, 5000);
    cr_assert_eq(first, 0);
    for (size_t i = 0; i < a.n; i++) {
        a.id[i] = (uint32_t)i;
        a.node[i] = (uint16_t)(i % 7);
        a.state[i] = i % 3 == 0 ? STATE_ARRIVED : STATE_WAITING;
        cr_assert_eq(a.edge[i], EDGE_NONE);
    }
    size_t removed = agents_compact(&a);
    cr_assert_eq(removed, 1667);
    cr_assert_eq(a.n, 3333);
    static bool seen[5000];
    for (size_t i = 0; i < a.n; i++) {
        cr_assert_neq(a.id[i] % 3, 0, "only stayers are left");
        cr_assert_not(seen[a.id[i]], "each stayer once");
        seen[a.id[i]] = true;
        cr_assert_eq(a.node[i], a.id[i] % 7, "fields move together");
    }
    /* Leavers at the end, or everyone leaving: nothing is left behind. */
    for (size_t i = 0; i < a.n; i++)
        a.state[i] = i + 10 >= a.n ? STATE_DEAD : STATE_WAITING;
    cr_assert_eq(agents_compact(&a), 10);
    cr_assert_eq(a.n, 3323);
    for (size_t i = 0; i < a.n; i++)
        a.state[i] = STATE_DEAD;
    cr_assert_eq(agents_compact(&a), 3323);
    cr_assert_eq(a.n, 0);
    cr_assert_leq(agents_bytes_per_agent(), 64);
    agents_free(&a);
}
