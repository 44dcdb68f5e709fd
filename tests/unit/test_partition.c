/* Which thread passes over which agents (sim/partition.h): every agent exactly once
 * per pass, each thread's chunks ascending, ranges balanced by measured cost. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "sim/partition.h"

/* Walks the team through one pass, thread t making t + 1 claims a round (threads of
 * different speeds), marking each agent; checks the order of each thread's chunks. */
static void walk_all(partition *p, int pass, int n_present, size_t n, int *seen)
{
    memset(seen, 0, n * sizeof *seen);
    partition_walk w[8];
    size_t last_own[8] = {0}, last_stolen[8] = {0};
    bool any_stolen[8] = {false}, done[8] = {false};
    for (int t = 0; t < n_present; t++)
        w[t] = partition_walk_start(p, pass, t);
    for (int busy = n_present; busy > 0;)
        for (int t = 0; t < n_present; t++)
            for (int c = 0; c <= t && !done[t]; c++) {
                size_t lo, hi;
                if (!partition_next(&w[t], &lo, &hi)) {
                    done[t] = true;
                    busy--;
                    break;
                }
                cr_assert(lo < hi && hi <= n, "chunk [%zu, %zu) of %zu agents", lo, hi, n);
                cr_assert(hi - lo <= PARTITION_CHUNK);
                if (w[t].own) {
                    cr_assert(!any_stolen[t], "own chunks come before stolen ones");
                    cr_assert(lo >= last_own[t], "own chunks ascend");
                    cr_assert(lo >= p->bound[t] && hi <= p->bound[t + 1], "own chunk in own range");
                    last_own[t] = hi;
                } else {
                    cr_assert(lo >= last_stolen[t], "stolen chunks ascend");
                    cr_assert(lo < p->bound[t] || lo >= p->bound[t + 1],
                              "stolen from another range");
                    last_stolen[t] = hi;
                    any_stolen[t] = true;
                }
                for (size_t i = lo; i < hi; i++)
                    seen[i]++;
            }
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(seen[i], 1, "agent %zu passed %d times", i, seen[i]);
}

/* Sets what the walks would have measured: `cost` seconds per agent in each pass. */
static void measured(partition *p, int r, double cost)
{
    size_t agents = p->bound[r + 1] - p->bound[r];
    for (int pass = 0; pass < PASS_COUNT; pass++) {
        p->own_time[pass * p->n + r] = cost * (double)agents;
        p->own_agents[pass * p->n + r] = agents;
    }
}

Test(partition, every_agent_once_per_pass_whoever_shows_up)
{
    const size_t sizes[] = {0, 1, 63, 64, 255, 256, 1000, 10007};
    for (int threads = 1; threads <= 8; threads++)
        for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
            size_t n = sizes[k];
            int *seen = calloc(n + 1, sizeof *seen);
            partition p;
            partition_init(&p, threads);
            bool uneven = false;
            for (int day = 0; day < 6; day++) {
                size_t today = day % 3 == 2 ? n / 2 : n; /* the store shrinks and grows */
                partition_begin_day(&p, today);
                cr_assert_eq(p.bound[0], 0);
                cr_assert_eq(p.bound[threads], today);
                for (int r = 0; r < threads; r++) {
                    cr_assert(p.bound[r] <= p.bound[r + 1], "ranges in order");
                    cr_assert(p.bound[r + 1] == today || p.bound[r + 1] % 64 == 0,
                              "inner bounds on multiples of 64 agents");
                }
                if (threads > 1 && p.bound[1] != (size_t)((double)today / threads / 64 + 0.5) * 64)
                    uneven = true;
                /* The whole team in one pass, a team of one in the other: a missing
                 * thread's range is taken by the others. */
                walk_all(&p, PASS_PLAN, day % 2 ? 1 : threads, today, seen);
                walk_all(&p, PASS_ACT, day % 2 ? threads : 1, today, seen);
                /* Costs as if measured, dearer towards the end and from day to day. */
                for (int r = 0; r < threads; r++)
                    measured(&p, r, 1e-8 * (1 + r + day % 3));
            }
            if (threads > 1 && n >= 1000) cr_assert(uneven, "ranges drawn by cost");
            partition_free(&p);
            free(seen);
        }
}

Test(partition, first_day_splits_evenly)
{
    partition p;
    partition_init(&p, 2);
    partition_begin_day(&p, 10000);
    cr_assert_eq(p.bound[1], 4992, "5,000 on a multiple of 64: %zu", p.bound[1]);
    partition_free(&p);
}

Test(partition, moves_half_way_to_equal_cost)
{
    partition p;
    partition_init(&p, 2);
    partition_begin_day(&p, 10000); /* [0, 4992) and [4992, 10000) */
    measured(&p, 0, 1e-8);
    measured(&p, 1, 3e-8); /* the end of the store costs three times as much */
    partition_begin_day(&p, 10000);
    /* Equal cost: 4992 + (half the total - range 0's cost) / range 1's, per agent. */
    double total = 2e-8 * 4992 + 6e-8 * 5008;
    double balanced = 4992 + (total / 2 - 2e-8 * 4992) / 6e-8;
    size_t expect = (size_t)((4992 + balanced) / 2 / 64 + 0.5) * 64;
    cr_assert(balanced > 6600 && balanced < 6700, "%g", balanced);
    cr_assert_eq(p.bound[1], expect, "%zu, expected %zu", p.bound[1], expect);

    /* A range without a measure (all of it stolen, say) keeps its cost. */
    measured(&p, 0, 1e-8);
    partition_begin_day(&p, 10000);
    cr_assert_float_eq(p.cost[0], 2e-8, 1e-20);
    cr_assert_float_eq(p.cost[1], 6e-8, 1e-20, "kept: %g", p.cost[1]);
    partition_free(&p);
}

Test(partition, new_agents_cost_as_the_end_of_the_store)
{
    partition p;
    partition_init(&p, 2);
    partition_begin_day(&p, 1024); /* [0, 512) and [512, 1024) */
    measured(&p, 0, 1e-8);
    measured(&p, 1, 1e-8);
    /* The store doubles: the new half costs as the last range, so the balanced bound
     * is the middle, and the bound goes half way there. */
    partition_begin_day(&p, 2048);
    cr_assert_eq(p.bound[1], 768, "%zu", p.bound[1]);
    /* It shrinks below yesterday's bound: ranges stay inside the store. */
    measured(&p, 0, 1e-8);
    measured(&p, 1, 1e-8);
    partition_begin_day(&p, 500);
    /* Half way from yesterday's bound, clamped to 500, to the balanced 250: 375, on a
     * multiple of 64. */
    cr_assert_eq(p.bound[1], 384, "%zu", p.bound[1]);
    cr_assert_eq(p.bound[2], 500);
    partition_free(&p);
}
