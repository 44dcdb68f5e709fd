#include "models/models.h"

/* Hooks run in this order each day: inflow spawns before anyone moves. */
const module *const model_table[MODULE_COUNT] = {
    [MODULE_INFLOW] = &inflow_module,
    [MODULE_MOVEMENT] = &movement_module,
    [MODULE_HAZARDS] = &hazards_module,
    /* After movement: raids on lodgings catch who is still waiting at day's end. */
    [MODULE_ENFORCEMENT] = &enforcement_module,
};
const int model_count = MODULE_COUNT;
