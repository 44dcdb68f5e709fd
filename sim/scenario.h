/* A resolved scenario: the layered YAML tree, the network, the run settings, and
 * the parameters of every module for each timeline epoch.
 *
 * The timeline is resolved up front: epoch 0 holds the scenario as written, and
 * epoch k the scenario with timeline entries 1..k applied. Every epoch is read and
 * validated before the simulation starts, so a typo in a 2014 timeline entry fails
 * at once, not three simulated years into a run. During the run, switching epoch is
 * a pointer change. */
#ifndef RUMBO_SCENARIO_H
#define RUMBO_SCENARIO_H

#include <stdint.h>

#include "sim/config.h"
#include "sim/module.h"
#include "sim/network.h"

typedef struct scenario {
    char *path;
    cfg *tree;  /* after extends, network include and --set; timeline kept as data */
    char *yaml; /* tree as YAML text, stored in every output */
    char *name;
    int32_t start; /* start date, days since 1970-01-01 */
    int days;
    uint64_t seed;
    network net;
    int n_epochs;
    int32_t *epoch_day; /* simulation day at which each epoch begins (epoch 0: 0) */
    void **params;      /* params[epoch * model_count + module] */
} scenario;

typedef struct scenario_overrides {
    const char **sets; /* "key.path=value" strings from --set */
    int n_sets;
    int64_t seed; /* -1: keep the scenario's */
    int64_t days; /* -1: keep the scenario's */
} scenario_overrides;

int scenario_load(scenario *sc, const char *path, const scenario_overrides *ov, diag *d);
void scenario_free(scenario *sc);

/* Parameters of module `m` in force on simulation day `day`. */
int scenario_epoch_of_day(const scenario *sc, int day);
const void *scenario_params(const scenario *sc, int epoch, int module_index);

#endif
