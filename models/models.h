/* The model modules and their order in model_table (models.c). A module reads its
 * own parameters with sim_params(s, MODULE_x). */
#ifndef RUMBO_MODELS_H
#define RUMBO_MODELS_H

#include "sim/module.h"

enum {
    MODULE_INFLOW,
    MODULE_LABOUR,
    MODULE_SHELTER,
    MODULE_MOVEMENT,
    MODULE_BEHAVIOUR,
    MODULE_HAZARDS,
    MODULE_ENFORCEMENT,
    MODULE_CRIME,
    MODULE_COUNT
};

extern const module inflow_module;
extern const module movement_module;
extern const module labour_module;
extern const module shelter_module;
extern const module behaviour_module;
extern const module hazards_module;
extern const module enforcement_module;
extern const module crime_module;

/* Request slots (bits of agents.grants) of the capacity-limited resources. */
enum { SLOT_SEAT = 0, SLOT_JOB = 1, SLOT_BED = 2 };

#endif
