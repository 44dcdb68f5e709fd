/* Detention, deportation, unaccompanied minors and re-attempts (MODEL.md 3.2).
 *
 * A detained agent (STATE_DETAINED) goes through stages:
 *
 *   custody   the day of capture, at the place of capture. The next day an adult
 *             asks for a place in the station that serves that place (the one at the
 *             node, else the nearest by distance); an unaccompanied minor asks for a
 *             place in a child-protection (DIF) shelter.
 *   station   held for `stay_days`; then, at the hub (Siglo XXI, Tapachula), asks
 *             for a seat on a deportation bus of its nationality; elsewhere asks for
 *             a place at the hub (transfer to Tapachula).
 *   shelter   minors: held for `minor_stay_days`, then returned by their own
 *             procedure, which has its own daily capacity.
 *
 * Places, transfers and seats are capacity-limited resources resolved by random
 * priority (sim/capacity.h). A station admits today at most its places minus the
 * people it held at the end of yesterday, so its occupancy never exceeds its
 * places (people who leave today free their place for tomorrow).
 *
 * Full station: an adult who gets no place is released at the place of capture
 * with an exit order ("oficio de salida"), a document honoured for a number of
 * days. Mexico's migration law limits administrative detention (Ley de Migracion
 * 2011, art. 111) and INM released people it could not hold with exit orders, so
 * a queue outside the station would not be realistic. A minor who gets no
 * shelter place stays in custody and asks again the next day: minors are by law
 * (art. 112) put in the care of the child-protection system, not released.
 *
 * Deported people are kept (STATE_DEPORTED, at their `return_to` node: the
 * border crossing for Guatemalans; for others a node standing for "home", where a
 * re-attempt will start). With `reattempt_probability` (while attempt <
 * `max_attempts`) they set out again after an exponential delay (EVENT_REATTEMPT,
 * attempt + 1); otherwise they leave the system (EVENT_GAVE_UP). Keeping the agent
 * makes re-attempts countable and conserves people. */
#ifndef RUMBO_DETENTION_H
#define RUMBO_DETENTION_H

enum {
    ENF_STAGE_CUSTODY = 0,
    ENF_STAGE_STATION = 1,
    ENF_STAGE_SHELTER = 2,
};

#endif
