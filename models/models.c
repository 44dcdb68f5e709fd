#include "models/models.h"

/* Hooks run in this order each day: inflow spawns before anyone moves; labour and
 * shelters take their people (workers, guests) before movement moves the rest;
 * behaviour builds today's route tables after movement has set today's trains
 * (day_start) and learns from the day's incidents (day_end). */
const module *const model_table[MODULE_COUNT] = {
    [MODULE_INFLOW] = &inflow_module,
    [MODULE_LABOUR] = &labour_module,
    [MODULE_SHELTER] = &shelter_module,
    [MODULE_MOVEMENT] = &movement_module,
    [MODULE_BEHAVIOUR] = &behaviour_module,
    [MODULE_HAZARDS] = &hazards_module,
    /* After movement: raids on lodgings catch who is still waiting at day's end. */
    [MODULE_ENFORCEMENT] = &enforcement_module,
    /* Encounters come through movement's hooks; captives are handled after movement. */
    [MODULE_CRIME] = &crime_module,
};
const int model_count = MODULE_COUNT;
