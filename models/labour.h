/* Labour and money (MODEL.md 3.5).
 *
 * Everyone outside a shelter and not at home spends `daily_spend` pesos a day (down
 * to zero). Jobs exist at the places listed under `farms` (Soconusco: coffee
 * October-March with a December dip, banana year-round...) and `odd_jobs` (casual
 * work in rail towns), each with a number of jobs at peak, a daily wage and a
 * monthly demand profile. Today's jobs = jobs x demand[month]; the ones not held by
 * continuing contracts go to the job seekers at the place by random priority
 * (capacity resolution). A contract runs `contract_days`, but never past the end of
 * the month, so wages are paid only in months with demand.
 *
 * Who looks for work: seasonal workers and undecided migrants at a farm; transit
 * migrants with less than `transit_money_target` pesos at any job place. A seeker
 * not hired gives up on the place with probability `give_up_per_day`. Seasonal
 * workers go home when there is no work (off-season, or gave up) — for good with
 * probability `quit_at_home`, otherwise for at least `home_days` — and come back
 * when the farms hire again. Undecided migrants decide while working, at
 * `undecided_decide_per_work_day` (to go north with probability
 * `undecided_transit_share`, else to settle); workers settle in Mexico at
 * `settle_per_work_day`. Both are drawn once per contract, with the daily rate
 * compounded over its days, and take effect when the contract ends.
 *
 * Absent `labour:` section: no jobs and no spending. */
#ifndef RUMBO_LABOUR_H
#define RUMBO_LABOUR_H

#include <stdbool.h>
#include <stddef.h>

#include "models/models.h"

typedef struct sim sim;

/* Agent i, waiting at its node (or at the end of a contract), would look for work
 * there today. */
bool labour_wants_job(const sim *s, size_t i);
/* Node v is a farm: the destination of seasonal workers. */
bool labour_is_farm(const sim *s, int v);
/* Node v offers jobs today. */
bool labour_hires_at(const sim *s, int v);

#endif
