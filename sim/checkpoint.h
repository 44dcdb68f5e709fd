/* Checkpoints: the whole state of a run in one HDF5 file, to continue it later.
 *
 * Saved: every agent field (the AGENT_FIELDS X-macro, so a new field is saved with no
 * change here), the output series up to the current day, and every array registered
 * in the persist table (sim/persist.h: the engine's counters, capacities and incidents,
 * and each module's own state). Random streams are counter-based and carry no state.
 *
 * A restart reloads the scenario from its file, initialises a fresh run, then
 * overwrites its state from the checkpoint. It refuses (bad input, exit 2) a checkpoint
 * of another format version, of a different resolved scenario (including --set, --seed
 * and --days) or member, or whose agent fields, series or registered state do not match
 * this build's, because any of those would silently give a different run. A restarted
 * run's datasets are identical to a straight run's, for any thread count
 * (tests/cli/test_checkpoint.py).
 *
 * Layout (readable with h5py for debugging): root attributes format, checkpoint_version,
 * version, commit, scenario, member, day; /agents/FIELD (typed 1-D, attribute c_type);
 * /series/NAME (days x values, every row); /state/NAME (bytes; attributes element_size, count). */
#ifndef RUMBO_CHECKPOINT_H
#define RUMBO_CHECKPOINT_H

#include "sim/diag.h"
#include "sim/sim.h"

/* Bump when the layout above changes meaning. */
enum { CHECKPOINT_VERSION = 2 }; /* 2: agent fields timer and holder (sim/agents.h) */

/* Writes the state of `s` at the end of day s->day - 1 to `path` (atomically: a
 * temporary file renamed into place, so an older checkpoint survives a failed write). */
int checkpoint_write(const sim *s, const char *path, diag *d);

/* Restores a checkpoint into `s`, freshly made by sim_init with the same scenario and
 * member. On success s->day is the first day still to simulate. `commit` (if not NULL)
 * receives the git commit of the build that wrote it. */
int checkpoint_restore(sim *s, const char *path, char *commit, size_t commit_len, diag *d);

/* The ensemble member number a checkpoint holds (checking that it is a checkpoint). */
int checkpoint_member_of(const char *path, int64_t *member, diag *d);

/* Ensembles run members one after another; a checkpoint holds the member in progress,
 * and the members finished before it are kept beside it, in CHECKPOINT.members (one
 * group of series per member), so a restart writes them into the output without
 * simulating them again. Save: after member s->key.member finished. Load: fills s->out
 * (s freshly made by sim_init for that member) from the file beside `path`. */
int checkpoint_save_member(const char *path, const sim *s, diag *d);
int checkpoint_load_member(const char *path, sim *s, diag *d);

/* Removes a checkpoint and its members file (the run is complete). */
void checkpoint_remove(const char *path);

/* When a run writes checkpoints. */
typedef struct checkpoint_policy {
    const char *path; /* where (one file, overwritten each time) */
    int every;        /* every this many simulated days; 0: never on schedule */
    int stop_at;      /* on reaching this day (each member): write and stop; 0: never */
} checkpoint_policy;

/* Call after each simulated day: writes a checkpoint when one is due, and when the run
 * must stop (SIGTERM/SIGINT, see sim/interrupt.h, or stop_at). Returns 0 to go on,
 * EXIT_INTERRUPTED when the run stops with its state saved, -1 on failure (d set). */
int checkpoint_after_day(const checkpoint_policy *p, const sim *s, diag *d);

#endif
