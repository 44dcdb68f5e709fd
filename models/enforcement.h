/* Enforcement and policy (MODEL.md 3.2): checkpoints and raids, corruption,
 * detention, deportation, unaccompanied minors, re-attempts, documents and
 * Grupos Beta. One module (`enforcement:` in the scenario), split over
 * checkpoints.c, detention.c, documents.c and enforcement.c.
 *
 * What other modules may use:
 *   - STATE_HANDED_OVER agents were handed by an official to a criminal group
 *     (EVENT_HANDOVER); the crime module takes them from there.
 *   - enforcement_protection(): Grupos Beta presence at a node, for victimisation
 *     (crime) and help to the injured (behaviour).
 *   - incidents of kind INCIDENT_DETECTION at every place where enforcement
 *     stopped someone (learned risk). */
#ifndef RUMBO_ENFORCEMENT_H
#define RUMBO_ENFORCEMENT_H

#include "models/models.h"

typedef struct sim sim;

/* Grupos Beta presence at node v today, in [0, 1] (0 without enforcement). */
double enforcement_protection(const sim *s, int v);

#endif
