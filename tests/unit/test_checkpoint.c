/* The persist registry and checkpoints, as a module uses them: fixed and growable
 * arrays registered at init come back byte for byte; mismatches are refused. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/checkpoint.h"
#include "sim/persist.h"
#include "sim/sim.h"

/* A module-like private state: one fixed array, one that grows during the run. */
typedef struct fake_state {
    double strength[5];
    int32_t *victims;
    size_t n, cap;
} fake_state;

static void fake_register(sim *s, fake_state *st)
{
    sim_persist(s, "fake.strength", st->strength, sizeof *st->strength, 5);
    sim_persist_dynamic(s, "fake.victims", (void **)&st->victims, &st->n, &st->cap,
                        sizeof *st->victims);
}

static void load(scenario *sc, sim *s)
{
    diag d = {0};
    scenario_overrides ov = {.seed = -1, .days = -1};
    cr_assert_eq(scenario_load(sc, "scenarios/tiny.yaml", &ov, &d), 0, "%s", d.msg);
    cr_assert_eq(sim_init(s, sc, 0, 2, &d), 0, "%s", d.msg);
}

static char *temp_path(void)
{
    char *p = malloc(64);
    snprintf(p, 64, "/tmp/rumbo-test-ckpt-%ld.h5", (long)getpid());
    return p;
}

Test(checkpoint, registered_state_round_trips)
{
    scenario sc;
    sim a, b;
    load(&sc, &a);
    fake_state fa = {{1.5, -2, 3, 0.25, 1e300}, NULL, 0, 0};
    fa.cap = 8;
    fa.n = 7;
    fa.victims = calloc(fa.cap, sizeof(int32_t));
    for (size_t i = 0; i < fa.n; i++)
        fa.victims[i] = (int32_t)(100 + i);
    fake_register(&a, &fa);
    for (int day = 0; day < 12; day++)
        sim_step(&a);
    char *path = temp_path();
    diag d = {0};
    cr_assert_eq(checkpoint_write(&a, path, &d), 0, "%s", d.msg);

    scenario sc2;
    load(&sc2, &b);
    fake_state fb = {{0}, NULL, 0, 0};
    fb.cap = 1;
    fb.victims = calloc(1, sizeof(int32_t));
    fake_register(&b, &fb);
    cr_assert_eq(checkpoint_restore(&b, path, NULL, 0, &d), 0, "%s", d.msg);
    cr_assert_eq(b.day, 12);
    cr_assert(b.restored);
    cr_assert_eq(b.next_id, a.next_id);
    cr_assert_eq(b.ag.n, a.ag.n);
    cr_assert(memcmp(b.ag.id, a.ag.id, a.ag.n * sizeof *a.ag.id) == 0);
    cr_assert(memcmp(b.ag.days_left, a.ag.days_left, a.ag.n * sizeof *a.ag.days_left) == 0);
    cr_assert(memcmp(fb.strength, fa.strength, sizeof fa.strength) == 0);
    cr_assert_eq(fb.n, 7);
    cr_assert_geq(fb.cap, 7);
    for (size_t i = 0; i < 7; i++)
        cr_assert_eq(fb.victims[i], (int32_t)(100 + i));
    /* Both runs go on identically. */
    for (int day = 12; day < 20; day++)
        sim_step(&a), sim_step(&b);
    cr_assert_eq(a.total_events[EVENT_ARRIVAL], b.total_events[EVENT_ARRIVAL]);
    cr_assert(memcmp(a.ag.node, b.ag.node, a.ag.n * sizeof *a.ag.node) == 0);
    unlink(path);
    free(path);
    free(fa.victims);
    free(fb.victims);
    sim_free(&a);
    sim_free(&b);
    scenario_free(&sc);
    scenario_free(&sc2);
}

Test(checkpoint, missing_or_resized_state_is_refused)
{
    scenario sc, sc2;
    sim a, b;
    load(&sc, &a);
    double x[3] = {1, 2, 3};
    sim_persist(&a, "fake.x", x, sizeof *x, 3);
    sim_step(&a);
    char *path = temp_path();
    diag d = {0};
    cr_assert_eq(checkpoint_write(&a, path, &d), 0, "%s", d.msg);

    load(&sc2, &b); /* this build "lost" fake.x */
    cr_assert_neq(checkpoint_restore(&b, path, NULL, 0, &d), 0);
    cr_assert_eq(d.exit_code, EXIT_BAD_INPUT);
    cr_assert(strstr(d.msg, "module state") != NULL, "%s", d.msg);
    sim_free(&b);
    scenario_free(&sc2);

    load(&sc2, &b); /* same name, another size */
    double y[4] = {0};
    sim_persist(&b, "fake.x", y, sizeof *y, 4);
    diag d2 = {0};
    cr_assert_neq(checkpoint_restore(&b, path, NULL, 0, &d2), 0);
    cr_assert(strstr(d2.msg, "fake.x") != NULL, "%s", d2.msg);
    unlink(path);
    free(path);
    sim_free(&a);
    sim_free(&b);
    scenario_free(&sc);
    scenario_free(&sc2);
}
