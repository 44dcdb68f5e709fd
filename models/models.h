/* The model modules and their order in model_table (models.c). A module reads its
 * own parameters with sim_params(s, MODULE_x). */
#ifndef RUMBO_MODELS_H
#define RUMBO_MODELS_H

#include "sim/module.h"

enum { MODULE_INFLOW, MODULE_MOVEMENT, MODULE_HAZARDS, MODULE_ENFORCEMENT, MODULE_COUNT };

extern const module inflow_module;
extern const module movement_module;
extern const module hazards_module;
extern const module enforcement_module;

#endif
