/* Engine building blocks: random streams, capacity resolution, agent storage, and the
 * removal of a day's leavers beside the day's end. */
#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>
#include <omp.h>
#include <signal.h>
#include <string.h>

#include "sim/agents.h"
#include "sim/capacity.h"
#include "sim/clock.h"
#include "sim/rng.h"
#include "sim/sim.h"

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

/* Groups each list, as its thread does after planning, and resolves. */
static void resolve(capacity_table *t, cap_requests *const *lists, int n_lists, const uint32_t *ids,
                    uint8_t *grants)
{
    capacity_prepare(t, n_lists);
    for (int k = 0; k < n_lists; k++)
        capacity_group(t, lists[k], k);
    capacity_resolve(t, lists, n_lists, ids, grants, NULL, NULL);
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
    resolve(&t, (cap_requests *const[]){&one[0]}, 1, ids, grants_a);
    cr_assert_eq(t.granted[base], 3);
    cr_assert_eq(t.requested[base], 9);
    cr_assert_eq(t.granted[base + 1], 0, "zero capacity grants nothing");
    /* Split two: reversed, across three threads. */
    cap_requests three[3] = {{0}};
    for (int i = 9; i >= 0; i--)
        cap_requests_push(&three[i % 3], reqs[i]);
    resolve(&t, (cap_requests *const[]){&three[0], &three[1], &three[2]}, 3, ids, grants_b);
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
    for (int k = 0; k < 3; k++)
        three[k].n = 0; /* the caller empties the lists between rounds */
    ids[4] = 7;
    ids[6] = 5;
    reqs[4].priority = reqs[6].priority = 0; /* i = 0 has priority 0 too, id 100 */
    for (int i = 0; i < 9; i++)
        cap_requests_push(&three[i % 3], reqs[i]);
    resolve(&t, (cap_requests *const[]){&three[0], &three[1], &three[2]}, 3, ids, grants_c);
    for (int i = 0; i < 10; i++)
        cr_assert_eq(grants_c[i] != 0, i == 6, "agent %d", i);
    free(one[0].v);
    for (int k = 0; k < 3; k++)
        free(three[k].v);
    capacity_free(&t);
}

/* A list not grouped (capacity_group forgotten, or a request added after) would be
 * resolved from stale offsets: the resolution stops the run instead. */
Test(capacity, a_list_not_grouped_stops_the_run, .signal = SIGABRT)
{
    capacity_table t = {0};
    uint32_t base = capacity_register(&t, 1);
    t.capacity[base] = 1;
    cap_requests list = {0};
    cap_requests_push(&list, (cap_request){.resource = base, .index = 0});
    capacity_prepare(&t, 1);
    capacity_group(&t, &list, 0);
    cap_requests_push(&list, (cap_request){.resource = base, .index = 1}); /* after grouping */
    uint32_t ids[2] = {1, 2};
    uint8_t grants[2] = {0};
    capacity_resolve(&t, (cap_requests *const[]){&list}, 1, ids, grants, NULL, NULL);
}

static const uint32_t *sort_ids; /* for by_order */

static void count_idle(void *calls)
{
    __atomic_add_fetch((int *)calls, 1, __ATOMIC_RELAXED);
}

/* The order capacity_resolve grants in: resource, priority, agent id, slot. */
static int by_order(const void *pa, const void *pb)
{
    const cap_request *a = pa, *b = pb;
    if (a->resource != b->resource) return a->resource < b->resource ? -1 : 1;
    if (a->priority != b->priority) return a->priority < b->priority ? -1 : 1;
    if (sort_ids[a->index] != sort_ids[b->index])
        return sort_ids[a->index] < sort_ids[b->index] ? -1 : 1;
    return (int)a->slot - (int)b->slot;
}

/* Two threads resolve as one does, whatever the size of the day: above 50,000
 * requests they share the work (resources shared out, grants with an atomic or), below
 * it the last to arrive does it while the other waits. Agents ask for two resources
 * each, so two threads may set bits of one agent's byte. */
static void two_threads_grant_what_one_grants(uint32_t n_agents)
{
    enum { MAX_AGENTS = 40000, RESOURCES = 7 };
    capacity_table t = {0};
    uint32_t base = capacity_register(&t, RESOURCES);
    for (uint32_t r = 0; r < RESOURCES; r++)
        t.capacity[base + r] = (1000 + 2000 * (int64_t)r) * n_agents / MAX_AGENTS;
    static uint32_t ids[MAX_AGENTS];
    static uint8_t one_thread[MAX_AGENTS], two_threads[MAX_AGENTS], expected[MAX_AGENTS];
    memset(one_thread, 0, sizeof one_thread);
    memset(two_threads, 0, sizeof two_threads);
    memset(expected, 0, sizeof expected);
    cap_requests lists[2][2] = {{{0}}};
    for (int run = 0; run < 2; run++)
        for (uint32_t i = 0; i < n_agents; i++) {
            ids[i] = 7 * i + 3;
            uint32_t bits[4];
            rng_bits4((rng_key){5, 0}, ids[i], 0, RNG_PRIORITY, 0, bits);
            for (int slot = 0; slot < 2; slot++)
                cap_requests_push(&lists[run][i % 2],
                                  (cap_request){.resource = base + (bits[1 + slot] % RESOURCES),
                                                .slot = (uint32_t)slot,
                                                .priority = bits[0] >> (4 * slot),
                                                .index = i});
        }
    /* What a full sort grants: the first `capacity` of each resource. */
    static cap_request all[2 * MAX_AGENTS];
    size_t n = 0;
    for (int k = 0; k < 2; k++)
        for (size_t j = 0; j < lists[0][k].n; j++)
            all[n++] = lists[0][k].v[j];
    sort_ids = ids;
    qsort(all, n, sizeof *all, by_order);
    for (size_t j = 0, taken = 0; j < n; j++) {
        taken = j > 0 && all[j].resource == all[j - 1].resource ? taken + 1 : 0;
        if ((int64_t)taken < t.capacity[all[j].resource])
            expected[all[j].index] |= (uint8_t)(1u << all[j].slot);
    }
    resolve(&t, (cap_requests *const[]){&lists[0][0], &lists[0][1]}, 2, ids, one_thread);
    cr_assert(memcmp(one_thread, expected, sizeof expected) == 0, "grants as a full sort gives");
    int64_t granted = 0;
    for (uint32_t r = 0; r < RESOURCES; r++)
        granted += t.granted[base + r];
    cap_requests *const second[2] = {&lists[1][0], &lists[1][1]};
    capacity_prepare(&t, 2);
    int idle_calls = 0, team = 0;
#pragma omp parallel num_threads(2)
    {
        /* As in the day's region: each thread groups its list and goes on to the
         * resolution, which waits for the other. */
        for (int k = omp_get_thread_num(); k < 2; k += omp_get_num_threads())
            capacity_group(&t, second[k], k);
        capacity_resolve(&t, second, 2, ids, two_threads, count_idle, &idle_calls);
#pragma omp master
        team = omp_get_num_threads();
    }
    cr_assert(memcmp(one_thread, two_threads, sizeof one_thread) == 0, "%u n_agents", n_agents);
    cr_assert_eq(idle_calls, team - 1,
                 "the thread that arrived first, and only it, had time of its own");
    int64_t granted2 = 0, bits_set = 0;
    for (uint32_t r = 0; r < RESOURCES; r++)
        granted2 += t.granted[base + r];
    for (uint32_t i = 0; i < n_agents; i++)
        bits_set += (two_threads[i] & 1) + (two_threads[i] >> 1 & 1);
    cr_assert_eq(granted, granted2);
    cr_assert_eq(bits_set, granted2, "every grant is one bit");
    cr_assert_lt(granted2, 2 * (int64_t)n_agents, "some requests are refused");
    cr_assert_eq(t.arrived, 0, "ready for the next round");
    for (int run = 0; run < 2; run++)
        for (int k = 0; k < 2; k++)
            free(lists[run][k].v);
    capacity_free(&t);
}

Test(capacity, two_threads_grant_what_one_grants)
{
    two_threads_grant_what_one_grants(40000); /* 80,000 requests: shared */
    two_threads_grant_what_one_grants(4000);  /* 8,000: one thread, the last to arrive */
    /* 48,000, still by one thread: milliseconds, so the other stops spinning and sleeps
     * until the round ends. */
    two_threads_grant_what_one_grants(24000);
}

/* The thread with idle work (tomorrow's route tables) waits in it for the resolver
 * to come back from capacity_resolve: it can, because a small day's resolver returns
 * once the grants are set, without waiting for the idle work to end. (When the
 * resolver waited at a barrier for it, this test ran into its 5 s limit.) */
typedef struct idle_wait {
    int called[2];     /* by thread: idle work was given to it */
    int resolver_back; /* the resolver returned from capacity_resolve */
    int saw_it;        /* the idle work saw it return */
} idle_wait;

static void wait_for_resolver(void *ctx)
{
    idle_wait *iw = ctx;
    iw->called[omp_get_thread_num()] = 1;
    double t0 = clock_seconds();
    while (!__atomic_load_n(&iw->resolver_back, __ATOMIC_ACQUIRE) && clock_seconds() - t0 < 5)
        ;
    iw->saw_it = __atomic_load_n(&iw->resolver_back, __ATOMIC_ACQUIRE);
}

Test(capacity, the_resolver_of_a_small_day_does_not_wait_for_idle_work)
{
    capacity_table t = {0};
    uint32_t base = capacity_register(&t, 1);
    t.capacity[base] = 1;
    uint32_t ids[2] = {10, 11};
    uint8_t grants[2] = {0, 0};
    cap_requests lists[2] = {{0}};
    for (uint32_t i = 0; i < 2; i++)
        cap_requests_push(&lists[i],
                          (cap_request){.resource = base, .priority = 5 - i, .index = i});
    cap_requests *const both[2] = {&lists[0], &lists[1]};
    capacity_prepare(&t, 2);
    idle_wait iw = {{0}, 0, 0};
    int team = 0;
#pragma omp parallel num_threads(2)
    {
        int me = omp_get_thread_num();
        capacity_group(&t, both[me], me);
        capacity_resolve(&t, both, 2, ids, grants, wait_for_resolver, &iw);
        if (!iw.called[me]) __atomic_store_n(&iw.resolver_back, 1, __ATOMIC_RELEASE);
#pragma omp master
        team = omp_get_num_threads();
    }
    cr_assert_eq(grants[1], 1, "the lower priority is granted");
    cr_assert_eq(grants[0], 0);
    if (team == 2) cr_assert(iw.saw_it, "the resolver came back while the idle work ran");
    free(lists[0].v);
    free(lists[1].v);
    capacity_free(&t);
}

/* Finds the leavers in two ascending lists, as two threads of the act pass would (the
 * lists interleave by 1,000s, as a stolen chunk's leavers interleave with a range's),
 * merges and removes them. */
static size_t leave(agents *a, int threads)
{
    index_list found[2] = {{0}}, leavers = {0}, scratch = {0};
    for (size_t i = 0; i < a->n; i++)
        if (a->state[i] >= STATE_LIVE_COUNT) index_list_push(&found[i / 1000 % 2], i);
    agents_merge_leavers((index_list *const[]){&found[0], &found[1]}, 2, &leavers, &scratch);
    for (size_t k = 1; k < leavers.n; k++)
        cr_assert_lt(leavers.v[k - 1], leavers.v[k], "leavers ascending");
    size_t removed = agents_remove(a, &leavers, threads);
    free(leavers.v);
    free(scratch.v);
    free(found[0].v);
    free(found[1].v);
    return removed;
}

/* Any number of lists, any split of the indices among them, empty lists, and a list
 * out of order: the union comes out ascending, each index once. */
Test(agents, merged_leavers_are_the_ascending_union)
{
    enum { N = 5000, MAX_LISTS = 9 };
    uint64_t x = 88172645463325252u; /* xorshift: a fixed, varied split */
    index_list out = {0}, scratch = {0};
    for (int n_lists = 1; n_lists <= MAX_LISTS; n_lists++)
        for (int trial = 0; trial < 20; trial++) {
            index_list lists[MAX_LISTS] = {{0}};
            index_list *ptrs[MAX_LISTS];
            static bool in[N];
            size_t expected = 0;
            for (size_t i = 0; i < N; i++) {
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                in[i] = x % 4 == 0;
                /* Trial 2 leaves the last list empty (a thread that met no leaver). */
                int lists_used = trial == 2 && n_lists > 1 ? n_lists - 1 : n_lists;
                if (in[i]) index_list_push(&lists[(x >> 8) % (uint64_t)lists_used], i), expected++;
            }
            if (trial == 1 && lists[0].n > 2) { /* out of order: sorted, not trusted */
                size_t t = lists[0].v[0];
                lists[0].v[0] = lists[0].v[lists[0].n - 1];
                lists[0].v[lists[0].n - 1] = t;
            }
            for (int k = 0; k < n_lists; k++)
                ptrs[k] = &lists[k];
            agents_merge_leavers(ptrs, n_lists, &out, &scratch);
            cr_assert_eq(out.n, expected, "%d lists", n_lists);
            for (size_t k = 0; k < out.n; k++) {
                cr_assert(in[out.v[k]], "only listed indices");
                if (k) cr_assert_lt(out.v[k - 1], out.v[k], "%d lists: ascending", n_lists);
            }
            for (int k = 0; k < n_lists; k++)
                free(lists[k].v);
        }
    agents_merge_leavers(NULL, 0, &out, &scratch);
    cr_assert_eq(out.n, 0, "no lists: no leavers");
    free(out.v);
    free(scratch.v);
}

/* A chunk's agents grouped by state (how sim.c visits them): every agent once, the
 * states in order, each state's agents ascending; at any offset into the store, for
 * a chunk of one state, of none, and of every state including the final ones. */
Test(agents, ordered_by_state_every_agent_once_states_grouped_ascending)
{
    enum { N = 3000 };
    agents a;
    agents_init(&a);
    agents_spawn(&a, N);
    uint64_t x = 0x2545F4914F6CDD1Du;
    for (size_t i = 0; i < N; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        a.state[i] = (uint8_t)(i >= 1000 && i < 1300 ? STATE_WORKING : x % STATE_COUNT);
    }
    static const size_t chunks[][2] = {{0, 256}, {17, 256}, {1000, 256}, {2999, 1}, {5, 0}, {0, N}};
    static uint16_t order[N];
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        size_t lo = chunks[c][0], n = chunks[c][1];
        unsigned start[STATE_COUNT + 1];
        bool seen[N] = {false};
        agents_order_by_state(&a, lo, n, order, start);
        cr_assert_eq(start[0], 0);
        cr_assert_eq(start[STATE_COUNT], n, "chunk %zu: every agent has a place", c);
        for (int st = 0; st < STATE_COUNT; st++) {
            cr_assert_leq(start[st], start[st + 1]);
            for (unsigned q = start[st]; q < start[st + 1]; q++) {
                size_t j = order[q];
                cr_assert_lt(j, n);
                cr_assert_not(seen[j], "chunk %zu: agent %zu once", c, lo + j);
                seen[j] = true;
                cr_assert_eq(a.state[lo + j], st, "chunk %zu: agent %zu under its state", c,
                             lo + j);
                if (q > start[st]) cr_assert_lt(order[q - 1], j, "ascending within a state");
            }
        }
        if (lo == 1000) cr_assert_eq(start[STATE_WORKING + 1] - start[STATE_WORKING], n);
    }
    agents_free(&a);
}

/* 200,000 agents: enough for the moves to be shared by threads. */
Test(agents, spawn_and_remove_keep_every_stayer_and_its_fields)
{
    enum { N = 200000 };
    agents a;
    agents_init(&a);
    size_t first = agents_spawn(&a, N);
    cr_assert_eq(first, 0);
    for (size_t i = 0; i < a.n; i++) {
        a.id[i] = (uint32_t)i;
        a.node[i] = (uint16_t)(i % 7);
        a.state[i] = i % 3 == 0 ? STATE_ARRIVED : STATE_WAITING;
        cr_assert_eq(a.edge[i], EDGE_NONE);
    }
    cr_assert_eq(leave(&a, 2), 66667);
    cr_assert_eq(a.n, 133333);
    static bool seen[N];
    for (size_t i = 0; i < a.n; i++) {
        cr_assert_neq(a.id[i] % 3, 0, "only stayers are left");
        cr_assert_not(seen[a.id[i]], "each stayer once");
        seen[a.id[i]] = true;
        cr_assert_eq(a.node[i], a.id[i] % 7, "fields move together");
    }
    /* Leavers at the end, or everyone leaving: nothing is left behind. */
    for (size_t i = 0; i < a.n; i++)
        a.state[i] = i + 10 >= a.n ? STATE_DEAD : STATE_WAITING;
    cr_assert_eq(leave(&a, 1), 10);
    cr_assert_eq(a.n, 133323);
    for (size_t i = 0; i < a.n; i++)
        a.state[i] = STATE_DEAD;
    cr_assert_eq(leave(&a, 2), 133323);
    cr_assert_eq(a.n, 0);
    cr_assert_leq(agents_bytes_per_agent(), 64);
    agents_free(&a);
}

/* ---- the day's end ---- */

static void load_tiny(scenario *sc, sim *s, int threads)
{
    diag d = {0};
    scenario_overrides ov = {.seed = -1, .days = 120};
    cr_assert_eq(scenario_load(sc, "scenarios/tiny.yaml", &ov, &d), 0, "%s", d.msg);
    cr_assert_eq(sim_init(s, sc, 0, threads, &d), 0, "%s", d.msg);
}

/* On two threads a small day's leavers are removed by one thread while the other
 * folds the day and runs the day_end hooks; the store is then as one thread leaves
 * it, after every day, agent for agent. */
Test(day, leavers_removed_beside_the_day_end_leave_the_store_as_one_thread_does)
{
    scenario sa, sb;
    sim two, one;
    load_tiny(&sa, &two, 2);
    load_tiny(&sb, &one, 1);
    for (int day = 0; day < 120; day++) {
        sim_step(&two);
        sim_step(&one);
        cr_assert_eq(two.ag.n, one.ag.n, "day %d", day);
        cr_assert(memcmp(two.ag.id, one.ag.id, one.ag.n * sizeof *one.ag.id) == 0, "day %d", day);
        cr_assert(memcmp(two.ag.state, one.ag.state, one.ag.n) == 0, "day %d", day);
        cr_assert_eq(two.left_system, one.left_system, "day %d", day);
    }
    cr_assert_gt(one.left_system, 0, "people left: the removal had work");
    cr_assert_eq(one.timing.compact_beside, 0, "one thread removes them after the day's end");
    if (omp_get_thread_limit() > 1)
        cr_assert_gt(two.timing.compact_beside, 0, "two threads: beside it");
    sim_free(&two);
    sim_free(&one);
    scenario_free(&sa);
    scenario_free(&sb);
}
