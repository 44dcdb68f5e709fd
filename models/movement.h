#ifndef RUMBO_MOVEMENT_H
#define RUMBO_MOVEMENT_H
#include "models/models.h"
#endif
