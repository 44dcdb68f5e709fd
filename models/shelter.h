/* Migrant shelters (albergues): rest, food, recovery from injury and information,
 * up to their number of beds (MODEL.md 3.1).
 *
 * A migrant reaching a town with a shelter asks for a bed with probability
 * `rest_share` (always when injured). Beds free today = beds - guests staying on;
 * they go to the askers by random priority (capacity resolution), so a shelter never
 * holds more than its beds. Those turned away queue at the door and try again the
 * next day, or move on with probability `leave_queue_per_day` (injured people
 * wait). A stay lasts `stay_days` nights, longer while injured; injuries heal
 * `recovery_per_day` days per day inside (1 outside). Guests eat for free and leave
 * informed: they hear current risks from then on (behaviour.c).
 *
 * Absent `shelters:` section: no shelters. */
#ifndef RUMBO_SHELTER_H
#define RUMBO_SHELTER_H

#include <stdbool.h>
#include <stddef.h>

#include "models/models.h"

typedef struct sim sim;

/* Node v has shelter beds today. */
bool shelter_at(const sim *s, int v);
/* Agent i is waiting at its node for a shelter bed. */
bool shelter_wants_bed(const sim *s, size_t i);

#endif
