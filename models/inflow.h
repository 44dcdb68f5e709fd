#ifndef RUMBO_INFLOW_H
#define RUMBO_INFLOW_H
#include "models/models.h"
#endif
